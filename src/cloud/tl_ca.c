/* tl_ca: the CA, the server certificate, and device certificates. */
#include "tl_ca_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

tl_ca_status tl_ca_create(const char *common_name, char **key_pem, char **cert_pem,
                          char *err, size_t errcap)
{
    static const tl_ca__ext exts[] = {
        { NID_basic_constraints, "critical,CA:TRUE" },
        { NID_key_usage, "critical,keyCertSign,cRLSign" },
        { NID_subject_key_identifier, "hash" },
    };
    EVP_PKEY *k = NULL;
    X509_NAME *name = NULL;
    X509 *x = NULL;
    tl_ca_status st = TL_CA_OK;

    *key_pem = *cert_pem = NULL;
    if (!common_name || !*common_name || strlen(common_name) > 64)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "CA name must be 1 to 64 bytes");
    if (!(k = tl_ca__new_p256()))
        st = tl_ca__internal(err, errcap, "CA key generation");
    else if (!(name = tl_ca__cn_name(common_name)))
        st = tl_ca__internal(err, errcap, "CA name");
    else if (!(x = tl_ca__issue(k, NULL, name, k, TL_CA_ROOT_DAYS, exts, 3)))
        st = tl_ca__internal(err, errcap, "CA certificate");
    else if (!(*key_pem = tl_ca__key_to_pem(k)) || !(*cert_pem = tl_ca__cert_to_pem(x)))
        st = tl_ca__internal(err, errcap, "PEM encoding");
    if (st != TL_CA_OK) {
        free(*key_pem);
        free(*cert_pem);
        *key_pem = *cert_pem = NULL;
    }
    X509_free(x);
    X509_NAME_free(name);
    EVP_PKEY_free(k);
    return st;
}

tl_ca_status tl_ca_create_server(const char *ca_key_pem, const char *ca_cert_pem,
                                 const char *host, char **key_pem, char **cert_pem,
                                 char *err, size_t errcap)
{
    char san[400];
    tl_ca__ext exts[] = {
        { NID_basic_constraints, "critical,CA:FALSE" },
        { NID_key_usage, "critical,digitalSignature,keyEncipherment" },
        { NID_ext_key_usage, "serverAuth" },
        { NID_subject_alt_name, san },
        { NID_subject_key_identifier, "hash" },
        { NID_authority_key_identifier, "keyid:always" },
    };
    EVP_PKEY *cak, *k = NULL;
    X509 *cax, *x = NULL;
    X509_NAME *name = NULL;
    ASN1_OCTET_STRING *ip;
    tl_ca_status st;
    size_t i;

    *key_pem = *cert_pem = NULL;
    if (!host || !*host || strlen(host) > 253)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "endpoint host must be 1 to 253 bytes");
    /* The host goes into an OpenSSL config string: keep to name characters
     * so that a comma cannot add names of its own. */
    for (i = 0; host[i]; i++)
        if (!(host[i] == '.' || host[i] == '-' || host[i] == ':' ||
              (host[i] >= '0' && host[i] <= '9') || (host[i] >= 'a' && host[i] <= 'z') ||
              (host[i] >= 'A' && host[i] <= 'Z')))
            return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "endpoint host '%s': invalid character", host);
    if (strcmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0)
        snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1");
    else {
        ip = a2i_IPADDRESS(host);   /* only to tell an address from a name */
        snprintf(san, sizeof san, "DNS:localhost,IP:127.0.0.1,%s:%s", ip ? "IP" : "DNS", host);
        ASN1_OCTET_STRING_free(ip);
        ERR_clear_error();
    }
    if ((st = tl_ca__load_ca(ca_key_pem, ca_cert_pem, &cak, &cax, err, errcap)) != TL_CA_OK)
        return st;
    if (!(k = tl_ca__new_p256()))
        st = tl_ca__internal(err, errcap, "server key generation");
    else if (!(name = tl_ca__cn_name(host)))
        st = tl_ca__internal(err, errcap, "server name");
    else if (!(x = tl_ca__issue(cak, cax, name, k, TL_CA_SERVER_DAYS, exts, sizeof exts / sizeof exts[0])))
        st = tl_ca__internal(err, errcap, "server certificate");
    else if (!(*key_pem = tl_ca__key_to_pem(k)) || !(*cert_pem = tl_ca__cert_to_pem(x)))
        st = tl_ca__internal(err, errcap, "PEM encoding");
    if (st != TL_CA_OK) {
        free(*key_pem);
        free(*cert_pem);
        *key_pem = *cert_pem = NULL;
    }
    X509_free(x);
    X509_NAME_free(name);
    EVP_PKEY_free(k);
    X509_free(cax);
    EVP_PKEY_free(cak);
    return st;
}

/* The device certificate profile shared by CSR signing and
 * CreateKeysAndCertificate. */
static tl_ca_status issue_device(const char *ca_key_pem, const char *ca_cert_pem,
                                 const X509_NAME *subject, EVP_PKEY *pub, int days,
                                 char **cert_pem, char *err, size_t errcap)
{
    static const tl_ca__ext exts[] = {
        { NID_basic_constraints, "critical,CA:FALSE" },
        { NID_key_usage, "critical,digitalSignature" },
        { NID_ext_key_usage, "clientAuth" },
        { NID_subject_key_identifier, "hash" },
        { NID_authority_key_identifier, "keyid:always" },
    };
    EVP_PKEY *cak;
    X509 *cax, *x;
    tl_ca_status st;

    *cert_pem = NULL;
    if (days < 1 || days > TL_CA_DEVICE_DAYS_MAX)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "validity must be 1 to %d days, not %d",
                    TL_CA_DEVICE_DAYS_MAX, days);
    if ((st = tl_ca__load_ca(ca_key_pem, ca_cert_pem, &cak, &cax, err, errcap)) != TL_CA_OK)
        return st;
    x = tl_ca__issue(cak, cax, subject, pub, days, exts, sizeof exts / sizeof exts[0]);
    if (!x)
        st = tl_ca__internal(err, errcap, "device certificate");
    else if (!(*cert_pem = tl_ca__cert_to_pem(x)))
        st = tl_ca__internal(err, errcap, "PEM encoding");
    X509_free(x);
    X509_free(cax);
    EVP_PKEY_free(cak);
    return st;
}

/* EC P-256/P-384 or RSA >= 2048; anything else gets a message that says what
 * it was and what would do. */
static tl_ca_status check_key_type(EVP_PKEY *k, char *err, size_t errcap)
{
    static const char need[] = "(need RSA >= 2048 or EC P-256/P-384)";
    if (EVP_PKEY_is_a(k, "RSA")) {
        int bits = EVP_PKEY_get_bits(k);
        if (bits >= 2048)
            return TL_CA_OK;
        return tl_ca__fail(err, errcap, TL_CA_ERR_KEY_TYPE, "key type not accepted: RSA %d bits %s",
                    bits, need);
    }
    if (EVP_PKEY_is_a(k, "EC")) {
        char group[64] = "";
        size_t glen = 0;
        if (!EVP_PKEY_get_group_name(k, group, sizeof group, &glen))
            snprintf(group, sizeof group, "unnamed curve");
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "secp384r1") == 0 ||
            strcmp(group, "P-256") == 0 || strcmp(group, "P-384") == 0)
            return TL_CA_OK;
        return tl_ca__fail(err, errcap, TL_CA_ERR_KEY_TYPE, "key type not accepted: EC %s %s",
                    group, need);
    }
    return tl_ca__fail(err, errcap, TL_CA_ERR_KEY_TYPE, "key type not accepted: %s %s",
                EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "unknown", need);
}

tl_ca_status tl_ca_sign_csr(const char *ca_key_pem, const char *ca_cert_pem,
                            const char *csr_pem, int days, char **cert_pem,
                            char *err, size_t errcap)
{
    BIO *b;
    X509_REQ *req;
    EVP_PKEY *pub;
    tl_ca_status st;

    *cert_pem = NULL;
    b = csr_pem ? tl_ca__mem_bio(csr_pem) : NULL;
    req = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!req)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT,
                    "CSR: malformed PEM (expected -----BEGIN CERTIFICATE REQUEST-----)");
    pub = X509_REQ_get0_pubkey(req);
    if (!pub)
        st = tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "CSR: unreadable public key");
    else if ((st = check_key_type(pub, err, errcap)) != TL_CA_OK)
        ;
    else if (X509_REQ_verify(req, pub) != 1)
        st = tl_ca__fail(err, errcap, TL_CA_ERR_SIGNATURE, "CSR signature does not verify");
    else
        st = issue_device(ca_key_pem, ca_cert_pem, X509_REQ_get_subject_name(req), pub, days,
                          cert_pem, err, errcap);
    X509_REQ_free(req);
    return st;
}

tl_ca_status tl_ca_create_keys_and_cert(const char *ca_key_pem, const char *ca_cert_pem,
                                        const char *common_name, int days,
                                        char **key_pem, char **cert_pem,
                                        char *err, size_t errcap)
{
    EVP_PKEY *k;
    X509_NAME *name;
    tl_ca_status st;

    *key_pem = *cert_pem = NULL;
    if (!common_name || !*common_name || strlen(common_name) > 64)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "common name must be 1 to 64 bytes");
    if (!(k = tl_ca__new_p256()))
        return tl_ca__internal(err, errcap, "key generation");
    if (!(name = tl_ca__cn_name(common_name))) {
        EVP_PKEY_free(k);
        return tl_ca__internal(err, errcap, "certificate name");
    }
    st = issue_device(ca_key_pem, ca_cert_pem, name, k, days, cert_pem, err, errcap);
    if (st == TL_CA_OK && !(*key_pem = tl_ca__key_to_pem(k))) {
        st = tl_ca__internal(err, errcap, "PEM encoding");
        free(*cert_pem);
        *cert_pem = NULL;
    }
    X509_NAME_free(name);
    EVP_PKEY_free(k);
    return st;
}
