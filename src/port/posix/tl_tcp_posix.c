/* tl_tcp on POSIX sockets: non-blocking connect, poll() for every timeout. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../tl_tcp.h"

static int wait_fd(int fd, short events, uint32_t timeout_ms)
{
    struct pollfd p;
    int r;
    p.fd = fd;
    p.events = events;
    p.revents = 0;
    do {
        r = poll(&p, 1, (int)timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r;
}

static long tcp_send(const tl_transport_class **ctx, const uint8_t *buf, size_t len,
                     uint32_t timeout_ms)
{
    tl_tcp *t = (tl_tcp *)ctx;
    ssize_t w;
    int r;
    if (t->fd < 0)
        return TL_TRANSPORT_CLOSED;
    r = wait_fd(t->fd, POLLOUT, timeout_ms);
    if (r == 0)
        return 0;
    if (r < 0)
        return TL_TRANSPORT_ERROR;
    w = send(t->fd, buf, len, MSG_NOSIGNAL);
    if (w < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0
             : (errno == EPIPE || errno == ECONNRESET) ? TL_TRANSPORT_CLOSED
             : TL_TRANSPORT_ERROR;
    return (long)w;
}

static long tcp_recv(const tl_transport_class **ctx, uint8_t *buf, size_t len,
                     uint32_t timeout_ms)
{
    tl_tcp *t = (tl_tcp *)ctx;
    ssize_t n;
    int r;
    if (t->fd < 0)
        return TL_TRANSPORT_CLOSED;
    r = wait_fd(t->fd, POLLIN, timeout_ms);
    if (r == 0)
        return 0;
    if (r < 0)
        return TL_TRANSPORT_ERROR;
    n = recv(t->fd, buf, len, 0);
    if (n == 0)
        return TL_TRANSPORT_CLOSED;
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0
             : errno == ECONNRESET ? TL_TRANSPORT_CLOSED : TL_TRANSPORT_ERROR;
    return (long)n;
}

static void tcp_close(const tl_transport_class **ctx)
{
    tl_tcp *t = (tl_tcp *)ctx;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
}

static const tl_transport_class tcp_class = { tcp_send, tcp_recv, tcp_close };

/* Try one address; 0 when connected. */
static int try_connect(int fd, const struct addrinfo *ai, uint32_t timeout_ms)
{
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    if (wait_fd(fd, POLLOUT, timeout_ms) <= 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        return -1;
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

int tl_tcp_connect(tl_tcp *t, const char *host, unsigned port,
                   uint32_t timeout_ms, char *err, size_t errcap)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[8];
    int rc, saved = 0;

    t->vtable = &tcp_class;
    t->fd = -1;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof service, "%u", port);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        snprintf(err, errcap, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int one = 1;
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (try_connect(fd, ai, timeout_ms) == 0) {
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            t->fd = fd;
            break;
        }
        saved = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (t->fd < 0) {
        snprintf(err, errcap, "cannot connect to %s:%u: %s", host, port, strerror(saved));
        return -1;
    }
    return 0;
}
