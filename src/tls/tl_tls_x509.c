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
 */
#include <string.h>

#include "tl_tls.h"

static void x_start_chain(const br_x509_class **ctx, const char *server_name)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    x->inner->vtable->start_chain(&x->inner->vtable, server_name);
}

static void x_start_cert(const br_x509_class **ctx, uint32_t length)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    if (!x->have_clock) {
        br_x509_decoder_init(&x->dec, NULL, NULL);
        x->dates_seen = 0;
    }
    x->inner->vtable->start_cert(&x->inner->vtable, length);
}

static void x_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    if (!x->have_clock && !x->dates_seen) {
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
    x->inner->vtable->append(&x->inner->vtable, buf, len);
}

static void x_end_cert(const br_x509_class **ctx)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    x->inner->vtable->end_cert(&x->inner->vtable);
}

static unsigned x_end_chain(const br_x509_class **ctx)
{
    tl_tls_x509 *x = (tl_tls_x509 *)ctx;
    return x->inner->vtable->end_chain(&x->inner->vtable);
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
    br_x509_minimal_set_time(x->inner, days, seconds);
}
