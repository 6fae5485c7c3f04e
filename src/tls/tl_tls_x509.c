/*
 * Certificate validation for devices that may not know the time.
 *
 * BearSSL's minimal X.509 engine checks every certificate's dates against
 * one fixed time. A device without a clock only knows a lower bound: the
 * firmware's build time. Using that bound as "now" would refuse every
 * certificate issued after the build (not yet valid), so this wrapper looks
 * at each certificate's validity as it streams by (a br_x509_decoder fed the
 * same bytes just before the minimal engine) and sets the engine's time to
 * max(build time, the certificate's notBefore). The result: notAfter is
 * checked against the build time, notBefore is not checked, and everything
 * else (chain, signatures, names, CA flags) is checked as usual.
 *
 * Once the time is known (tl_tls_client_set_time), the wrapper steps aside.
 * The decoder's validity fields are internal to BearSSL 0.6; the TLS tests
 * pin the behaviour (a fresh certificate accepted, a 2100 clock refused).
 *
 * Revocation (BearSSL has none): with a CRL set, a small DER walker reads
 * the first elements of each certificate as they stream past (serial
 * number, issuer DN hashed on the fly; the rest is ignored), and end_cert
 * looks them up in the CRL. It needs no copy of the certificate and keeps
 * its state in the context, not on the stack. A chain the minimal engine
 * refuses keeps the engine's error; a chain it accepts is then refused if
 * a certificate is revoked, or its issuer's CRL is stale (with a clock), or
 * the walker could not read it (fail closed).
 */
#include <string.h>

#include "tl_tls.h"

#if TL_TLS_CRL

/* Where the walker is in a certificate: the element whose header comes
 * next, or (with scan->left > 0) whose content is streaming. */
enum {
    SC_CERT, SC_TBS, SC_FIRST, SC_VERSION, SC_SERIAL, SC_SIGALG, SC_ISSUER, SC_DONE, SC_FAILED
};

static void scan_start(tl_tls_crl_scan *s)
{
    s->step = SC_CERT;
    s->left = 0;
    s->hpos = 0;
    s->serial_len = 0;
}

/* The content of the current element has been read. */
static void scan_element_done(tl_tls_crl_scan *s)
{
    s->step = s->step == SC_ISSUER ? SC_DONE : (unsigned char)(s->step + 1);
}

/* A complete TLV header (in hdr) announcing `len` content bytes. */
static void scan_header(tl_tls_crl_scan *s, uint32_t len)
{
    unsigned tag = s->hdr[0];
    s->hpos = 0;
    switch (s->step) {
    case SC_CERT:
    case SC_TBS:
        s->step = tag == 0x30 ? (unsigned char)(s->step + 1) : SC_FAILED;
        return;   /* enter: the next byte is the first element's header */
    case SC_FIRST:
        s->step = tag == 0xA0 ? SC_VERSION : tag == 0x02 ? SC_SERIAL : SC_FAILED;
        break;
    case SC_SERIAL:
        if (tag != 0x02)
            s->step = SC_FAILED;
        break;
    case SC_SIGALG:
        if (tag != 0x30)
            s->step = SC_FAILED;
        break;
    case SC_ISSUER:
        if (tag != 0x30) {
            s->step = SC_FAILED;
            break;
        }
        br_sha256_init(&s->issuer);   /* the whole Name, as anchors keep it */
        br_sha256_update(&s->issuer, s->hdr, s->hneed);
        break;
    default:
        return;
    }
    if (s->step == SC_FAILED)
        return;
    s->left = len;
    if (len == 0)
        scan_element_done(s);
}

/* Serial number bytes, without leading zeros (as tl_tls_crl.c keeps them). */
static void scan_serial(tl_tls_crl_scan *s, const unsigned char *buf, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (s->serial_len == 0 && buf[i] == 0 && s->left - i > 1)
            continue;
        if (s->serial_len < TL_TLS_CRL_SERIAL_MAX)
            s->serial[s->serial_len++] = buf[i];
        else
            s->serial_len = TL_TLS_CRL_SERIAL_MAX + 1;   /* in no CRL */
    }
}

static void scan_push(tl_tls_crl_scan *s, const unsigned char *buf, size_t len)
{
    while (len && s->step < SC_DONE) {
        if (s->left) {
            size_t n = len < s->left ? len : s->left;
            if (s->step == SC_SERIAL)
                scan_serial(s, buf, n);
            else if (s->step == SC_ISSUER)
                br_sha256_update(&s->issuer, buf, n);
            buf += n;
            len -= n;
            s->left -= (uint32_t)n;
            if (!s->left)
                scan_element_done(s);
            continue;
        }
        s->hdr[s->hpos++] = *buf++;
        len--;
        if (s->hpos == 2) {
            unsigned k = s->hdr[1] & 0x7Fu;
            if (s->hdr[1] < 0x80) {
                s->hneed = 2;
                scan_header(s, s->hdr[1]);
            } else if (k == 0 || k > 4) {
                s->step = SC_FAILED;   /* indefinite or absurd: not DER */
            } else {
                s->hneed = (unsigned char)(2 + k);
            }
        } else if (s->hpos > 2 && s->hpos == s->hneed) {
            uint32_t l = 0;
            unsigned i;
            for (i = 2; i < s->hneed; i++)
                l = (l << 8) | s->hdr[i];
            scan_header(s, l);
        }
    }
}

/* The certificate has been read: look it up. */
static void scan_end(tl_tls_crl_scan *s, int have_clock)
{
    const tl_tls_crl *crl = s->crl;
    unsigned char h[32];
    size_t i, j;
    if (s->error)
        return;
    if (s->step != SC_DONE) {
        s->error = TL_TLS_ERR_CRL_CHECK;
        return;
    }
    br_sha256_out(&s->issuer, h);
    for (i = 0; i < crl->issuers; i++) {
        if (memcmp(crl->issuer[i], h, sizeof h) != 0)
            continue;
        if (have_clock && crl->next_days[i] &&
            (s->now_days > crl->next_days[i] ||
             (s->now_days == crl->next_days[i] && s->now_seconds > crl->next_seconds[i]))) {
            s->error = TL_TLS_ERR_CRL_EXPIRED;
            return;
        }
        for (j = 0; j < crl->count; j++) {
            const tl_tls_crl_entry *e = &crl->entry[j];
            if (e->issuer == i && e->len == s->serial_len &&
                memcmp(e->serial, s->serial, e->len) == 0) {
                s->error = TL_TLS_ERR_REVOKED;
                memcpy(s->revoked, e->serial, e->len);
                s->revoked_len = e->len;
                return;
            }
        }
    }
}

#endif   /* TL_TLS_CRL */

static void x_start_chain(const br_x509_class **ctx, const char *server_name)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
#if TL_TLS_CRL
    x->crl.error = 0;
    x->crl.revoked_len = 0;
#endif
    x->inner->vtable->start_chain(&x->inner->vtable, server_name);
}

static void x_start_cert(const br_x509_class **ctx, uint32_t length)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    if (!x->have_clock) {
        br_x509_decoder_init(&x->dec, NULL, NULL);
        x->dates_seen = 0;
    }
#if TL_TLS_CRL
    if (x->crl.crl)
        scan_start(&x->crl);
#endif
    x->inner->vtable->start_cert(&x->inner->vtable, length);
}

static void x_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    /* Never push into a decoder that has failed: BearSSL's T0 code resumes
     * after `fail` on a broken stack (a crafted certificate crashed here). */
    if (!x->have_clock && !x->dates_seen && x->dec.err == 0) {
        br_x509_decoder_push(&x->dec, buf, len);
        if (x->dec.notafter_days != 0) {
            uint32_t d = x->floor_days, s = x->floor_seconds;
            if (x->dec.notbefore_days > d ||
                (x->dec.notbefore_days == d && x->dec.notbefore_seconds > s)) {
                d = x->dec.notbefore_days;
                s = x->dec.notbefore_seconds;
            }
            br_x509_minimal_set_time(x->inner, d, s);
            x->dates_seen = 1;
        }
    }
#if TL_TLS_CRL
    if (x->crl.crl)
        scan_push(&x->crl, buf, len);
#endif
    x->inner->vtable->append(&x->inner->vtable, buf, len);
}

static void x_end_cert(const br_x509_class **ctx)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
#if TL_TLS_CRL
    if (x->crl.crl)
        scan_end(&x->crl, x->have_clock);
#endif
    x->inner->vtable->end_cert(&x->inner->vtable);
}

static unsigned x_end_chain(const br_x509_class **ctx)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    unsigned err = x->inner->vtable->end_chain(&x->inner->vtable);
#if TL_TLS_CRL
    if (err == 0 && x->crl.crl && x->crl.error)
        err = (unsigned)x->crl.error;
#endif
    return err;
}

static const br_x509_pkey *x_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
    const tl_tls_x509 *x = (const tl_tls_x509 *)ctx;
    return x->inner->vtable->get_pkey(&x->inner->vtable, usages);
}

static const br_x509_class x509_class = {
    sizeof(tl_tls_x509),
    x_start_chain, x_start_cert, x_append, x_end_cert, x_end_chain, x_get_pkey
};

void tl_tls_x509_init(tl_tls_x509 *x, br_x509_minimal_context *inner,
                      uint32_t floor_days, uint32_t floor_seconds)
{
    memset(x, 0, sizeof *x);
    x->vtable = &x509_class;
    x->inner = inner;
    x->floor_days = floor_days;
    x->floor_seconds = floor_seconds;
    br_x509_minimal_set_time(inner, floor_days, floor_seconds);
}

void tl_tls_x509_set_clock(tl_tls_x509 *x, uint32_t days, uint32_t seconds)
{
    x->have_clock = 1;
#if TL_TLS_CRL
    x->crl.now_days = days;
    x->crl.now_seconds = seconds;
#endif
    br_x509_minimal_set_time(x->inner, days, seconds);
}

#if TL_TLS_CRL
/* Here rather than in tl_tls_client.c: the CRL check is this file's. */
void tl_tls_client_set_crl(tl_tls_client *c, const tl_tls_crl *crl)
{
    c->x509.crl.crl = crl;
}

char *tl_tls_client_revoked_serial(const tl_tls_client *c, char *hex, size_t cap)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t i, n = 0;
    for (i = 0; i < c->x509.crl.revoked_len && n + 2 < cap; i++) {
        hex[n++] = digits[c->x509.crl.revoked[i] >> 4];
        hex[n++] = digits[c->x509.crl.revoked[i] & 15];
    }
    if (cap)
        hex[n] = '\0';
    return hex;
}
#endif
