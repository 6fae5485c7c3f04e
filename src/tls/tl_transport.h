/*
 * tl_transport: a byte stream with timeouts, the only thing MQTT sees.
 *
 * Plain TCP (src/port/posix/tl_tcp_posix.c) and TLS (tl_tls_client.h)
 * implement it; TLS runs over another transport. Like coreMQTT's transport
 * interface: connecting is implementation-specific, after that everything
 * goes through these three functions. The class pointer is the first field
 * of the implementation's context (BearSSL style).
 */
#ifndef TL_TRANSPORT_H
#define TL_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

/* Errors (negative return values of send and recv). */
#define TL_TRANSPORT_CLOSED  (-1)   /* the peer closed the connection */
#define TL_TRANSPORT_ERROR   (-2)   /* I/O error; the connection is unusable */

typedef struct tl_transport_class tl_transport_class;
struct tl_transport_class {
    /* Send up to len bytes. Returns the count sent (> 0), 0 if nothing could
     * be sent within timeout_ms, or a negative TL_TRANSPORT_* error. */
    long (*send)(const tl_transport_class **ctx, const uint8_t *buf, size_t len,
                 uint32_t timeout_ms);

    /* Receive up to len bytes. Returns the count received (> 0), 0 if
     * nothing arrived within timeout_ms, or a negative TL_TRANSPORT_* error. */
    long (*recv)(const tl_transport_class **ctx, uint8_t *buf, size_t len,
                 uint32_t timeout_ms);

    /* Close the connection (idempotent). */
    void (*close)(const tl_transport_class **ctx);
};

#endif
