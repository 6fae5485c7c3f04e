/*
 * reg_tool: set up registry state for the plugin tests, through tl_registry
 * (the control-plane API will do the same through HTTP).
 *   reg_tool DB cert-add CERT.pem [ACTIVE|INACTIVE]   prints the certificate id
 *   reg_tool DB cert-status ID STATUS
 *   reg_tool DB thing-add NAME
 *   reg_tool DB thing-attach NAME CERT_ID
 *   reg_tool DB policy-add NAME DOC.json
 *   reg_tool DB policy-attach NAME CERT_ID
 *   reg_tool DB policy-detach NAME CERT_ID
 *   reg_tool DB shadow-get THING [SHADOW]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cloud/tl_registry.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static int cert_id(const char *pem, char id[65])
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    unsigned char *der = NULL, md[32];
    unsigned int mdlen = 0, i;
    int len = x ? i2d_X509(x, &der) : -1;
    BIO_free(b);
    X509_free(x);
    if (len <= 0 || !EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL)) {
        OPENSSL_free(der);
        return -1;
    }
    OPENSSL_free(der);
    for (i = 0; i < 32; i++)
        snprintf(id + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static int check(tl_registry *r, tl_registry_status st, const char *what)
{
    if (st == TL_REG_OK)
        return 0;
    fprintf(stderr, "reg_tool: %s: %s: %s\n", what, tl_registry_error_name(st),
            tl_registry_message(r));
    return 1;
}

int main(int argc, char **argv)
{
    tl_registry *r;
    char err[256], id[65];
    const char *cmd;
    int rc = 2;
    if (argc < 4) {
        fprintf(stderr, "usage: reg_tool DB COMMAND ARGS...\n");
        return 2;
    }
    if (tl_registry_open(&r, argv[1], err, sizeof err) != TL_REG_OK) {
        fprintf(stderr, "reg_tool: %s\n", err);
        return 1;
    }
    cmd = argv[2];
    if (strcmp(cmd, "cert-add") == 0) {
        char *pem = slurp(argv[3]);
        int status = argc > 4 ? tl_registry_cert_status_parse(argv[4]) : TL_CERT_ACTIVE;
        if (!pem || cert_id(pem, id) != 0 || status < 0) {
            fprintf(stderr, "reg_tool: bad certificate or status\n");
            rc = 1;
        } else if (!(rc = check(r, tl_registry_cert_create(r, id, pem, status), cmd))) {
            printf("%s\n", id);
        }
        free(pem);
    } else if (strcmp(cmd, "cert-status") == 0 && argc == 5) {
        rc = check(r, tl_registry_cert_update_status(r, argv[3],
                   tl_registry_cert_status_parse(argv[4])), cmd);
    } else if (strcmp(cmd, "thing-add") == 0) {
        rc = check(r, tl_registry_thing_create(r, argv[3], NULL), cmd);
    } else if (strcmp(cmd, "thing-attach") == 0 && argc == 5) {
        rc = check(r, tl_registry_thing_attach(r, argv[3], argv[4]), cmd);
    } else if (strcmp(cmd, "policy-add") == 0 && argc == 5) {
        char *doc = slurp(argv[4]);
        rc = doc ? check(r, tl_registry_policy_create(r, argv[3], doc), cmd) : 1;
        free(doc);
    } else if (strcmp(cmd, "policy-attach") == 0 && argc == 5) {
        rc = check(r, tl_registry_policy_attach(r, argv[3], argv[4]), cmd);
    } else if (strcmp(cmd, "policy-detach") == 0 && argc == 5) {
        rc = check(r, tl_registry_policy_detach(r, argv[3], argv[4]), cmd);
    } else if (strcmp(cmd, "shadow-get") == 0) {
        char *doc = NULL;
        long long v = 0, u = 0;
        rc = check(r, tl_registry_shadow_get(r, argv[3], argc > 4 ? argv[4] : "", &doc, &v, &u),
                   cmd);
        if (!rc)
            printf("%s\n", doc);
        free(doc);
    } else {
        fprintf(stderr, "reg_tool: unknown command %s\n", cmd);
    }
    tl_registry_close(r);
    return rc;
}
