/*
 * tl_tcp: a TCP connection as a tl_transport (POSIX port).
 */
#ifndef TL_TCP_H
#define TL_TCP_H

#include "../tls/tl_transport.h"

typedef struct {
    const tl_transport_class *vtable;
    int fd;
} tl_tcp;

/*
 * Connect to host:port within timeout_ms. Returns 0, or -1 with a message
 * ("cannot resolve ...", "connection refused by ...") in err.
 */
int tl_tcp_connect(tl_tcp *t, const char *host, unsigned port,
                   uint32_t timeout_ms, char *err, size_t errcap);

#endif
