/* trustlink cloud things ...: the registry's things through the control-plane
 * API, and the helpers every admin command shares (cloud_admin.h). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud_admin.h"

#define ADMIN_MAX_PAGES 1000

int tl_cli_admin_begin(tl_cli *cli, tl_cli_args *a, const char *prog, const tl_cli_help *help,
                       int argc, char **argv, int npos, const char *what, tl_aws_client *c,
                       int *rc)
{
    char err[600];
    int r = tl_cli_parse(cli, a, prog, help, argc, argv);
    if (r) {
        *rc = r < 0 ? TL_CLI_EXIT_OK : r;
        return 0;
    }
    if (a->npos < npos) {
        *rc = tl_cli_usage_error(prog, "which %s?", what);
        return 0;
    }
    if (a->npos > npos) {
        *rc = tl_cli_usage_error(prog, "unexpected argument '%s'", a->pos[npos]);
        return 0;
    }
    if (tl_aws_client_init(c, "iot", tl_cli_opt_value(a, "endpoint-url"),
                           tl_cli_opt_value(a, "profile"), tl_cli_opt_value(a, "region"), err,
                           sizeof err) != 0) {
        *rc = tl_cli_fail("%s", err);
        return 0;
    }
    return 1;
}

int tl_cli_admin_call(tl_aws_client *c, const char *action, const char *method,
                      const char *path, const char *body, const char *const *headers,
                      cJSON **out)
{
    tl_aws_response resp;
    char err[600], why[1400];
    long status;
    *out = NULL;
    if (tl_aws_request(c, method, path, body, headers, &resp, err, sizeof err) != 0) {
        tl_aws_response_free(&resp);
        return tl_cli_fail("%s: %s", action, err);
    }
    status = resp.status;
    if (status < 200 || status > 299) {
        char perm[64];
        snprintf(perm, sizeof perm, "iot:%s", action);
        tl_aws_describe_error(&resp, perm, why, sizeof why);
        tl_aws_response_free(&resp);
        return tl_cli_fail("%s: %s", action, why);
    }
    *out = resp.body_len ? cJSON_ParseWithLength(resp.body, resp.body_len) : cJSON_CreateObject();
    tl_aws_response_free(&resp);
    if (!cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return tl_cli_fail("%s: the API answered %ld with something that is not a JSON object",
                           action, status);
    }
    return 0;
}

int tl_cli_admin_list(tl_aws_client *c, const char *action, const char *path, const char *key,
                      const char *token_param, const char *next_key, cJSON **out)
{
    char url[1024], token[600] = "";
    int page;
    cJSON *all = cJSON_CreateArray();
    *out = cJSON_CreateObject();
    if (!all || !*out) {
        cJSON_Delete(all);
        cJSON_Delete(*out);
        return tl_cli_fail("out of memory");
    }
    cJSON_AddItemToObject(*out, key, all);
    for (page = 0; page < ADMIN_MAX_PAGES; page++) {
        cJSON *o, *items, *it;
        const char *next;
        if (token[0])
            snprintf(url, sizeof url, "%s%c%s=%s", path, strchr(path, '?') ? '&' : '?',
                     token_param, token);
        else
            snprintf(url, sizeof url, "%s", path);
        if (tl_cli_admin_call(c, action, "GET", url, NULL, NULL, &o) != 0) {
            cJSON_Delete(*out);
            *out = NULL;
            return TL_CLI_EXIT_FAIL;
        }
        items = cJSON_GetObjectItemCaseSensitive(o, key);
        while (cJSON_IsArray(items) && (it = cJSON_DetachItemFromArray(items, 0)) != NULL)
            cJSON_AddItemToArray(all, it);
        next = tl_cli_admin_str(o, next_key);
        if (!next[0] || tl_aws_escape(next, token, sizeof token) != 0) {
            int bad = next[0] != '\0';
            cJSON_Delete(o);
            if (bad) {
                cJSON_Delete(*out);
                *out = NULL;
                return tl_cli_fail("%s: the API's %s is too long", action, next_key);
            }
            return 0;
        }
        cJSON_Delete(o);
    }
    cJSON_Delete(*out);
    *out = NULL;
    return tl_cli_fail("%s: more than %d pages; the API keeps answering with a %s", action,
                       ADMIN_MAX_PAGES, next_key);
}

int tl_cli_admin_escape(const char *prog, const char *what, const char *s, char *out,
                        size_t cap)
{
    if (tl_aws_escape(s, out, cap) != 0)
        return tl_cli_usage_error(prog, "%s is too long", what);
    return 0;
}

void tl_cli_admin_print_json(const cJSON *o)
{
    char *s = cJSON_Print(o);
    if (s)
        puts(s);
    cJSON_free(s);
}

const char *tl_cli_admin_str(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return s ? s : "";
}

const char *tl_cli_admin_time(const cJSON *o, const char *key, char *buf, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    struct tm tm;
    time_t t;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 253402300799.0)
        return "-";
    t = (time_t)v->valuedouble;
    if (!gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
        return "-";
    return buf;
}

/* "k=v, k2=v2" from a thing's attributes object. */
static void attrs_text(const cJSON *thing, char *out, size_t cap)
{
    const cJSON *it;
    size_t n = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(thing, "attributes")) {
        if (n < cap)
            n += (size_t)snprintf(out + n, cap - n, "%s%s=%s", n ? ", " : "", it->string,
                                  cJSON_IsString(it) ? it->valuestring : "?");
    }
}

/*
 * --attributes K=V[,K=V...] as {"attributes": {...}} plus merge; an empty V
 * removes K when merging (AWS's rule). NULL after a usage error.
 */
static cJSON *attribute_payload(const char *prog, const char *text, int merge)
{
    cJSON *ap = cJSON_CreateObject(), *attrs = cJSON_AddObjectToObject(ap, "attributes");
    char buf[4096], *save = NULL, *kv;
    if (strlen(text) >= sizeof buf) {
        tl_cli_usage_error(prog, "--attributes is too long");
        goto fail;
    }
    strcpy(buf, text);
    for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            tl_cli_usage_error(prog, "--attributes: '%s' is not NAME=VALUE", kv);
            goto fail;
        }
        *eq = '\0';
        cJSON_DeleteItemFromObjectCaseSensitive(attrs, kv);
        cJSON_AddStringToObject(attrs, kv, eq + 1);
    }
    if (merge)
        cJSON_AddBoolToObject(ap, "merge", 1);
    return ap;
fail:
    cJSON_Delete(ap);
    return NULL;
}

static const tl_cli_opt list_opts[] = { TL_CLI_ADMIN_OPTS, { NULL, 0, NULL, NULL } };
static const tl_cli_help list_help = {
    "[--json]", "List every thing (ListThings, all pages): name, version, attributes.",
    list_opts, 0 };

static int things_list(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *it;
    int rc, w = 4;
    if (!tl_cli_admin_begin(cli, &a, prog, &list_help, argc, argv, 0, NULL, &c, &rc))
        return rc;
    if ((rc = tl_cli_admin_list(&c, "ListThings", "/things?maxResults=250", "things",
                                "nextToken", "nextToken", &o)) != 0)
        return rc;
    if (cli->json) {
        tl_cli_admin_print_json(o);
        cJSON_Delete(o);
        return TL_CLI_EXIT_OK;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "things")) {
        int n = (int)strlen(tl_cli_admin_str(it, "thingName"));
        w = n > w ? n : w;
    }
    printf("%-*s  %7s  %s\n", w, "NAME", "VERSION", "ATTRIBUTES");
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "things")) {
        char attrs[2048];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "version");
        attrs_text(it, attrs, sizeof attrs);
        printf("%-*s  %7.0f  %s\n", w, tl_cli_admin_str(it, "thingName"),
               cJSON_IsNumber(v) ? v->valuedouble : 0.0, attrs);
    }
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help describe_help = {
    "NAME [--json]", "Describe a thing (DescribeThing) and the certificates attached to it\n"
    "(ListThingPrincipals).", list_opts, 0 };

static int things_describe(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *pr, *it;
    char name[512], path[600], attrs[2048];
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, &describe_help, argc, argv, 1, "thing (NAME)", &c, &rc))
        return rc;
    if ((rc = tl_cli_admin_escape(prog, "NAME", a.pos[0], name, sizeof name)) != 0)
        return rc;
    snprintf(path, sizeof path, "/things/%s", name);
    if ((rc = tl_cli_admin_call(&c, "DescribeThing", "GET", path, NULL, NULL, &o)) != 0)
        return rc;
    snprintf(path, sizeof path, "/things/%s/principals", name);
    if ((rc = tl_cli_admin_call(&c, "ListThingPrincipals", "GET", path, NULL, NULL, &pr)) != 0) {
        cJSON_Delete(o);
        return rc;
    }
    if (cli->json) {
        cJSON_AddItemToObject(o, "principals",
                              cJSON_DetachItemFromObject(pr, "principals"));
        tl_cli_admin_print_json(o);
    } else {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "version");
        attrs_text(o, attrs, sizeof attrs);
        printf("name:       %s\narn:        %s\nversion:    %.0f\nattributes: %s\n",
               tl_cli_admin_str(o, "thingName"), tl_cli_admin_str(o, "thingArn"),
               cJSON_IsNumber(v) ? v->valuedouble : 0.0, attrs[0] ? attrs : "(none)");
        printf("principals:%s\n",
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pr, "principals")) ? ""
                                                                                    : " (none)");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(pr, "principals"))
            printf("  %s\n", cJSON_IsString(it) ? it->valuestring : "?");
    }
    cJSON_Delete(pr);
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt create_opts[] = {
    TL_CLI_ADMIN_OPTS,
    { "attributes", 0, "K=V,...", "attributes (UpdateThing: add to the existing ones with --merge)" },
    { "merge", 0, NULL, "update: keep the attributes not named (an empty value removes one)" },
    { "expected-version", 0, "N", "update, delete: only if the thing is at this version" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help create_help = {
    "NAME [--attributes K=V,...]", "Create a thing (CreateThing). Creating one that exists with\n"
    "the same attributes succeeds, as on AWS.", create_opts, 0 };
static const tl_cli_help update_help = {
    "NAME --attributes K=V,... [--merge] [--expected-version N]",
    "Update a thing's attributes (UpdateThing): replace them all, or with --merge\n"
    "change only those named.", create_opts, 0 };
static const tl_cli_help delete_help = {
    "NAME [--expected-version N]", "Delete a thing (DeleteThing). Refused while certificates are\n"
    "attached; deleting a thing that does not exist succeeds, as on AWS.", create_opts, 0 };
static const tl_cli_help attach_help = {
    "NAME CERT", "Attach a certificate (its id or ARN) to a thing (AttachThingPrincipal):\n"
    "a device connecting with that certificate and client id NAME is that thing.",
    list_opts, 0 };

/* create, update, delete, attach: one request each, a line saying what
 * happened (or the API's JSON). */
static int things_change(tl_cli *cli, const char *prog, int argc, char **argv, const char *action)
{
    const int attach = strcmp(action, "AttachThingPrincipal") == 0;
    const tl_cli_help *help = attach ? &attach_help
                              : strcmp(action, "CreateThing") == 0 ? &create_help
                              : strcmp(action, "UpdateThing") == 0 ? &update_help : &delete_help;
    tl_cli_args a;
    tl_aws_client c;
    cJSON *body = NULL, *o;
    char name[512], path[640], *text = NULL, hdr[1100];
    const char *attrs, *ev, *method = "POST", *hdrs[] = { hdr, NULL };
    long version = -1;
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, help, argc, argv, attach ? 2 : 1,
                            attach ? "thing and certificate (NAME CERT)" : "thing (NAME)", &c, &rc))
        return rc;
    attrs = tl_cli_opt_value(&a, "attributes");
    ev = tl_cli_opt_value(&a, "expected-version");
    if (ev && tl_cli_parse_long(prog, "--expected-version", ev, 0, 2147483647L, &version))
        return TL_CLI_EXIT_USAGE;
    if ((rc = tl_cli_admin_escape(prog, "NAME", a.pos[0], name, sizeof name)) != 0)
        return rc;
    snprintf(path, sizeof path, "/things/%s", name);
    if (strcmp(action, "UpdateThing") == 0 && !attrs)
        return tl_cli_usage_error(prog, "which attributes? (--attributes K=V,...)");
    if (attrs && (strcmp(action, "CreateThing") == 0 || strcmp(action, "UpdateThing") == 0)) {
        cJSON *ap = attribute_payload(prog, attrs, tl_cli_opt_value(&a, "merge") != NULL);
        if (!ap)
            return TL_CLI_EXIT_USAGE;
        body = cJSON_CreateObject();
        cJSON_AddItemToObject(body, "attributePayload", ap);
    }
    if (strcmp(action, "UpdateThing") == 0) {
        method = "PATCH";
        if (version >= 0)
            cJSON_AddNumberToObject(body, "expectedVersion", (double)version);
    } else if (strcmp(action, "DeleteThing") == 0) {
        method = "DELETE";
        if (version >= 0)
            snprintf(path, sizeof path, "/things/%s?expectedVersion=%ld", name, version);
    } else if (attach) {
        method = "PUT";
        strcat(path, "/principals");
        if (strlen(a.pos[1]) > 1000)
            return tl_cli_usage_error(prog, "CERT is too long");
        snprintf(hdr, sizeof hdr, "x-amzn-principal: %s", a.pos[1]);
    } else if (!body) {
        body = cJSON_CreateObject();
    }
    text = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    rc = tl_cli_admin_call(&c, action, method, path, text, attach ? hdrs : NULL, &o);
    cJSON_free(text);
    if (rc != 0)
        return rc;
    if (cli->json)
        tl_cli_admin_print_json(o);
    else if (attach)
        printf("certificate %s attached to thing %s\n", a.pos[1], a.pos[0]);
    else
        printf("thing %s %s\n", a.pos[0],
               strcmp(action, "CreateThing") == 0 ? "created"
               : strcmp(action, "UpdateThing") == 0 ? "updated" : "deleted");
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static int things_create(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return things_change(cli, prog, argc, argv, "CreateThing");
}
static int things_update(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return things_change(cli, prog, argc, argv, "UpdateThing");
}
static int things_delete(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return things_change(cli, prog, argc, argv, "DeleteThing");
}
static int things_attach(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return things_change(cli, prog, argc, argv, "AttachThingPrincipal");
}

const tl_cli_cmd tl_cli_cloud_thing_cmds[] = {
    { "list", "list things (ListThings)", things_list, NULL },
    { "describe", "a thing and its certificates (DescribeThing)", things_describe, NULL },
    { "create", "create a thing (CreateThing)", things_create, NULL },
    { "update", "change a thing's attributes (UpdateThing)", things_update, NULL },
    { "delete", "delete a thing (DeleteThing)", things_delete, NULL },
    { "attach", "attach a certificate to a thing (AttachThingPrincipal)", things_attach, NULL },
    { NULL, NULL, NULL, NULL }
};
