/* trustlink cloud certs ..., policies ... and revoke: certificates and
 * policies through the control-plane API (helpers in cmd_cloud_admin.c). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_admin.h"

#define POLICY_DOC_MAX (20 * 1024)

static const tl_cli_opt common_opts[] = { TL_CLI_ADMIN_OPTS, { NULL, 0, NULL, NULL } };

/* A certificate id or ARN, as the last path segment of /certificates/ID. */
static int cert_path(const char *prog, const char *cert, char *path, size_t cap)
{
    const char *slash = strrchr(cert, '/');
    char id[200];
    int rc;
    if (strncmp(cert, "arn:", 4) == 0 && slash)
        cert = slash + 1;   /* arn:aws:iot:REGION:ACCOUNT:cert/ID */
    if ((rc = tl_cli_admin_escape(prog, "CERT", cert, id, sizeof id)) != 0)
        return rc;
    snprintf(path, cap, "/certificates/%s", id);
    return 0;
}

static const tl_cli_help certs_list_help = {
    "[--json]", "List every certificate (ListCertificates, all pages): id, status, creation\n"
    "date.", common_opts, 0 };

static int certs_list(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *it;
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, &certs_list_help, argc, argv, 0, NULL, &c, &rc))
        return rc;
    if ((rc = tl_cli_admin_list(&c, "ListCertificates", "/certificates?pageSize=250",
                                "certificates", "marker", "nextMarker", &o)) != 0)
        return rc;
    if (cli->json) {
        tl_cli_admin_print_json(o);
    } else {
        printf("%-64s  %-16s  %s\n", "CERTIFICATE ID", "STATUS", "CREATED");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "certificates")) {
            char t[40];
            printf("%-64s  %-16s  %s\n", tl_cli_admin_str(it, "certificateId"),
                   tl_cli_admin_str(it, "status"),
                   tl_cli_admin_time(it, "creationDate", t, sizeof t));
        }
    }
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt describe_opts[] = {
    TL_CLI_ADMIN_OPTS,
    { "pem", 0, NULL, "print only the certificate (PEM)" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help certs_describe_help = {
    "CERT [--pem] [--json]", "Describe a certificate (DescribeCertificate); CERT is its id or ARN.",
    describe_opts, 0 };

static int certs_describe(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *d, *v;
    char path[300], t1[40], t2[40], t3[40], t4[40];
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, &certs_describe_help, argc, argv, 1,
                            "certificate (CERT)", &c, &rc))
        return rc;
    if ((rc = cert_path(prog, a.pos[0], path, sizeof path)) != 0)
        return rc;
    if ((rc = tl_cli_admin_call(&c, "DescribeCertificate", "GET", path, NULL, NULL, &o)) != 0)
        return rc;
    d = cJSON_GetObjectItemCaseSensitive(o, "certificateDescription");
    v = cJSON_GetObjectItemCaseSensitive(d, "validity");
    if (cli->json)
        tl_cli_admin_print_json(o);
    else if (tl_cli_opt_value(&a, "pem"))
        fputs(tl_cli_admin_str(d, "certificatePem"), stdout);
    else
        printf("id:        %s\narn:       %s\nstatus:    %s\ncreated:   %s\nmodified:  %s\n"
               "valid:     %s to %s\n",
               tl_cli_admin_str(d, "certificateId"), tl_cli_admin_str(d, "certificateArn"),
               tl_cli_admin_str(d, "status"), tl_cli_admin_time(d, "creationDate", t1, sizeof t1),
               tl_cli_admin_time(d, "lastModifiedDate", t2, sizeof t2),
               tl_cli_admin_time(v, "notBefore", t3, sizeof t3),
               tl_cli_admin_time(v, "notAfter", t4, sizeof t4));
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt update_opts[] = {
    TL_CLI_ADMIN_OPTS,
    { "new-status", 0, "STATUS", "ACTIVE, INACTIVE or REVOKED" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help certs_update_help = {
    "CERT --new-status ACTIVE|INACTIVE|REVOKED",
    "Change a certificate's status (UpdateCertificate). Devices connected with a\n"
    "certificate that stops being ACTIVE are disconnected by the local cloud's\n"
    "broker within a second; REVOKED cannot be undone.", update_opts, 0 };
static const tl_cli_help revoke_help = {
    "CERT", "Revoke a certificate (UpdateCertificate --new-status REVOKED): the broker\n"
    "disconnects the devices connected with it within a second and refuses them\n"
    "from then on. It cannot be undone.", common_opts, 0 };

static int set_status(tl_cli *cli, const char *prog, int argc, char **argv, int revoke)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o;
    char path[360];
    const char *st = "REVOKED";
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, revoke ? &revoke_help : &certs_update_help, argc,
                            argv, 1, "certificate (CERT)", &c, &rc))
        return rc;
    if (!revoke) {
        st = tl_cli_opt_value(&a, "new-status");
        if (!st || (strcmp(st, "ACTIVE") != 0 && strcmp(st, "INACTIVE") != 0 &&
                    strcmp(st, "REVOKED") != 0))
            return tl_cli_usage_error(prog, "--new-status must be ACTIVE, INACTIVE or REVOKED");
    }
    if ((rc = cert_path(prog, a.pos[0], path, sizeof path)) != 0)
        return rc;
    snprintf(path + strlen(path), sizeof path - strlen(path), "?newStatus=%s", st);
    if ((rc = tl_cli_admin_call(&c, "UpdateCertificate", "PUT", path, NULL, NULL, &o)) != 0)
        return rc;
    if (cli->json)
        tl_cli_admin_print_json(o);
    else if (strcmp(st, "ACTIVE") == 0)
        printf("certificate %s is ACTIVE\n", a.pos[0]);
    else
        printf("certificate %s is %s: devices connected with it are disconnected within a "
               "second and refused from now on\n", a.pos[0], st);
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static int certs_update(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return set_status(cli, prog, argc, argv, 0);
}

int tl_cli_cloud_cmd_revoke(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return set_status(cli, prog, argc, argv, 1);
}

const tl_cli_cmd tl_cli_cloud_cert_cmds[] = {
    { "list", "list certificates (ListCertificates)", certs_list, NULL },
    { "describe", "a certificate's status, dates, PEM (DescribeCertificate)", certs_describe, NULL },
    { "update", "set ACTIVE, INACTIVE or REVOKED (UpdateCertificate)", certs_update, NULL },
    { NULL, NULL, NULL, NULL }
};

/* --- policies ------------------------------------------------------------- */

static const tl_cli_help pol_list_help = {
    "[--json]", "List every policy (ListPolicies, all pages).", common_opts, 0 };

static int pol_list(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *it;
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, &pol_list_help, argc, argv, 0, NULL, &c, &rc))
        return rc;
    if ((rc = tl_cli_admin_list(&c, "ListPolicies", "/policies?pageSize=250", "policies",
                                "marker", "nextMarker", &o)) != 0)
        return rc;
    if (cli->json) {
        tl_cli_admin_print_json(o);
    } else {
        printf("NAME\n");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "policies"))
            printf("%s\n", tl_cli_admin_str(it, "policyName"));
    }
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_help pol_get_help = {
    "NAME [--json]", "A policy's document and version (GetPolicy).", common_opts, 0 };

static int pol_get(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *doc;
    char name[512], path[600], t[40];
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, &pol_get_help, argc, argv, 1, "policy (NAME)", &c, &rc))
        return rc;
    if ((rc = tl_cli_admin_escape(prog, "NAME", a.pos[0], name, sizeof name)) != 0)
        return rc;
    snprintf(path, sizeof path, "/policies/%s", name);
    if ((rc = tl_cli_admin_call(&c, "GetPolicy", "GET", path, NULL, NULL, &o)) != 0)
        return rc;
    if (cli->json) {
        tl_cli_admin_print_json(o);
    } else {
        printf("name:     %s\narn:      %s\nversion:  %s\nmodified: %s\ndocument:\n",
               tl_cli_admin_str(o, "policyName"), tl_cli_admin_str(o, "policyArn"),
               tl_cli_admin_str(o, "defaultVersionId"),
               tl_cli_admin_time(o, "lastModifiedDate", t, sizeof t));
        doc = cJSON_Parse(tl_cli_admin_str(o, "policyDocument"));
        if (doc)
            tl_cli_admin_print_json(doc);
        else
            printf("%s\n", tl_cli_admin_str(o, "policyDocument"));
        cJSON_Delete(doc);
    }
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

/* The document file, up to the API's limit; NULL with err. */
static char *read_doc(const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(POLICY_DOC_MAX + 2);
    size_t n = 0;
    if (!f || !buf) {
        snprintf(err, errcap, "%s: %s", path, f ? "out of memory" : strerror(errno));
        goto fail;
    }
    n = fread(buf, 1, POLICY_DOC_MAX + 1, f);
    if (ferror(f)) {
        snprintf(err, errcap, "%s: read error", path);
        goto fail;
    }
    if (n > POLICY_DOC_MAX) {
        snprintf(err, errcap, "%s: larger than %d bytes, the most a policy may have", path,
                 POLICY_DOC_MAX);
        goto fail;
    }
    buf[n] = '\0';
    fclose(f);
    return buf;
fail:
    if (f)
        fclose(f);
    free(buf);
    return NULL;
}

static const tl_cli_opt pol_create_opts[] = {
    TL_CLI_ADMIN_OPTS,
    { "document", 0, "FILE|JSON", "the policy document: a file (file://FILE too) or inline JSON" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help pol_create_help = {
    "NAME --document FILE|JSON", "Create a policy (CreatePolicy). The API checks the document and\n"
    "answers MalformedPolicyException with the reason when it is not valid.",
    pol_create_opts, 0 };

static int pol_create(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *body;
    char name[512], path[600], err[300], *doc = NULL, *text;
    const char *src;
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, &pol_create_help, argc, argv, 1, "policy (NAME)", &c,
                            &rc))
        return rc;
    src = tl_cli_opt_value(&a, "document");
    if (!src || !*src)
        return tl_cli_usage_error(prog, "which document? (--document FILE|JSON)");
    if ((rc = tl_cli_admin_escape(prog, "NAME", a.pos[0], name, sizeof name)) != 0)
        return rc;
    if (strncmp(src, "file://", 7) == 0)
        src += 7;
    else if (src[strspn(src, " \t\r\n")] == '{')
        doc = strdup(src);
    if (!doc && !(doc = read_doc(src, err, sizeof err)))
        return tl_cli_fail("--document %s", err);
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "policyDocument", doc ? doc : "");
    text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    free(doc);
    snprintf(path, sizeof path, "/policies/%s", name);
    rc = tl_cli_admin_call(&c, "CreatePolicy", "POST", path, text, NULL, &o);
    cJSON_free(text);
    if (rc != 0)
        return rc;
    if (cli->json)
        tl_cli_admin_print_json(o);
    else
        printf("policy %s created (%s)\n", a.pos[0], tl_cli_admin_str(o, "policyArn"));
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static const tl_cli_opt pol_attach_opts[] = {
    TL_CLI_ADMIN_OPTS,
    { "target", 0, "CERT", "the certificate (ARN or id)" },
    { NULL, 0, NULL, NULL }
};
static const tl_cli_help pol_attach_help = {
    "NAME --target CERT", "Attach a policy to a certificate (AttachPolicy). Connected devices\n"
    "get the new rights within a second.", pol_attach_opts, 0 };
static const tl_cli_help pol_detach_help = {
    "NAME --target CERT", "Detach a policy from a certificate (DetachPolicy). Connected devices\n"
    "lose its rights within a second.", pol_attach_opts, 0 };

static int pol_target(tl_cli *cli, const char *prog, int argc, char **argv, int attach)
{
    tl_cli_args a;
    tl_aws_client c;
    cJSON *o, *body;
    char name[512], path[600], *text;
    const char *target;
    int rc;
    if (!tl_cli_admin_begin(cli, &a, prog, attach ? &pol_attach_help : &pol_detach_help, argc,
                            argv, 1, "policy (NAME)", &c, &rc))
        return rc;
    target = tl_cli_opt_value(&a, "target");
    if (!target || !*target)
        return tl_cli_usage_error(prog, "which certificate? (--target CERT)");
    if ((rc = tl_cli_admin_escape(prog, "NAME", a.pos[0], name, sizeof name)) != 0)
        return rc;
    body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "target", target);
    text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    snprintf(path, sizeof path, "/target-policies/%s", name);
    /* AWS's routes: PUT attaches, POST detaches. */
    rc = tl_cli_admin_call(&c, attach ? "AttachPolicy" : "DetachPolicy", attach ? "PUT" : "POST",
                           path, text, NULL, &o);
    cJSON_free(text);
    if (rc != 0)
        return rc;
    if (cli->json)
        tl_cli_admin_print_json(o);
    else
        printf("policy %s %s %s\n", a.pos[0], attach ? "attached to" : "detached from", target);
    cJSON_Delete(o);
    return TL_CLI_EXIT_OK;
}

static int pol_attach(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return pol_target(cli, prog, argc, argv, 1);
}
static int pol_detach(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return pol_target(cli, prog, argc, argv, 0);
}

const tl_cli_cmd tl_cli_cloud_policy_cmds[] = {
    { "list", "list policies (ListPolicies)", pol_list, NULL },
    { "get", "a policy's document (GetPolicy)", pol_get, NULL },
    { "create", "create a policy (CreatePolicy)", pol_create, NULL },
    { "attach", "attach a policy to a certificate (AttachPolicy)", pol_attach, NULL },
    { "detach", "detach a policy from a certificate (DetachPolicy)", pol_detach, NULL },
    { NULL, NULL, NULL, NULL }
};
