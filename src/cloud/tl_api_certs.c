/* tl_api: certificate routes (CreateCertificateFromCsr,
 * CreateKeysAndCertificate, Describe/List/Update/DeleteCertificate). */
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_api_internal.h"
#include "tl_ca.h"

/* setAsActive=true makes the certificate ACTIVE, anything else INACTIVE. */
static tl_registry_cert_status initial_status(tl_api_req *r)
{
    const char *v = tl_api__query(r, "setAsActive");
    return v && strcmp(v, "true") == 0 ? TL_CERT_ACTIVE : TL_CERT_INACTIVE;
}

/* Register cert_pem and answer with its ARN, id and PEM. */
static cJSON *register_cert(tl_api_req *r, const char *cert_pem)
{
    char id[TL_CA_ID_LEN + 1], err[256], arn[512];
    if (tl_ca_cert_id(cert_pem, id, err, sizeof err) != TL_CA_OK) {
        tl_api__error(r, 500, "InternalFailureException", "%s", err);
        return NULL;
    }
    tl_registry_status st = tl_registry_cert_create(r->api->reg, id, cert_pem, initial_status(r));
    if (st != TL_REG_OK) {
        tl_api__reg_error(r, st);
        return NULL;
    }
    tl_api__arn(r, arn, sizeof arn, "cert", id);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "certificateArn", arn);
    cJSON_AddStringToObject(o, "certificateId", id);
    cJSON_AddStringToObject(o, "certificatePem", cert_pem);
    return o;
}

static void from_csr(tl_api_req *r)
{
    cJSON *body = tl_api__body(r);
    if (!body)
        return;
    const char *csr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "certificateSigningRequest"));
    char err[512], *cert = NULL;
    if (!csr) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "certificateSigningRequest is required.");
    } else if (tl_ca_sign_csr(r->api->ca_key, r->api->ca_cert, csr, r->api->cert_days, &cert,
                              err, sizeof err) != TL_CA_OK) {
        tl_api__error(r, 400, "InvalidRequestException", "%s", err);
    } else {
        cJSON *o = register_cert(r, cert);
        if (o)
            tl_api__json(r, o);
    }
    free(cert);
    cJSON_Delete(body);
}

/* The public key of a private key PEM, as PEM (malloc'd). */
static char *public_pem(const char *key_pem)
{
    BIO *in = BIO_new_mem_buf(key_pem, -1), *out = BIO_new(BIO_s_mem());
    EVP_PKEY *k = in ? PEM_read_bio_PrivateKey(in, NULL, NULL, NULL) : NULL;
    char *text = NULL, *p;
    if (k && out && PEM_write_bio_PUBKEY(out, k)) {
        long n = BIO_get_mem_data(out, &p);
        text = malloc((size_t)n + 1);
        if (text) {
            memcpy(text, p, (size_t)n);
            text[n] = '\0';
        }
    }
    EVP_PKEY_free(k);
    BIO_free(in);
    BIO_free(out);
    return text;
}

static void keys_and_cert(tl_api_req *r)
{
    char err[512], *key = NULL, *cert = NULL, *pub = NULL;
    if (tl_ca_create_keys_and_cert(r->api->ca_key, r->api->ca_cert, "AWS IoT Certificate",
                                   r->api->cert_days, &key, &cert, err, sizeof err) != TL_CA_OK ||
        !(pub = public_pem(key))) {
        tl_api__error(r, 500, "InternalFailureException", "%s", err);
    } else {
        cJSON *o = register_cert(r, cert);
        if (o) {
            cJSON *kp = cJSON_AddObjectToObject(o, "keyPair");
            cJSON_AddStringToObject(kp, "PublicKey", pub);
            cJSON_AddStringToObject(kp, "PrivateKey", key);
            tl_api__json(r, o);
        }
    }
    if (key)
        memset(key, 0, strlen(key));
    free(key);
    free(cert);
    free(pub);
}

static void list(tl_api_req *r)
{
    tl_registry_cert *items = NULL;
    size_t n = 0;
    char next[TL_REGISTRY_ID_LEN + 1] = "", arn[512];
    tl_registry_status st = tl_registry_cert_list(r->api->reg, tl_api__query(r, "marker"),
                                                  TL_REGISTRY_PAGE_MAX, &items, &n, next);
    if (st != TL_REG_OK)
        return tl_api__reg_error(r, st);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "certificates");
    for (size_t i = 0; i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        tl_api__arn(r, arn, sizeof arn, "cert", items[i].id);
        cJSON_AddStringToObject(c, "certificateArn", arn);
        cJSON_AddStringToObject(c, "certificateId", items[i].id);
        cJSON_AddStringToObject(c, "status", tl_registry_cert_status_name(items[i].status));
        cJSON_AddNumberToObject(c, "creationDate", (double)items[i].created);
        cJSON_AddItemToArray(arr, c);
    }
    if (next[0])
        cJSON_AddStringToObject(o, "nextMarker", next);
    tl_registry_cert_list_free(items, n);
    tl_api__json(r, o);
}

static void describe(tl_api_req *r, const char *id)
{
    tl_registry_cert c;
    char arn[512], err[256];
    tl_registry_status st = tl_registry_cert_describe(r->api->reg, id, &c);
    if (st != TL_REG_OK)
        return tl_api__reg_error(r, st);
    cJSON *o = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(o, "certificateDescription");
    tl_api__arn(r, arn, sizeof arn, "cert", c.id);
    cJSON_AddStringToObject(d, "certificateArn", arn);
    cJSON_AddStringToObject(d, "certificateId", c.id);
    cJSON_AddStringToObject(d, "status", tl_registry_cert_status_name(c.status));
    cJSON_AddStringToObject(d, "certificatePem", c.pem ? c.pem : "");
    cJSON_AddStringToObject(d, "ownedBy", r->api->account);
    cJSON_AddNumberToObject(d, "creationDate", (double)c.created);
    cJSON_AddNumberToObject(d, "lastModifiedDate", (double)c.updated);
    cJSON_AddStringToObject(d, "certificateMode", "DEFAULT");
    tl_ca_cert_info info;
    if (c.pem && tl_ca_cert_describe(c.pem, &info, err, sizeof err) == TL_CA_OK) {
        cJSON *v = cJSON_AddObjectToObject(d, "validity");
        cJSON_AddNumberToObject(v, "notBefore", (double)info.not_before);
        cJSON_AddNumberToObject(v, "notAfter", (double)info.not_after);
    }
    tl_registry_cert_free(&c);
    tl_api__json(r, o);
}

int tl_api__route_certs(tl_api_req *r)
{
    if (strcmp(r->path, "/keys-and-certificate") == 0 && strcmp(r->method, "POST") == 0)
        return keys_and_cert(r), 1;
    if (strcmp(r->path, "/certificates") == 0) {
        if (strcmp(r->method, "POST") == 0)
            return from_csr(r), 1;
        if (strcmp(r->method, "GET") == 0)
            return list(r), 1;
        return 0;
    }
    if (strncmp(r->path, "/certificates/", 14) != 0)
        return 0;
    const char *id = r->path + 14;
    char canon[TL_REGISTRY_ID_LEN + 1];
    if (strchr(id, '/') || tl_registry_parse_cert_principal(id, canon) != 0) {
        tl_api__error(r, 400, "InvalidRequestException",
                      "certificateId must be 64 hexadecimal characters.");
        return 1;
    }
    tl_registry_status st;
    if (strcmp(r->method, "GET") == 0) {
        describe(r, canon);
    } else if (strcmp(r->method, "PUT") == 0) {
        const char *ns = tl_api__query(r, "newStatus");
        int s = ns ? tl_registry_cert_status_parse(ns) : -1;
        if (s < 0)
            return tl_api__error(r, 400, "InvalidRequestException",
                                 "newStatus must be ACTIVE, INACTIVE or REVOKED."), 1;
        st = tl_registry_cert_update_status(r->api->reg, canon, (tl_registry_cert_status)s);
        if (st != TL_REG_OK)
            return tl_api__reg_error(r, st), 1;
        tl_api__json(r, cJSON_CreateObject());
    } else if (strcmp(r->method, "DELETE") == 0) {
        st = tl_registry_cert_delete(r->api->reg, canon);
        if (st != TL_REG_OK)
            return tl_api__reg_error(r, st), 1;
        tl_api__json(r, cJSON_CreateObject());
    } else {
        tl_api__error(r, 405, "MethodNotAllowedException", "Method not allowed.");
    }
    return 1;
}
