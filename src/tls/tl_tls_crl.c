/*
 * CRLs (RFC 5280 CertificateList) of the trust anchors, verified and boiled
 * down to what the handshake needs (tl_tls_x509.c): per issuer, the hash of
 * its DN and its nextUpdate; the revoked serial numbers.
 *
 * A CRL file is hostile input: strict DER (tl_tls_der.c: definite, minimal
 * lengths, no high tag numbers), nothing after the end, every length
 * checked against what is left before it is used. One pass checks the
 * structure, then the issuer, the signature, the date, the extensions and
 * the counts, in that order (authenticity first), and only then is anything
 * stored.
 */
#include <string.h>

#include "tl_tls.h"
#include "tl_tls_der.h"
#include "tl_tls_impl.h"

#if TL_TLS_CRL

typedef tl_tls__span span;

/* Signature algorithms, by the content of their AlgorithmIdentifier. */
typedef struct {
    unsigned char id[13];
    unsigned char id_len;
    unsigned char rsa;
    const br_hash_class *hash;
    const unsigned char *hash_oid;   /* for PKCS#1 v1.5 */
} sig_alg;

#define ECDSA_OID 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03
#define RSA_OID 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01
static const sig_alg sig_algs[] = {
    { { ECDSA_OID, 0x02 }, 10, 0, &br_sha256_vtable, NULL },
    { { ECDSA_OID, 0x03 }, 10, 0, &br_sha384_vtable, NULL },
    { { ECDSA_OID, 0x04 }, 10, 0, &br_sha512_vtable, NULL },
    { { RSA_OID, 0x0B, 0x05, 0x00 }, 13, 1, &br_sha256_vtable, BR_HASH_OID_SHA256 },
    { { RSA_OID, 0x0C, 0x05, 0x00 }, 13, 1, &br_sha384_vtable, BR_HASH_OID_SHA384 },
    { { RSA_OID, 0x0D, 0x05, 0x00 }, 13, 1, &br_sha512_vtable, BR_HASH_OID_SHA512 },
};

static const sig_alg *find_alg(span id)
{
    size_t i;
    for (i = 0; i < sizeof sig_algs / sizeof sig_algs[0]; i++) {
        const sig_alg *a = &sig_algs[i];
        /* RSA's NULL parameters may also be absent. */
        if ((id.len == a->id_len || (a->rsa && id.len == a->id_len - 2u)) &&
            memcmp(id.p, a->id, id.len) == 0)
            return a;
    }
    return NULL;
}

/* What the structural pass finds in one CRL. */
typedef struct {
    span tbs, issuer, sig, entries;
    const sig_alg *alg;
    uint32_t next_days, next_seconds;
    int has_next, critical, long_serial, version_bad;
    size_t n_entries;
} crl_view;

/* A serial number without leading zero bytes (one kept for zero itself). */
static span serial_of(span v)
{
    while (v.len > 1 && v.p[0] == 0) {
        v.p++;
        v.len--;
    }
    return v;
}

/* One revokedCertificates entry; *serial gets its userCertificate. */
static int der_entry(span *in, int v2, span *serial, crl_view *cv)
{
    span e;
    uint32_t d, s;
    if (tl_tls__der_take(in, 0x30, &e, NULL) || tl_tls__der_take(&e, 0x02, serial, NULL) ||
        serial->len == 0 ||
        tl_tls__der_time(&e, &d, &s))
        return -1;
    if (e.len && (!v2 || tl_tls__der_extensions(e, &cv->critical)))
        return -1;
    *serial = serial_of(*serial);
    if (serial->len > TL_TLS_CRL_SERIAL_MAX)
        cv->long_serial = 1;
    return 0;
}

static int der_crl(span der, crl_view *cv)
{
    span all, tbs, alg, alg2, ver, bits, e;
    uint32_t d, s;
    int v2 = 0;
    memset(cv, 0, sizeof *cv);
    if (tl_tls__der_take(&der, 0x30, &all, NULL) || der.len ||
        tl_tls__der_take(&all, 0x30, &tbs, &cv->tbs) ||
        tl_tls__der_take(&all, 0x30, &alg, NULL) ||
        tl_tls__der_take(&all, 0x03, &bits, NULL) || all.len)
        return -1;
    if (bits.len < 2 || bits.p[0] != 0)   /* no unused bits in a signature */
        return -1;
    cv->sig.p = bits.p + 1;
    cv->sig.len = bits.len - 1;
    if (tl_tls__der_peek(&tbs, 0x02)) {
        if (tl_tls__der_take(&tbs, 0x02, &ver, NULL) || ver.len == 0)
            return -1;
        v2 = ver.len == 1 && ver.p[0] == 1;
        cv->version_bad = !v2;
    }
    /* The signed algorithm must be the one the signature claims. */
    if (tl_tls__der_take(&tbs, 0x30, &alg2, NULL) || alg2.len != alg.len ||
        memcmp(alg2.p, alg.p, alg.len) != 0)
        return -1;
    cv->alg = find_alg(alg);
    if (tl_tls__der_take(&tbs, 0x30, NULL, &cv->issuer) || tl_tls__der_time(&tbs, &d, &s))
        return -1;
    if (tl_tls__der_peek(&tbs, 0x17) || tl_tls__der_peek(&tbs, 0x18)) {
        if (tl_tls__der_time(&tbs, &cv->next_days, &cv->next_seconds))
            return -1;
        cv->has_next = 1;
    }
    if (tl_tls__der_peek(&tbs, 0x30)) {
        span serial;
        if (tl_tls__der_take(&tbs, 0x30, &cv->entries, NULL))
            return -1;
        for (e = cv->entries; e.len; cv->n_entries++)
            if (der_entry(&e, v2, &serial, cv))
                return -1;
    }
    if (tl_tls__der_peek(&tbs, 0xA0)) {
        span x;
        if (!v2 || tl_tls__der_take(&tbs, 0xA0, &x, NULL) ||
            tl_tls__der_extensions(x, &cv->critical))
            return -1;
    }
    return tbs.len ? -1 : 0;
}

static int verify(const sig_alg *a, const br_x509_pkey *pk, span tbs, span sig)
{
    br_hash_compat_context hc;
    unsigned char h[64], out[64];
    size_t hl = (a->hash->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;
    a->hash->init(&hc.vtable);
    a->hash->update(&hc.vtable, tbs.p, tbs.len);
    a->hash->out(&hc.vtable, h);
    if (a->rsa)
        return pk->key_type == BR_KEYTYPE_RSA &&
               (TL_RSA_PKCS1_VRFY)(sig.p, sig.len, a->hash_oid, hl, &pk->key.rsa, out) == 1 &&
               memcmp(out, h, hl) == 0;
    return pk->key_type == BR_KEYTYPE_EC &&
           (TL_ECDSA_VRFY_ASN1)(TL_EC_IMPL, h, hl, &pk->key.ec, sig.p, sig.len) == 1;
}

/* An anchor with the CRL's issuer name whose key verifies it. */
static tl_tls_crl_status check_issuer(const tl_tls_anchors *a, const crl_view *cv)
{
    size_t i;
    int named = 0;
    for (i = 0; a && i < a->count; i++) {
        const br_x509_trust_anchor *ta = &a->ta[i];
        if (ta->dn.len != cv->issuer.len || memcmp(ta->dn.data, cv->issuer.p, cv->issuer.len))
            continue;
        named = 1;
        if (verify(cv->alg, &ta->pkey, cv->tbs, cv->sig))
            return TL_TLS_CRL_OK;
    }
    return named ? TL_TLS_CRL_BAD_SIGNATURE : TL_TLS_CRL_UNKNOWN_ISSUER;
}

static int has_entry(const tl_tls_crl *crl, unsigned issuer, span serial)
{
    size_t i;
    for (i = 0; i < crl->count; i++)
        if (crl->entry[i].issuer == issuer && crl->entry[i].len == serial.len &&
            memcmp(crl->entry[i].serial, serial.p, serial.len) == 0)
            return 1;
    return 0;
}

/* Days and seconds of a Unix time, as BearSSL counts them. */
#define DAYS_TO_UNIX_EPOCH 719528UL

static tl_tls_crl_status add_der(tl_tls_crl *crl, const tl_tls_anchors *a, span der,
                                 uint64_t unix_now)
{
    crl_view cv;
    tl_tls_crl_status st;
    unsigned char h[32];
    br_sha256_context sc;
    size_t idx;
    span e;

    if (der_crl(der, &cv))
        return TL_TLS_CRL_MALFORMED;
    if (cv.version_bad || !cv.alg)
        return TL_TLS_CRL_UNSUPPORTED;
    if ((st = check_issuer(a, &cv)) != TL_TLS_CRL_OK)
        return st;
    if (unix_now && cv.has_next) {
        uint32_t nd = (uint32_t)(DAYS_TO_UNIX_EPOCH + unix_now / 86400);
        uint32_t ns = (uint32_t)(unix_now % 86400);
        if (nd > cv.next_days || (nd == cv.next_days && ns > cv.next_seconds))
            return TL_TLS_CRL_EXPIRED;
    }
    if (cv.critical)
        return TL_TLS_CRL_CRITICAL_EXT;
    if (cv.long_serial)
        return TL_TLS_CRL_SERIAL_TOO_LONG;

    br_sha256_init(&sc);
    br_sha256_update(&sc, cv.issuer.p, cv.issuer.len);
    br_sha256_out(&sc, h);
    for (idx = 0; idx < crl->issuers && memcmp(crl->issuer[idx], h, 32) != 0; idx++)
        ;
    if (idx == crl->issuers) {
        if (idx == TL_TLS_MAX_ANCHORS)
            return TL_TLS_CRL_UNKNOWN_ISSUER;   /* more issuers than anchors */
        memcpy(crl->issuer[idx], h, 32);
        crl->next_days[idx] = crl->next_seconds[idx] = 0;
        crl->issuers++;
    }
    if (cv.has_next && (crl->next_days[idx] == 0 || cv.next_days < crl->next_days[idx] ||
                        (cv.next_days == crl->next_days[idx] &&
                         cv.next_seconds < crl->next_seconds[idx]))) {
        crl->next_days[idx] = cv.next_days;
        crl->next_seconds[idx] = cv.next_seconds;
    }
    for (e = cv.entries; e.len;) {
        span serial;
        (void)der_entry(&e, 1, &serial, &cv);   /* checked by der_crl */
        if (has_entry(crl, (unsigned)idx, serial))
            continue;
        if (crl->count == TL_TLS_CRL_MAX)
            return TL_TLS_CRL_TOO_MANY;
        crl->entry[crl->count].issuer = (unsigned char)idx;
        crl->entry[crl->count].len = (unsigned char)serial.len;
        memcpy(crl->entry[crl->count].serial, serial.p, serial.len);
        crl->count++;
    }
    return TL_TLS_CRL_OK;
}

/* PEM: every "X509 CRL" object is decoded into scratch, then added. */
typedef struct {
    tl_tls_crl *crl;
    const tl_tls_anchors *a;
    uint64_t unix_now;
    unsigned char *scratch;
    size_t scratch_len;
} pem_arg;

static int is_crl(const char *name)
{
    return strcmp(name, "X509 CRL") == 0;
}

static unsigned char *crl_dest(void *arg, size_t *cap)
{
    pem_arg *x = arg;
    *cap = x->scratch ? x->scratch_len : 0;
    return x->scratch;
}

static int crl_take(void *arg, const unsigned char *der, size_t len)
{
    pem_arg *x = arg;
    span d;
    d.p = der;
    d.len = len;
    return (int)add_der(x->crl, x->a, d, x->unix_now);
}

static tl_tls_crl_status add_pem(tl_tls_crl *crl, const tl_tls_anchors *a, const char *pem,
                                 size_t len, uint64_t unix_now, unsigned char *scratch,
                                 size_t scratch_len)
{
    pem_arg x = { crl, a, unix_now, scratch, scratch_len };
    tl_tls__pem_handler h = { is_crl, crl_dest, crl_take, &x,
                              TL_TLS_CRL_NONE, TL_TLS_CRL_MALFORMED, TL_TLS_CRL_TOO_BIG };
    return (tl_tls_crl_status)tl_tls__pem_each(pem, len, &h);
}

void tl_tls_crl_init(tl_tls_crl *crl)
{
    memset(crl, 0, sizeof *crl);
}

tl_tls_crl_status tl_tls_crl_add(tl_tls_crl *crl, const tl_tls_anchors *anchors,
                                 const void *data, size_t len, uint64_t unix_now,
                                 unsigned char *scratch, size_t scratch_len)
{
    size_t count = crl->count, issuers = crl->issuers;
    uint32_t nd[TL_TLS_MAX_ANCHORS], ns[TL_TLS_MAX_ANCHORS];
    tl_tls_crl_status st;
    memcpy(nd, crl->next_days, sizeof nd);
    memcpy(ns, crl->next_seconds, sizeof ns);
    if (len > 0 && ((const unsigned char *)data)[0] == 0x30) {
        span der;
        der.p = data;
        der.len = len;
        st = add_der(crl, anchors, der, unix_now);
    } else {
        st = add_pem(crl, anchors, data, len, unix_now, scratch, scratch_len);
    }
    if (st != TL_TLS_CRL_OK) {   /* all or nothing */
        crl->count = count;
        crl->issuers = issuers;
        memcpy(crl->next_days, nd, sizeof nd);
        memcpy(crl->next_seconds, ns, sizeof ns);
    }
    return st;
}

const char *tl_tls_crl_status_text(tl_tls_crl_status st)
{
#if !TL_TLS_ERROR_TEXT
    return st == TL_TLS_CRL_OK ? "ok" : "CRL refused (see tl_tls_crl_status)";
#else
    switch (st) {
    case TL_TLS_CRL_OK: return "ok";
    case TL_TLS_CRL_NONE: return "no CRL found (expected DER or -----BEGIN X509 CRL-----)";
    case TL_TLS_CRL_MALFORMED: return "malformed CRL (bad PEM, or DER that is not a CRL)";
    case TL_TLS_CRL_TOO_BIG: return "CRL larger than the buffer for it";
    case TL_TLS_CRL_UNSUPPORTED: return "unsupported CRL version or signature algorithm";
    case TL_TLS_CRL_CRITICAL_EXT:
        return "CRL has a critical extension this device does not implement "
               "(delta CRL or issuing distribution point?)";
    case TL_TLS_CRL_UNKNOWN_ISSUER: return "CRL issuer is not one of the trust anchors (wrong CA?)";
    case TL_TLS_CRL_BAD_SIGNATURE: return "CRL signature does not verify with its issuer's key";
    case TL_TLS_CRL_EXPIRED: return "CRL is out of date (its nextUpdate has passed)";
    case TL_TLS_CRL_SERIAL_TOO_LONG:
        return "CRL lists a serial number longer than the device holds "
               "(TL_TLS_CRL_SERIAL_MAX, 20 bytes by default)";
    case TL_TLS_CRL_TOO_MANY:
        return "CRL lists more revoked certificates than the device holds (TL_TLS_CRL_MAX)";
    }
    return "unknown CRL error";
#endif
}
#else
typedef int tl_tls_crl_not_built;   /* TL_TLS_CRL 0: nothing here */
#endif
