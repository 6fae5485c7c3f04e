/*
 * Internal to src/tls: the PEM object loop shared by the certificate, key
 * and CRL loaders, and a strict DER reader for hostile input (CRLs). A span
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

/*
 * What to do with the PEM objects of some kind: which names (wants), where
 * an object's DER goes (dest: a buffer and its capacity), and then what
 * (take: 0, or the caller's error code, which stops the loop). The loop
 * reports its own failures with the caller's codes: none (no wanted object
 * in the text), malformed (bad PEM or base64, BEGIN without END) and full
 * (an object larger than dest's capacity).
 */
typedef struct {
    int (*wants)(const char *name);
    unsigned char *(*dest)(void *arg, size_t *cap);
    int (*take)(void *arg, const unsigned char *der, size_t len);
    void *arg;
    int none, malformed, full;
} tl_tls__pem_handler;

/* Call h->take for each wanted object in pem; 0 when at least one was
 * taken, else one of h's codes or take's. */
int tl_tls__pem_each(const char *pem, size_t len, const tl_tls__pem_handler *h);

#endif
