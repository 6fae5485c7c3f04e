/*
 * Internal to src/tls: a strict DER reader for hostile input (CRLs). A span
 * is a window on the input; each reader takes one element off its front and
 * returns 0, or -1 on anything that is not strict DER (BER's indefinite or
 * non-minimal lengths, lengths past the end, wrong tags).
 */
#ifndef TL_TLS_DER_H
#define TL_TLS_DER_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const unsigned char *p;
    size_t len;
} tl_tls__span;

/* One element tagged `tag` (a single-byte tag): its content in *body, the
 * whole element in *whole (either may be NULL). */
int tl_tls__der_take(tl_tls__span *in, unsigned tag, tl_tls__span *body, tl_tls__span *whole);

/* Whether the next element is tagged `tag`. */
int tl_tls__der_peek(const tl_tls__span *in, unsigned tag);

/* A UTCTime or GeneralizedTime in RFC 5280's form (seconds, "Z") as days
 * since 0000-01-01 and seconds in the day, as BearSSL counts time. */
int tl_tls__der_time(tl_tls__span *in, uint32_t *days, uint32_t *secs);

/* in holds exactly one Extensions SEQUENCE (RFC 5280): well-formed, each
 * critical flag a DER BOOLEAN; *critical set if one is TRUE. */
int tl_tls__der_extensions(tl_tls__span in, int *critical);

#endif
