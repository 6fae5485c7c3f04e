/* tl_ca: certificate ids and reading PEM files. */
#define _POSIX_C_SOURCE 200809L
#include "tl_ca_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

void tl_ca_cert_id_der(const unsigned char *der, size_t len, char id[TL_CA_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[32];
    unsigned int mdlen = 0;
    size_t i;
    if (EVP_Digest(der, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        memset(md, 0, sizeof md);   /* SHA-256 from the default provider does not fail */
    for (i = 0; i < 32; i++) {
        id[2 * i] = hex[md[i] >> 4];
        id[2 * i + 1] = hex[md[i] & 15];
    }
    id[TL_CA_ID_LEN] = '\0';
}

tl_ca_status tl_ca_cert_id(const char *cert_pem, char id[TL_CA_ID_LEN + 1],
                           char *err, size_t errcap)
{
    X509 *x = tl_ca__read_cert(cert_pem);
    unsigned char *der = NULL;
    int n;
    id[0] = '\0';
    if (!x)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT,
                    "certificate: malformed PEM (expected -----BEGIN CERTIFICATE-----)");
    n = i2d_X509(x, &der);
    X509_free(x);
    if (n <= 0)
        return tl_ca__internal(err, errcap, "DER encoding");
    tl_ca_cert_id_der(der, (size_t)n, id);
    OPENSSL_free(der);
    return TL_CA_OK;
}

tl_ca_status tl_ca_read_file(const char *path, char **text, char *err, size_t errcap)
{
    enum { LIMIT = 1 << 20 };
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    *text = NULL;
    if (!f)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "cannot open %s: %s", path, strerror(errno));
    buf = malloc(LIMIT + 1);
    if (!buf) {
        fclose(f);
        return tl_ca__fail(err, errcap, TL_CA_ERR_INTERNAL, "out of memory");
    }
    n = fread(buf, 1, LIMIT + 1, f);
    if (ferror(f) || n > LIMIT) {
        int e = ferror(f) ? errno : 0;
        fclose(f);
        free(buf);
        return e ? tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "cannot read %s: %s", path, strerror(e))
                 : tl_ca__fail(err, errcap, TL_CA_ERR_INPUT, "%s: file too large (limit %d bytes)",
                        path, LIMIT);
    }
    fclose(f);
    buf[n] = '\0';
    *text = buf;
    return TL_CA_OK;
}

/* Seconds since 1970 of an ASN.1 time, without timegm(): the difference
 * from the epoch as OpenSSL computes it. */
static int asn1_to_unix(const ASN1_TIME *t, long long *out)
{
    ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
    int days = 0, secs = 0, ok = epoch && ASN1_TIME_diff(&days, &secs, epoch, t);
    ASN1_TIME_free(epoch);
    *out = (long long)days * 86400 + secs;
    return ok;
}

tl_ca_status tl_ca_cert_describe(const char *cert_pem, tl_ca_cert_info *info,
                                 char *err, size_t errcap)
{
    X509 *x = tl_ca__read_cert(cert_pem);
    BIO *b = NULL;
    BIGNUM *bn = NULL;
    char *hex = NULL, *data;
    long n;
    tl_ca_status st = TL_CA_OK;

    memset(info, 0, sizeof *info);
    if (!x)
        return tl_ca__fail(err, errcap, TL_CA_ERR_INPUT,
                           "certificate: malformed PEM (expected -----BEGIN CERTIFICATE-----)");
    if (!asn1_to_unix(X509_get0_notBefore(x), &info->not_before) ||
        !asn1_to_unix(X509_get0_notAfter(x), &info->not_after))
        st = tl_ca__internal(err, errcap, "certificate validity");
    else if (!(b = BIO_new(BIO_s_mem())) ||
             X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) < 0)
        st = tl_ca__internal(err, errcap, "certificate subject");
    else if (!(bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL)) || !(hex = BN_bn2hex(bn)))
        st = tl_ca__internal(err, errcap, "certificate serial");
    if (st == TL_CA_OK) {
        n = BIO_get_mem_data(b, &data);
        snprintf(info->subject, sizeof info->subject, "%.*s", (int)(n > 0 ? n : 0), data);
        snprintf(info->serial, sizeof info->serial, "%s", hex);
    }
    OPENSSL_free(hex);
    BN_free(bn);
    BIO_free(b);
    X509_free(x);
    return st;
}
