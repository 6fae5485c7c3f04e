/*
 * Internals shared by the tl_ca*.c files (OpenSSL helpers). Not part of the
 * CA's contract.
 */
#ifndef TL_CA_INTERNAL_H
#define TL_CA_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tl_ca.h"

/* Write a message into err (may be NULL), clear OpenSSL's error queue,
 * return st. */
tl_ca_status tl_ca__fail(char *err, size_t errcap, tl_ca_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* An OpenSSL failure that is not the caller's fault: "<what> failed: <reason>". */
tl_ca_status tl_ca__internal(char *err, size_t errcap, const char *what);

BIO *tl_ca__mem_bio(const char *pem);
EVP_PKEY *tl_ca__read_key(const char *pem);   /* NULL if pem is NULL or bad */
X509 *tl_ca__read_cert(const char *pem);
char *tl_ca__key_to_pem(EVP_PKEY *k);          /* malloc'd, NULL on failure */
char *tl_ca__cert_to_pem(X509 *x);
EVP_PKEY *tl_ca__new_p256(void);
X509_NAME *tl_ca__cn_name(const char *cn);

/* One extension in OpenSSL's config syntax ("critical,CA:FALSE"). */
typedef struct {
    int nid;
    const char *value;
} tl_ca__ext;

/*
 * Build and sign (SHA-256) a certificate: random 16-byte serial, valid from
 * a few minutes ago for `days`. issuer NULL means self-signed. exts are
 * added in order; the subject key identifier must come before the
 * authority key identifier that may refer to it.
 */
X509 *tl_ca__issue(EVP_PKEY *signer, X509 *issuer, const X509_NAME *subject, EVP_PKEY *pub,
                   int days, const tl_ca__ext *exts, size_t nexts);

/* Load the CA's key and certificate and check that they belong together. */
tl_ca_status tl_ca__load_ca(const char *key_pem, const char *cert_pem, EVP_PKEY **k, X509 **x,
                            char *err, size_t errcap);

#endif
