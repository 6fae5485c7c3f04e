/* trustlink cloud: creating and reading the cloud directory. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/rand.h>

#include "../cloud/tl_ca.h"
#include "../cloud/tl_registry.h"
#include "../port/tl_fs.h"
#include "cloud_internal.h"

const char *tl_cli_cloud_dir_arg(const char *opt)
{
    const char *env = getenv("TRUSTLINK_CLOUD_DIR");
    if (opt && *opt)
        return opt;
    if (env && *env)
        return env;
    return TL_CLOUD_DEFAULT_DIR;
}

int tl_cli_cloud_path(char *path, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(path, cap, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Write a new file (0600) unless it exists. */
static int write_new(const char *dir, const char *name, const char *text, char *err,
                     size_t errcap)
{
    char path[TL_CLOUD_PATH_MAX];
    if (tl_cli_cloud_path(path, sizeof path, dir, name) != 0) {
        snprintf(err, errcap, "%s: path too long", dir);
        return -1;
    }
    return tl_fs_write_atomic(path, text, strlen(text), err, errcap);
}

static int exists_in(const char *dir, const char *name)
{
    char path[TL_CLOUD_PATH_MAX];
    return tl_cli_cloud_path(path, sizeof path, dir, name) == 0 && tl_fs_exists(path);
}

/* Read dir/name into a malloc'd string. */
static int read_in(const char *dir, const char *name, char **text, char *err, size_t errcap)
{
    char path[TL_CLOUD_PATH_MAX];
    if (tl_cli_cloud_path(path, sizeof path, dir, name) != 0) {
        snprintf(err, errcap, "%s: path too long", dir);
        return -1;
    }
    return tl_ca_read_file(path, text, err, errcap) == TL_CA_OK ? 0 : -1;
}

/* n characters drawn uniformly from alphabet (rejection sampling, so no
 * character is likelier than another). */
static int random_text(char *out, size_t n, const char *alphabet)
{
    size_t len = strlen(alphabet), i = 0;
    unsigned limit = 256 - 256 % (unsigned)len;
    while (i < n) {
        unsigned char b[64];
        size_t k;
        if (RAND_bytes(b, sizeof b) != 1)
            return -1;
        for (k = 0; k < sizeof b && i < n; k++)
            if (b[k] < limit)
                out[i++] = alphabet[b[k] % len];
    }
    out[n] = '\0';
    return 0;
}

/* An access key pair shaped like AWS's: AKIA + 16 base32 characters, and a
 * 40-character secret from the base64 alphabet. */
int tl_cli_cloud_new_key(char id[21], char secret[41])
{
    memcpy(id, "AKIA", 4);
    return random_text(id + 4, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != 0 ||
                   random_text(secret, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789+/") != 0
               ? -1
               : 0;
}

static int make_creds(const char *dir, char *err, size_t errcap)
{
    char id[21], secret[41], text[256];
    if (tl_cli_cloud_new_key(id, secret) != 0) {
        snprintf(err, errcap, "random number generator failed");
        return -1;
    }
    snprintf(text, sizeof text,
             "# trustlink local cloud: the API's access key (AWS shared credentials format)\n"
             "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", id, secret);
    int rc = write_new(dir, "credentials", text, err, errcap);
    memset(secret, 0, sizeof secret);
    memset(text, 0, sizeof text);
    return rc;
}

static int make_ca(const char *dir, char *err, size_t errcap)
{
    char *key = NULL, *cert = NULL;
    int rc = -1;
    if (tl_ca_create("trustlink local cloud CA", &key, &cert, err, errcap) == TL_CA_OK &&
        write_new(dir, "ca.key", key, err, errcap) == 0 &&
        write_new(dir, "ca.pem", cert, err, errcap) == 0)
        rc = 0;
    free(key);
    free(cert);
    return rc;
}

static int make_server(const char *dir, const char *endpoint, char *err, size_t errcap)
{
    char *cakey = NULL, *cacert = NULL, *key = NULL, *cert = NULL;
    int rc = -1;
    if (read_in(dir, "ca.key", &cakey, err, errcap) == 0 &&
        read_in(dir, "ca.pem", &cacert, err, errcap) == 0 &&
        tl_ca_create_server(cakey, cacert, endpoint, &key, &cert, err, errcap) == TL_CA_OK &&
        write_new(dir, "server.key", key, err, errcap) == 0 &&
        write_new(dir, "server.pem", cert, err, errcap) == 0)
        rc = 0;
    free(cakey);
    free(cacert);
    free(key);
    free(cert);
    return rc;
}

int tl_cli_cloud_init(const char *dir, const char *endpoint, char *abs, size_t abscap,
                      int *created, char *err, size_t errcap)
{
    char db[TL_CLOUD_PATH_MAX], real[PATH_MAX];
    tl_registry *reg;
    struct stat st;

    *created = 0;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errcap, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errcap, "%s is not a directory", dir);
        return -1;
    }
    if (!realpath(dir, real) || strlen(real) >= abscap || strlen(real) > TL_CLOUD_PATH_MAX - 64) {
        snprintf(err, errcap, "%s: cannot resolve the path (or it is too long)", dir);
        return -1;
    }
    strcpy(abs, real);
    /* Each piece is made only when missing: a half-made directory (a crash
     * during the first start) completes, and nothing is ever regenerated. A
     * CA key without its certificate, though, cannot be completed. */
    if (exists_in(abs, "ca.key") != exists_in(abs, "ca.pem")) {
        snprintf(err, errcap, "%s: ca.key and ca.pem must both exist or both be absent", abs);
        return -1;
    }
    if (!exists_in(abs, "ca.pem")) {
        if (make_ca(abs, err, errcap) != 0)
            return -1;
        *created = 1;
    }
    if (!exists_in(abs, "server.key") || !exists_in(abs, "server.pem")) {
        tl_cli_cloud_state state;
        tl_cli_cloud_read_state(abs, &state);
        snprintf(state.endpoint, sizeof state.endpoint, "%s", endpoint);
        /* cloud.state remembers which name the certificate carries. */
        if (make_server(abs, endpoint, err, errcap) != 0 ||
            tl_cli_cloud_write_state(abs, &state, err, errcap) != 0)
            return -1;
    }
    if (!exists_in(abs, "credentials") && make_creds(abs, err, errcap) != 0)
        return -1;
    if (tl_cli_cloud_path(db, sizeof db, abs, "registry.db") != 0 ||
        tl_registry_open(&reg, db, err, errcap) != TL_REG_OK)
        return -1;
    tl_registry_close(reg);
    return 0;
}

/* The value of `key = value` in an ini-style text, or "" */
static void ini_value(const char *text, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    const char *line = text;
    out[0] = '\0';
    while (line && *line) {
        const char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, key, kl) == 0) {
            p += kl;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p == '=') {
                size_t n = 0;
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                while (p[n] && p[n] != '\n' && p[n] != '\r' && p[n] != ' ')
                    n++;
                if (n < cap) {
                    memcpy(out, p, n);
                    out[n] = '\0';
                }
                return;
            }
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
}

int tl_cli_cloud_read_creds(const char *dir, char *key_id, size_t idcap, char *secret,
                            size_t secretcap, char *err, size_t errcap)
{
    char *text;
    if (read_in(dir, "credentials", &text, err, errcap) != 0)
        return -1;
    ini_value(text, "aws_access_key_id", key_id, idcap);
    ini_value(text, "aws_secret_access_key", secret, secretcap);
    free(text);
    if (!key_id[0] || !secret[0]) {
        snprintf(err, errcap, "%s/credentials: no aws_access_key_id / aws_secret_access_key", dir);
        return -1;
    }
    return 0;
}

int tl_cli_cloud_write_state(const char *dir, const tl_cli_cloud_state *s, char *err,
                             size_t errcap)
{
    char text[512];
    snprintf(text, sizeof text, "mqtt_port = %u\napi_port = %u\nendpoint = %s\n", s->mqtt_port,
             s->api_port, s->endpoint);
    return write_new(dir, "cloud.state", text, err, errcap);
}

void tl_cli_cloud_read_state(const char *dir, tl_cli_cloud_state *s)
{
    char *text, err[256], v[254];
    s->mqtt_port = TL_CLOUD_DEFAULT_MQTT;
    s->api_port = TL_CLOUD_DEFAULT_API;
    snprintf(s->endpoint, sizeof s->endpoint, "localhost");
    if (read_in(dir, "cloud.state", &text, err, sizeof err) != 0)
        return;
    ini_value(text, "mqtt_port", v, sizeof v);
    if (atoi(v) > 0 && atoi(v) <= 65535)
        s->mqtt_port = (unsigned)atoi(v);
    ini_value(text, "api_port", v, sizeof v);
    if (atoi(v) > 0 && atoi(v) <= 65535)
        s->api_port = (unsigned)atoi(v);
    ini_value(text, "endpoint", v, sizeof v);
    if (v[0])
        snprintf(s->endpoint, sizeof s->endpoint, "%s", v);
    free(text);
}
