/* tl_ca: OpenSSL helpers shared by the CA's files (PEM in and out, keys,
 * the certificate builder). */
#include "tl_ca_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

/* Certificates start this long before "now", so that a device or broker
 * whose clock is a little behind the CA's does not see "not yet valid". */
#define BACKDATE_SECONDS (-300L)

tl_ca_status tl_ca__fail(char *err, size_t errcap, tl_ca_status st, const char *fmt, ...)
{
    if (err && errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
    }
    /* Leave no stale entries in OpenSSL's per-thread queue for the next call. */
    ERR_clear_error();
    return st;
}

/* An OpenSSL failure that is not the caller's fault: name the step and the
 * library's reason. */
tl_ca_status tl_ca__internal(char *err, size_t errcap, const char *what)
{
    char reason[160] = "unknown error";
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, reason, sizeof reason);
    return tl_ca__fail(err, errcap, TL_CA_ERR_INTERNAL, "%s failed: %s", what, reason);
}

BIO *tl_ca__mem_bio(const char *pem)
{
    return BIO_new_mem_buf(pem, -1);
}

EVP_PKEY *tl_ca__read_key(const char *pem)
{
    BIO *b = pem ? tl_ca__mem_bio(pem) : NULL;
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return k;
}

X509 *tl_ca__read_cert(const char *pem)
{
    BIO *b = pem ? tl_ca__mem_bio(pem) : NULL;
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return x;
}

/* The BIO's contents as a malloc'd string (NULL when out of memory). */
static char *tl_ca__bio_to_string(BIO *b)
{
    char *data, *out;
    long n = BIO_get_mem_data(b, &data);
    if (n < 0 || !(out = malloc((size_t)n + 1)))
        return NULL;
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    return out;
}

char *tl_ca__key_to_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s = NULL;
    if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
        s = tl_ca__bio_to_string(b);
    BIO_free(b);
    return s;
}

char *tl_ca__cert_to_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s = NULL;
    if (b && PEM_write_bio_X509(b, x))
        s = tl_ca__bio_to_string(b);
    BIO_free(b);
    return s;
}

EVP_PKEY *tl_ca__new_p256(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A random positive 128-bit serial number (RFC 5280 allows up to 20 octets;
 * 16 random bytes make collisions between independent CAs negligible). */
static int tl_ca__set_random_serial(X509 *x)
{
    unsigned char raw[16];
    BIGNUM *bn;
    int ok = 0;
    if (RAND_bytes(raw, sizeof raw) != 1)
        return 0;
    raw[0] &= 0x7f;   /* positive */
    raw[0] |= 0x01;   /* never zero, and always 16 bytes long */
    bn = BN_bin2bn(raw, sizeof raw, NULL);
    if (bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
        ok = 1;
    BN_free(bn);
    return ok;
}

static int tl_ca__add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    int ok;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e)
        return 0;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/*
 * Build and sign a certificate. issuer NULL means self-signed. exts are
 * added in order; the subject key identifier must come before the
 * authority key identifier that may refer to it.
 */
X509 *tl_ca__issue(EVP_PKEY *signer, X509 *issuer, const X509_NAME *subject,
                   EVP_PKEY *pub, int days, const tl_ca__ext *exts, size_t nexts)
{
    X509 *x = X509_new();
    size_t i;
    if (!x || !X509_set_version(x, X509_VERSION_3) || !tl_ca__set_random_serial(x) ||
        !X509_set_subject_name(x, subject) ||
        !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), BACKDATE_SECONDS) ||
        !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
        !X509_set_pubkey(x, pub))
        goto bad;
    for (i = 0; i < nexts; i++)
        if (!tl_ca__add_ext(x, issuer, exts[i].nid, exts[i].value))
            goto bad;
    if (X509_sign(x, signer, EVP_sha256()) <= 0)
        goto bad;
    return x;
bad:
    X509_free(x);
    return NULL;
}

X509_NAME *tl_ca__cn_name(const char *cn)
{
    X509_NAME *n = X509_NAME_new();
    if (n && !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
                                         (const unsigned char *)cn, -1, -1, 0)) {
        X509_NAME_free(n);
        n = NULL;
    }
    return n;
}

/* Load the CA's key and certificate and check that they belong together. */
tl_ca_status tl_ca__load_ca(const char *key_pem, const char *cert_pem, EVP_PKEY **k,
                            X509 **x, char *err, size_t errcap)
{
    *k = tl_ca__read_key(key_pem);
    *x = tl_ca__read_cert(cert_pem);
    if (!*k || !*x || X509_check_private_key(*x, *k) != 1) {
        tl_ca_status st = tl_ca__fail(err, errcap, TL_CA_ERR_CA,
                               !*k ? "CA key: malformed PEM (expected a private key)"
                               : !*x ? "CA certificate: malformed PEM (expected -----BEGIN CERTIFICATE-----)"
                               : "CA key does not match the CA certificate");
        EVP_PKEY_free(*k);
        X509_free(*x);
        *k = NULL;
        *x = NULL;
        return st;
    }
    return TL_CA_OK;
}
