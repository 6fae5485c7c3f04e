/* tl_api: who is calling (SigV4 with the key the request names) and whether
 * it may (tl_api_iam); the credentials file is re-read when it changes. */
#define _DEFAULT_SOURCE
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tl_api_internal.h"
#include "tl_ca.h"

#define MAX_PAIRS 64

static const char *const services[] = { "iot", "iotdata", NULL };

typedef struct {
    tl_sigv4_header v[MAX_PAIRS];
    size_t n;
} pairs;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    pairs *p = cls;
    (void)kind;
    if (p->n < MAX_PAIRS)
        p->v[p->n++] = (tl_sigv4_header){ key, value ? value : "" };
    return MHD_YES;
}

static int file_id(const char *path, unsigned long long *ino, unsigned long long *size,
                   long long *mtime_ns)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    *ino = (unsigned long long)st.st_ino;
    *size = (unsigned long long)st.st_size;
    *mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    return 0;
}

static int load(tl_api *api, tl_api_users *out, char *err, size_t errcap)
{
    char *text = NULL, why[512];
    if (tl_ca_read_file(api->creds_path, &text, why, sizeof why) != TL_CA_OK) {
        snprintf(err, errcap, "%s", why);
        return -1;
    }
    int rc = tl_api_users_parse(text, out, why, sizeof why);
    if (rc != 0)
        snprintf(err, errcap, "%s: %s", api->creds_path, why);
    memset(text, 0, strlen(text));
    free(text);
    return rc;
}

int tl_api__users_init(tl_api *api, const tl_api_config *cfg, char *err, size_t errcap)
{
    if (cfg->credentials_path) {
        api->creds_path = strdup(cfg->credentials_path);
        if (!api->creds_path)
            return snprintf(err, errcap, "out of memory"), -1;
        if (file_id(api->creds_path, &api->creds_ino, &api->creds_size,
                    &api->creds_mtime_ns) != 0)
            return snprintf(err, errcap, "%s: cannot read it", api->creds_path), -1;
        return load(api, &api->users, err, errcap);
    }
    if (!cfg->key_id || !*cfg->key_id || !cfg->secret || !*cfg->secret)
        return snprintf(err, errcap, "no access key configured"), -1;
    char text[600];
    snprintf(text, sizeof text, "[admin]\naws_access_key_id=%.255s\naws_secret_access_key=%.255s\n",
             cfg->key_id, cfg->secret);
    int rc = tl_api_users_parse(text, &api->users, err, errcap);
    memset(text, 0, sizeof text);
    return rc;
}

/* Re-read the credentials file if it changed since it was last read. A file
 * that does not parse leaves the users as they were, said once per change. */
static void refresh(tl_api *api)
{
    unsigned long long ino, size;
    long long mtime;
    char err[600];
    if (!api->creds_path)
        return;
    if (file_id(api->creds_path, &ino, &size, &mtime) != 0) {
        if (api->creds_ino || api->creds_size) {
            fprintf(stderr, "api: %s is gone; keeping the users read before\n", api->creds_path);
            api->creds_ino = api->creds_size = 0;
        }
        return;
    }
    if (ino == api->creds_ino && size == api->creds_size && mtime == api->creds_mtime_ns)
        return;
    api->creds_ino = ino;
    api->creds_size = size;
    api->creds_mtime_ns = mtime;
    tl_api_users fresh;
    if (load(api, &fresh, err, sizeof err) != 0) {
        fprintf(stderr, "api: %s; keeping the users read before\n", err);
        return;
    }
    tl_api_users_free(&api->users);
    api->users = fresh;
    fprintf(stderr, "api: credentials re-read: %zu user%s\n", fresh.n, fresh.n == 1 ? "" : "s");
}

/* The access key id in "AWS4-HMAC-SHA256 Credential=AKID/date/...". */
static void credential_key(const char *auth, char *out, size_t cap)
{
    const char *p = auth ? strstr(auth, "Credential=") : NULL;
    out[0] = '\0';
    if (!p)
        return;
    p += strlen("Credential=");
    size_t n = strcspn(p, "/, ");
    if (n < cap) {
        memcpy(out, p, n);
        out[n] = '\0';
    }
}

const tl_api_user *tl_api__authenticate(tl_api_req *r)
{
    tl_api *api = r->api;
    pairs h = { .n = 0 }, q = { .n = 0 };
    char kid[160], msg[512];
    refresh(api);
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect, &h);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, &q);
    credential_key(tl_api__header(r, "Authorization"), kid, sizeof kid);
    /* An unknown key is checked against the admin's, so that tl_sigv4 answers
     * it exactly as it always did (UnrecognizedClientException). */
    const tl_api_user *u = tl_api_users_find(&api->users, kid);
    if (!u)
        u = &api->users.v[0];
    tl_sigv4_request sr = { r->method, r->path, q.v, q.n, h.v, h.n,
                            (const unsigned char *)r->body, r->body_len };
    tl_sigv4_key key = { u->key_id, u->secret, services };
    tl_sigv4_status st = tl_sigv4_verify(&sr, &key, (long long)time(NULL), msg, sizeof msg);
    if (st != TL_SIGV4_OK) {
        tl_api__error(r, 403, tl_sigv4_error_name(st), "%s", msg);
        return NULL;
    }
    return u;
}

int tl_api__authorize(tl_api_req *r, const tl_api_user *u)
{
    char action[64], arn[1024];
    if (u->admin)
        return 0;
    if (tl_api_iam_operation(r->method, r->path, r->body, r->body_len, r->api->region,
                             r->api->account, action, sizeof action, arn, sizeof arn) != 0) {
        /* Fail closed: a route without a table entry is nobody's but the
         * admin's, rather than open to every user. */
        tl_api__error(r, 403, "AccessDeniedException",
                      "User: arn:aws:iam::%s:user/%s is not authorized to perform: %.16s %.200s "
                      "(no IAM action is known for it; only the admin may call it)",
                      r->api->account, u->name, r->method, r->path);
        return -1;
    }
    if (tl_api_iam_allows(u->allow, action))
        return 0;
    /* AWS's wording. The AWS IoT developer guide, "Troubleshooting AWS IoT
     * identity and access" (security_iam_troubleshoot.html): "User:
     * arn:aws:iam::123456789012:user/mateojackson is not authorized to
     * perform: iot:DescribeThing on resource: MyIoTThing"; services now end
     * it with the reason, e.g. "... is not authorized to perform:
     * iot:RegisterCertificateWithoutCA on resource: * because no
     * identity-based policy allows the iot:RegisterCertificateWithoutCA
     * action" (github.com/aws/aws-connected-device-framework/issues/36). The
     * resource is the ARN of "How AWS IoT works with IAM". */
    tl_api__error(r, 403, "AccessDeniedException",
                  "User: arn:aws:iam::%s:user/%s is not authorized to perform: %s on resource: "
                  "%s because no identity-based policy allows the %s action",
                  r->api->account, u->name, action, arn, action);
    return -1;
}
