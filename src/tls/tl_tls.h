/*
 * tl_tls: the device's TLS 1.2 client, on BearSSL, with the private key
 * behind a tl_signer (normally the secure element).
 *
 * Pieces, each in its own file:
 *   tl_tls_pem.c     PEM files -> trust anchors and the client chain, copied
 *                    into caller storage (no allocation)
 *   tl_tls_ccert.c   a br_ssl_client_certificate_class whose do_sign goes to
 *                    the signer: the handshake hash is signed by the chip
 *   tl_tls_client.c  engine setup (suites AWS IoT accepts), the handshake and
 *                    a tl_transport on top of another tl_transport
 *
 * What is checked: the server chain up to one of the trust anchors, every
 * signature in it, the server name (SNI and the certificate's names), and
 * the validity dates against the device's notion of time. A device without a
 * clock knows only that it is later than the firmware's build time
 * (TL_TLS_FALLBACK_TIME): a certificate that expired before the firmware was
 * built is refused, one that expired later is accepted, and notBefore is not
 * checked (tl_tls_x509.c). Call tl_tls_client_set_time() as soon as the time
 * is known (SNTP, RTC) to check both dates exactly.
 */
#ifndef TL_TLS_H
#define TL_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "tl_signer.h"
#include "tl_transport.h"

#ifndef TL_TLS_MAX_ANCHORS
#define TL_TLS_MAX_ANCHORS 4
#endif
#ifndef TL_TLS_ANCHOR_STORE
#define TL_TLS_ANCHOR_STORE 1536   /* DNs and public keys of the anchors */
#endif
#ifndef TL_TLS_MAX_CHAIN
#define TL_TLS_MAX_CHAIN 2
#endif
#ifndef TL_TLS_CHAIN_STORE
#define TL_TLS_CHAIN_STORE 2048    /* DER of the client certificate chain */
#endif
#ifndef TL_TLS_FALLBACK_TIME
#define TL_TLS_FALLBACK_TIME 1767225600UL  /* 2026-01-01, overridden by the build */
#endif

/* Trust anchors with their bytes. */
typedef struct {
    br_x509_trust_anchor ta[TL_TLS_MAX_ANCHORS];
    size_t count;
    unsigned char store[TL_TLS_ANCHOR_STORE];
    size_t used;
} tl_tls_anchors;

/* The client's certificate chain (device certificate first). */
typedef struct {
    br_x509_certificate cert[TL_TLS_MAX_CHAIN];
    size_t count;
    unsigned char store[TL_TLS_CHAIN_STORE];
    size_t used;
} tl_tls_chain;

/* Status of the PEM loaders. */
typedef enum {
    TL_TLS_PEM_OK = 0,
    TL_TLS_PEM_NONE,        /* no CERTIFICATE object in the text */
    TL_TLS_PEM_MALFORMED,   /* bad PEM framing or base64 */
    TL_TLS_PEM_BAD_CERT,    /* DER that is not a usable X.509 certificate */
    TL_TLS_PEM_FULL         /* more certificates or bytes than the storage holds */
} tl_tls_pem_status;

/*
 * Add every CERTIFICATE in pem as a trust anchor (CA or not: a pinned server
 * certificate works too). scratch holds one DER certificate while decoding.
 */
tl_tls_pem_status tl_tls_anchors_add_pem(tl_tls_anchors *a, const char *pem,
                                         size_t len, unsigned char *scratch,
                                         size_t scratch_len);

/* Add every CERTIFICATE in pem to the client chain, in order. */
tl_tls_pem_status tl_tls_chain_add_pem(tl_tls_chain *c, const char *pem, size_t len);

/*
 * The first "EC PRIVATE KEY" or "PRIVATE KEY" in pem, which must be a P-256
 * key, as a raw 32-byte scalar (for tl_signer_soft). TL_TLS_PEM_NONE if there
 * is no key, TL_TLS_PEM_BAD_CERT if it is not a P-256 key.
 */
tl_tls_pem_status tl_tls_pem_decode_key(const char *pem, size_t len, uint8_t key[32]);

const char *tl_tls_pem_status_text(tl_tls_pem_status st);

/* The signer-backed client certificate class (tl_tls_ccert.c). */
typedef struct {
    const br_ssl_client_certificate_class *vtable;
    const tl_signer_class **signer;
    const br_x509_certificate *chain;
    size_t chain_len;
    int sign_error;      /* set when the signer failed during a handshake */
} tl_tls_ccert;

void tl_tls_ccert_init(tl_tls_ccert *cc, const tl_signer_class **signer,
                       const br_x509_certificate *chain, size_t chain_len);

/* The X.509 validator: BearSSL's minimal engine, plus date handling for
 * devices without a clock (tl_tls_x509.c). */
typedef struct {
    const br_x509_class *vtable;
    br_x509_minimal_context *inner;
    br_x509_decoder_context dec;     /* reads each certificate's dates */
    uint32_t floor_days, floor_seconds;
    int have_clock;
    int dates_seen;
} tl_tls_x509;

/* Validate with `inner`; without a clock, expiry is checked against the
 * floor (days since 0000-01-01, seconds in the day) and notBefore is not. */
void tl_tls_x509_init(tl_tls_x509 *x, br_x509_minimal_context *inner,
                      uint32_t floor_days, uint32_t floor_seconds);

/* The time is known: check both dates against it from now on. */
void tl_tls_x509_set_clock(tl_tls_x509 *x, uint32_t days, uint32_t seconds);

/* Errors of our own, beside BearSSL's BR_ERR_* codes. */
#define TL_TLS_ERR_TIMEOUT  1001   /* the peer did not answer in time */
#define TL_TLS_ERR_SIGNER   1002   /* the signer (chip) could not sign */
#define TL_TLS_ERR_CLOSED   1003   /* the peer closed the connection */

/* The TLS client, itself a tl_transport once connected. */
typedef struct {
    const tl_transport_class *vtable;
    br_ssl_client_context sc;
    br_x509_minimal_context xc;
    tl_tls_x509 x509;
    tl_tls_ccert ccert;
    const tl_transport_class **lower;
    const char *alpn[1];
    uint32_t io_timeout_ms;
    int last_error;     /* BR_ERR_* or TL_TLS_ERR_*; 0 if none */
} tl_tls_client;

/*
 * Set up a client: iobuf is the record buffer (BR_SSL_BUFSIZE_BIDI for full
 * size; smaller buffers make the client ask for max_fragment_length, which
 * only helps if the server honours it). signer and chain may be NULL for a
 * connection without client authentication.
 */
void tl_tls_client_init(tl_tls_client *c, unsigned char *iobuf, size_t iobuf_len,
                        const tl_tls_anchors *anchors,
                        const tl_signer_class **signer, const tl_tls_chain *chain);

/* Offer ALPN protocol `proto` (for AWS IoT on port 443: "x-amzn-mqtt-ca"). */
void tl_tls_client_set_alpn(tl_tls_client *c, const char *proto);

/* Validate certificates at this Unix time instead of the fallback time. */
void tl_tls_client_set_time(tl_tls_client *c, uint64_t unix_seconds);

/*
 * Handshake over lower with SNI and name check against server_name.
 * Returns 0, or -1 with tl_tls_client_error() telling why.
 */
int tl_tls_client_connect(tl_tls_client *c, const tl_transport_class **lower,
                          const char *server_name, uint32_t timeout_ms);

/* The last error (BR_ERR_* or TL_TLS_ERR_*) and a sentence for it. */
int tl_tls_client_error(const tl_tls_client *c);
const char *tl_tls_error_text(int err);

#endif
