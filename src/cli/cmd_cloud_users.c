/*
 * trustlink cloud users add|list|remove: the API's users, kept in the cloud
 * directory's credentials file (format and rules: src/cloud/tl_api_iam.h).
 * Every change is checked by parsing the whole new file as the API will,
 * written atomically under a lock (credentials.lock) so that two concurrent
 * adds cannot lose one, and picked up by a running API before its next
 * request. Secrets go to stdout once, on add, and nowhere else.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../cloud/tl_api_iam.h"
#include "../cloud/tl_ca.h"
#include "../port/tl_fs.h"
#include "cloud_internal.h"
#include "tl_cli.h"

#define ERRCAP 1024

static const tl_cli_opt add_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { "allow", 0, "ACTION[,ACTION...]",
      "IAM actions the user may perform; * and ? wildcards (iot:Describe*, iot:*)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help add_help = {
    "NAME --allow ACTION[,ACTION...] [--dir DIR]",
    "Add an API user allowed only the given actions, and print its key pair as\n"
    "`export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...` (with --json, as\n"
    "JSON). The secret is shown this once. A running cloud's API uses the new user\n"
    "from its next request. A denied call is answered like AWS: 403\n"
    "AccessDeniedException naming the action. Actions: iot:CreateThing,\n"
    "DescribeThing, UpdateThing, DeleteThing, ListThings, CreateCertificateFromCsr,\n"
    "CreateKeysAndCertificate, DescribeCertificate, UpdateCertificate,\n"
    "DeleteCertificate, ListCertificates, CreatePolicy, GetPolicy, DeletePolicy,\n"
    "ListPolicies, AttachPolicy, DetachPolicy, AttachThingPrincipal,\n"
    "DetachThingPrincipal, ListThingPrincipals, DescribeEndpoint, GetThingShadow,\n"
    "UpdateThingShadow, DeleteThingShadow (each with the iot: prefix).",
    add_opts, 0 };

static const tl_cli_opt dir_opts[] = {
    { "dir", 0, "DIR", "cloud directory (default $TRUSTLINK_CLOUD_DIR, else ./trustlink-cloud)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help list_help = {
    "[--dir DIR] [--json]",
    "List the API's users: name, access key id and allowed actions (the first,\n"
    "the admin, is allowed everything). Secrets are never shown.",
    dir_opts, 0 };

static const tl_cli_help remove_help = {
    "NAME [--dir DIR]",
    "Remove an API user; a running cloud's API refuses its key from the next\n"
    "request on (UnrecognizedClientException). The admin cannot be removed.",
    dir_opts, 0 };

/* The credentials file, locked while we read and replace it. */
typedef struct {
    char path[TL_CLOUD_PATH_MAX];
    int lock;
    char *text;
    tl_api_users users;
} creds_file;

static int open_creds(creds_file *f, const char *dir, char *err, size_t errcap)
{
    char lockp[TL_CLOUD_PATH_MAX], why[ERRCAP / 2];
    memset(f, 0, sizeof *f);
    f->lock = -1;
    if (tl_cli_cloud_path(f->path, sizeof f->path, dir, "credentials") != 0 ||
        tl_cli_cloud_path(lockp, sizeof lockp, dir, "credentials.lock") != 0)
        return snprintf(err, errcap, "%s: path too long", dir), -1;
    if (!tl_fs_exists(f->path))
        return snprintf(err, errcap, "%s: no cloud here (run 'trustlink cloud init --dir %s')",
                        dir, dir), -1;
    f->lock = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f->lock < 0 || flock(f->lock, LOCK_EX) != 0)
        return snprintf(err, errcap, "%.300s: cannot lock it", lockp), -1;
    if (tl_ca_read_file(f->path, &f->text, why, sizeof why) != TL_CA_OK)
        return snprintf(err, errcap, "%s", why), -1;
    if (tl_api_users_parse(f->text, &f->users, why, sizeof why) != 0)
        return snprintf(err, errcap, "%.300s: %s (fix the file first)", f->path, why), -1;
    return 0;
}

static void close_creds(creds_file *f)
{
    tl_api_users_free(&f->users);
    if (f->text) {
        memset(f->text, 0, strlen(f->text));
        free(f->text);
    }
    if (f->lock >= 0)
        close(f->lock);
    f->lock = -1;
    f->text = NULL;
}

/* Check text as the API will read it, then replace the file with it. */
static int replace_creds(creds_file *f, const char *text, char *err, size_t errcap)
{
    tl_api_users check;
    char why[ERRCAP / 2];
    if (tl_api_users_parse(text, &check, why, sizeof why) != 0)
        return snprintf(err, errcap, "the new credentials file would not parse: %s", why), -1;
    tl_api_users_free(&check);
    return tl_fs_write_atomic(f->path, text, strlen(text), err, errcap);
}

/* The allow list checked pattern by pattern, for a message naming the bad one. */
static int check_allow(const char *prog, const char *allow)
{
    char one[128], why[300];
    const char *p = allow;
    if (!*allow)
        return tl_cli_usage_error(prog, "--allow needs at least one action");
    while (*p) {
        size_t n = strcspn(p, ",");
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n == 0 || n >= sizeof one)
            return tl_cli_usage_error(prog, "--allow: %s", n ? "an action is too long"
                                                             : "an empty action in the list");
        memcpy(one, p, n);
        one[n] = '\0';
        if (!tl_api_iam_valid_pattern(one, why, sizeof why))
            return tl_cli_usage_error(prog, "--allow: %s", why);
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
    return 0;
}

static int cmd_add(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    creds_file f;
    char err[ERRCAP], id[21], secret[41];
    int r = tl_cli_parse(cli, &a, prog, &add_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos != 1)
        return tl_cli_usage_error(prog, a.npos ? "one user name only" : "which user? (NAME)");
    const char *name = a.pos[0], *allow = tl_cli_opt_value(&a, "allow");
    if (!tl_api_iam_valid_name(name))
        return tl_cli_usage_error(prog, "user name '%.80s' must be 1-64 of A-Z a-z 0-9 +=,.@_-",
                                  name);
    if (!allow)
        return tl_cli_usage_error(prog, "which actions? (--allow ACTION[,ACTION...])");
    if ((r = check_allow(prog, allow)) != 0)
        return r;
    if (open_creds(&f, tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir")), err, sizeof err)) {
        close_creds(&f);
        return tl_cli_fail("%s", err);
    }
    for (size_t i = 0; i < f.users.n; i++)
        if (strcmp(f.users.v[i].name, name) == 0) {
            close_creds(&f);
            return tl_cli_fail("user %s exists (remove it first to give it a new key)", name);
        }
    if (tl_cli_cloud_new_key(id, secret) != 0) {
        close_creds(&f);
        return tl_cli_fail("random number generator failed");
    }
    size_t len = strlen(f.text), cap = len + strlen(name) + strlen(allow) + 256;
    char *text = malloc(cap);
    r = TL_CLI_EXIT_FAIL;
    if (!text) {
        tl_cli_fail("out of memory");
    } else {
        snprintf(text, cap, "%s%s\n[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                 "trustlink_allow = %s\n", f.text, len && f.text[len - 1] != '\n' ? "\n" : "",
                 name, id, secret, allow);
        if (replace_creds(&f, text, err, sizeof err) != 0) {
            tl_cli_fail("%s", err);
        } else {
            if (cli->json) {
                printf("{");
                tl_cli_cloud_json_str("userName", name, ", ");
                tl_cli_cloud_json_str("accessKeyId", id, ", ");
                tl_cli_cloud_json_str("secretAccessKey", secret, ", ");
                tl_cli_cloud_json_str("allow", allow, "}\n");
            } else {
                printf("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", id, secret);
                fprintf(stderr, "trustlink: user %s added (key %s), allowed %s\n", name, id,
                        allow);
            }
            r = TL_CLI_EXIT_OK;
        }
        memset(text, 0, cap);
        free(text);
    }
    memset(secret, 0, sizeof secret);
    close_creds(&f);
    return r;
}

static int cmd_list(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    creds_file f;
    char err[ERRCAP];
    int r = tl_cli_parse(cli, &a, prog, &list_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if (open_creds(&f, tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir")), err, sizeof err)) {
        close_creds(&f);
        return tl_cli_fail("%s", err);
    }
    if (cli->json)
        printf("[");
    for (size_t i = 0; i < f.users.n; i++) {
        const tl_api_user *u = &f.users.v[i];
        if (cli->json) {
            printf("%s{", i ? ", " : "");
            tl_cli_cloud_json_str("userName", u->name, ", ");
            tl_cli_cloud_json_str("accessKeyId", u->key_id, ", ");
            printf("\"admin\": %s, ", u->admin ? "true" : "false");
            tl_cli_cloud_json_str("allow", u->allow, "}");
        } else {
            printf("%-20s %-22s %s\n", u->name, u->key_id,
                   u->admin ? "* (admin)" : u->allow);
        }
    }
    if (cli->json)
        printf("]\n");
    close_creds(&f);
    return TL_CLI_EXIT_OK;
}

/* text without the section [name] (its header to the next header). */
static void drop_section(const char *text, const char *name, char *out)
{
    int skipping = 0;
    while (*text) {
        size_t n = strcspn(text, "\n") + (text[strcspn(text, "\n")] == '\n');
        const char *p = text;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '[') {
            size_t k = strlen(name);
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            const char *q = p + k;
            while (*q == ' ' || *q == '\t')
                q++;
            skipping = strncmp(p, name, k) == 0 && *q == ']';
        }
        if (!skipping) {
            memcpy(out, text, n);
            out += n;
        }
        text += n;
    }
    *out = '\0';
}

static int cmd_remove(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    creds_file f;
    char err[ERRCAP];
    int r = tl_cli_parse(cli, &a, prog, &remove_help, argc, argv);
    if (r)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if (a.npos != 1)
        return tl_cli_usage_error(prog, a.npos ? "one user name only" : "which user? (NAME)");
    if (open_creds(&f, tl_cli_cloud_dir_arg(tl_cli_opt_value(&a, "dir")), err, sizeof err)) {
        close_creds(&f);
        return tl_cli_fail("%s", err);
    }
    const tl_api_user *u = NULL;
    for (size_t i = 0; i < f.users.n; i++)
        if (strcmp(f.users.v[i].name, a.pos[0]) == 0)
            u = &f.users.v[i];
    r = TL_CLI_EXIT_FAIL;
    char *text = malloc(strlen(f.text) + 1);
    if (!u)
        tl_cli_fail("no user %.80s (see 'trustlink cloud users list')", a.pos[0]);
    else if (u->admin)
        tl_cli_fail("%s is the admin (the first key of %s); it cannot be removed", u->name, f.path);
    else if (!text)
        tl_cli_fail("out of memory");
    else {
        drop_section(f.text, u->name, text);
        if (replace_creds(&f, text, err, sizeof err) != 0) {
            tl_cli_fail("%s", err);
        } else {
            if (cli->json)
                printf("{\"removed\": true}\n");
            else
                fprintf(stderr, "trustlink: user %s removed\n", u->name);
            r = TL_CLI_EXIT_OK;
        }
    }
    if (text) {
        memset(text, 0, strlen(text));
        free(text);
    }
    close_creds(&f);
    return r;
}

const tl_cli_cmd tl_cli_cloud_user_cmds[] = {
    { "add", "add an API user allowed some actions; prints its key pair", cmd_add, NULL },
    { "list", "list the API's users and what they may do (no secrets)", cmd_list, NULL },
    { "remove", "remove an API user", cmd_remove, NULL },
    { NULL, NULL, NULL, NULL }
};
