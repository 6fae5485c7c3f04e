/*
 * The client certificate class: BearSSL asks it to choose a certificate and
 * to sign the handshake hash; the signing goes to the tl_signer, so with a
 * chip signer the private key is never in this device's RAM.
 */
#include <string.h>

#include "tl_tls.h"

/* The server's list of acceptable CA names does not change our choice: we
 * have one certificate. These callbacks only have to exist. */
static void cc_start_name_list(const br_ssl_client_certificate_class **pctx)
{
    (void)pctx;
}

static void cc_start_name(const br_ssl_client_certificate_class **pctx, size_t len)
{
    (void)pctx;
    (void)len;
}

static void cc_append_name(const br_ssl_client_certificate_class **pctx,
                           const unsigned char *data, size_t len)
{
    (void)pctx;
    (void)data;
    (void)len;
}

static void cc_end_name(const br_ssl_client_certificate_class **pctx)
{
    (void)pctx;
}

static void cc_end_name_list(const br_ssl_client_certificate_class **pctx)
{
    (void)pctx;
}

static void cc_choose(const br_ssl_client_certificate_class **pctx,
                      const br_ssl_client_context *cc, uint32_t auth_types,
                      br_ssl_client_certificate *choices)
{
    tl_tls_ccert *c = (tl_tls_ccert *)pctx;
    (void)cc;
    memset(choices, 0, sizeof *choices);
    /* Bit 8 + x: the server accepts ECDSA with hash x. The chip signs P-256
     * digests, and SHA-256 is the hash that goes with P-256. */
    if (!c->signer || !c->chain_len || !(auth_types & (1u << (8 + br_sha256_ID))))
        return; /* no certificate: the server decides whether that is fatal */
    choices->auth_type = BR_AUTH_ECDSA;
    choices->hash_id = br_sha256_ID;
    choices->chain = c->chain;
    choices->chain_len = c->chain_len;
}

/* Static ECDH (ECDH_ECDSA suites) is never offered, so never called. */
static uint32_t cc_do_keyx(const br_ssl_client_certificate_class **pctx,
                           unsigned char *data, size_t *len)
{
    (void)pctx;
    (void)data;
    (void)len;
    return 0;
}

static size_t cc_do_sign(const br_ssl_client_certificate_class **pctx, int hash_id,
                         size_t hv_len, unsigned char *data, size_t len)
{
    tl_tls_ccert *c = (tl_tls_ccert *)pctx;
    unsigned char sig[72];
    size_t n;
    if (hash_id != br_sha256_ID || hv_len != 32)
        return 0;
    if ((*c->signer)->sign_digest(c->signer, data, sig) != 0) {
        c->sign_error = 1;
        return 0;
    }
    n = br_ecdsa_raw_to_asn1(sig, 64);   /* TLS wants the DER form */
    if (n == 0 || n > len)
        return 0;
    memcpy(data, sig, n);
    return n;
}

static const br_ssl_client_certificate_class ccert_class = {
    sizeof(tl_tls_ccert),
    cc_start_name_list, cc_start_name, cc_append_name, cc_end_name,
    cc_end_name_list, cc_choose, cc_do_keyx, cc_do_sign
};

void tl_tls_ccert_init(tl_tls_ccert *cc, const tl_signer_class **signer,
                       const br_x509_certificate *chain, size_t chain_len)
{
    cc->vtable = &ccert_class;
    cc->signer = signer;
    cc->chain = chain;
    cc->chain_len = chain_len;
    cc->sign_error = 0;
}
