/*
 * PEM certificates into trust anchors and client chains, with every byte
 * copied into the caller's storage: after loading, the PEM text can go.
 */
#include <string.h>

#include "tl_tls.h"
#include "tl_tls_der.h"

/* Where the PEM decoder writes the current object's DER. */
typedef struct {
    unsigned char *buf;
    size_t cap;
    size_t len;
    int overflow;
} der_sink;

static void sink_append(void *ctx, const void *data, size_t len)
{
    der_sink *s = ctx;
    if (s->overflow || len > s->cap - s->len) {
        s->overflow = 1;
        return;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
}

/* What to do with the PEM objects of one kind: which names, where their DER
 * goes, and then what. */
static int is_certificate(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0;
}

int tl_tls__pem_each(const char *pem, size_t len, const tl_tls__pem_handler *h)
{
    br_pem_decoder_context pc;
    der_sink sink;
    size_t off = 0, found = 0;
    int in_cert = 0;

    br_pem_decoder_init(&pc);
    memset(&sink, 0, sizeof sink);
    while (off < len) {
        size_t n = br_pem_decoder_push(&pc, pem + off, len - off);
        off += n;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ:
            in_cert = h->wants(br_pem_decoder_name(&pc));
            sink.buf = h->dest(h->arg, &sink.cap);
            sink.len = 0;
            sink.overflow = 0;
            br_pem_decoder_setdest(&pc, in_cert ? sink_append : NULL, &sink);
            break;
        case BR_PEM_END_OBJ:
            if (in_cert) {
                int st;
                if (sink.overflow)
                    return h->full;
                st = h->take(h->arg, sink.buf, sink.len);
                if (st != 0)
                    return st;
                found++;
            }
            in_cert = 0;
            break;
        case BR_PEM_ERROR:
            return h->malformed;
        default:
            if (n == 0)
                return h->malformed;
            break;
        }
    }
    if (in_cert)
        return h->malformed;   /* BEGIN without END */
    return found ? 0 : h->none;
}

/* Copy bytes into the anchor store; NULL when full. */
static unsigned char *store_copy(tl_tls_anchors *a, const void *p, size_t n)
{
    unsigned char *dst;
    if (n > sizeof a->store - a->used)
        return NULL;
    dst = a->store + a->used;
    memcpy(dst, p, n);
    a->used += n;
    return dst;
}

/* The decoder hands the subject DN in pieces; collect them in the store. */
typedef struct {
    tl_tls_anchors *a;
    size_t start;
    int overflow;
} dn_sink;

static void dn_append(void *ctx, const void *data, size_t len)
{
    dn_sink *d = ctx;
    if (d->overflow || !store_copy(d->a, data, len))
        d->overflow = 1;
}

static tl_tls_pem_status add_anchor(tl_tls_anchors *a, const unsigned char *der, size_t len)
{
    br_x509_decoder_context dc;
    br_x509_trust_anchor *ta;
    const br_x509_pkey *pk;
    dn_sink dn;
    size_t mark = a->used;

    if (a->count >= TL_TLS_MAX_ANCHORS)
        return TL_TLS_PEM_FULL;
    dn.a = a;
    dn.start = a->used;
    dn.overflow = 0;
    br_x509_decoder_init(&dc, dn_append, &dn);
    br_x509_decoder_push(&dc, der, len);
    pk = br_x509_decoder_get_pkey(&dc);
    if (dn.overflow) {
        a->used = mark;
        return TL_TLS_PEM_FULL;
    }
    if (!pk) {
        a->used = mark;
        return TL_TLS_PEM_BAD_CERT;
    }
    ta = &a->ta[a->count];
    ta->dn.data = a->store + dn.start;
    ta->dn.len = a->used - dn.start;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta->pkey.key.rsa.n = store_copy(a, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = store_copy(a, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
        if (!ta->pkey.key.rsa.n || !ta->pkey.key.rsa.e) {
            a->used = mark;
            return TL_TLS_PEM_FULL;
        }
    } else if (pk->key_type == BR_KEYTYPE_EC) {
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = store_copy(a, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
        if (!ta->pkey.key.ec.q) {
            a->used = mark;
            return TL_TLS_PEM_FULL;
        }
    } else {
        a->used = mark;
        return TL_TLS_PEM_BAD_CERT;
    }
    a->count++;
    return TL_TLS_PEM_OK;
}

typedef struct {
    tl_tls_anchors *a;
    unsigned char *scratch;
    size_t scratch_len;
} anchor_arg;

static unsigned char *anchor_dest(void *arg, size_t *cap)
{
    anchor_arg *x = arg;
    *cap = x->scratch_len;
    return x->scratch;
}

static int anchor_take(void *arg, const unsigned char *der, size_t len)
{
    return add_anchor(((anchor_arg *)arg)->a, der, len);
}

tl_tls_pem_status tl_tls_anchors_add_pem(tl_tls_anchors *a, const char *pem,
                                         size_t len, unsigned char *scratch,
                                         size_t scratch_len)
{
    anchor_arg x;
    tl_tls__pem_handler h;
    x.a = a;
    x.scratch = scratch;
    x.scratch_len = scratch_len;
    h.wants = is_certificate;
    h.dest = anchor_dest;
    h.take = anchor_take;
    h.arg = &x;
    h.none = TL_TLS_PEM_NONE;
    h.malformed = TL_TLS_PEM_MALFORMED;
    h.full = TL_TLS_PEM_FULL;
    return (tl_tls_pem_status)tl_tls__pem_each(pem, len, &h);
}

static int add_chain_cert(void *arg, const unsigned char *der, size_t len)
{
    tl_tls_chain *c = arg;
    br_x509_decoder_context dc;
    if (c->count >= TL_TLS_MAX_CHAIN)
        return TL_TLS_PEM_FULL;
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, der, len);
    if (!br_x509_decoder_get_pkey(&dc))
        return TL_TLS_PEM_BAD_CERT;
    c->cert[c->count].data = (unsigned char *)der;
    c->cert[c->count].data_len = len;
    c->count++;
    c->used += len;
    return TL_TLS_PEM_OK;
}

/* Each certificate is decoded straight into the free part of the store,
 * which add_chain_cert() then claims. */
static unsigned char *chain_dest(void *arg, size_t *cap)
{
    tl_tls_chain *c = arg;
    *cap = sizeof c->store - c->used;
    return c->store + c->used;
}

tl_tls_pem_status tl_tls_chain_add_pem(tl_tls_chain *c, const char *pem, size_t len)
{
    tl_tls__pem_handler h;
    h.wants = is_certificate;
    h.dest = chain_dest;
    h.take = add_chain_cert;
    h.arg = c;
    h.none = TL_TLS_PEM_NONE;
    h.malformed = TL_TLS_PEM_MALFORMED;
    h.full = TL_TLS_PEM_FULL;
    return (tl_tls_pem_status)tl_tls__pem_each(pem, len, &h);
}

/* The key's DER goes into a fixed buffer (P-256 keys are ~140 bytes) and is
 * decoded at once; later keys in the same text are ignored. */
typedef struct {
    unsigned char buf[512];
    uint8_t *key;
    int found;
} key_arg;

static int is_private_key(const char *name)
{
    return strcmp(name, "EC PRIVATE KEY") == 0 || strcmp(name, "PRIVATE KEY") == 0;
}

static unsigned char *key_dest(void *arg, size_t *cap)
{
    key_arg *k = arg;
    *cap = sizeof k->buf;
    return k->buf;
}

static int key_take(void *arg, const unsigned char *der, size_t len)
{
    key_arg *k = arg;
    br_skey_decoder_context kd;
    const br_ec_private_key *ec;
    tl_tls_pem_status st = TL_TLS_PEM_OK;
    if (k->found)
        return TL_TLS_PEM_OK;
    br_skey_decoder_init(&kd);
    br_skey_decoder_push(&kd, der, len);
    ec = br_skey_decoder_get_ec(&kd);
    if (!ec || ec->curve != BR_EC_secp256r1 || ec->xlen > 32) {
        st = TL_TLS_PEM_BAD_CERT;
    } else {
        memset(k->key, 0, 32);
        memcpy(k->key + 32 - ec->xlen, ec->x, ec->xlen);
        k->found = 1;
    }
    memset(&kd, 0, sizeof kd);          /* no key bytes left behind */
    return st;
}

tl_tls_pem_status tl_tls_pem_decode_key(const char *pem, size_t len, uint8_t key[32])
{
    key_arg k;
    tl_tls__pem_handler h;
    tl_tls_pem_status st;
    k.key = key;
    k.found = 0;
    h.wants = is_private_key;
    h.dest = key_dest;
    h.take = key_take;
    h.arg = &k;
    h.none = TL_TLS_PEM_NONE;
    h.malformed = TL_TLS_PEM_MALFORMED;
    h.full = TL_TLS_PEM_FULL;
    st = (tl_tls_pem_status)tl_tls__pem_each(pem, len, &h);
    memset(k.buf, 0, sizeof k.buf);
    /* A key too large for the buffer (RSA) is not a P-256 key either. */
    return st == TL_TLS_PEM_FULL ? TL_TLS_PEM_BAD_CERT : st;
}

const char *tl_tls_pem_status_text(tl_tls_pem_status st)
{
#if !TL_TLS_ERROR_TEXT
    static const char word[][10] = { "ok", "none", "malformed", "bad cert", "full" };
    return (unsigned)st <= TL_TLS_PEM_FULL ? word[st] : "?";
#else
    switch (st) {
    case TL_TLS_PEM_OK: return "ok";
    case TL_TLS_PEM_NONE: return "no certificate found (expected -----BEGIN CERTIFICATE-----)";
    case TL_TLS_PEM_MALFORMED: return "malformed PEM (bad framing or base64)";
    case TL_TLS_PEM_BAD_CERT: return "not a usable X.509 certificate";
    case TL_TLS_PEM_FULL: return "too many or too large certificates for the storage";
    }
    return "unknown error";
#endif
}
