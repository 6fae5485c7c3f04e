/*
 * Host only (POSIX): the emulator socket client. Each bus operation is one
 * request/reply of the protocol in ../shared/DESIGN.md:
 *   request [op u8][len u16 LE][payload], reply [status u8][n u16 LE][n bytes].
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../tl_hal.h"

#define SELF(ctx) ((tl_bus_emu_sock *)(void *)(ctx))

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One request; the reply's payload (at most cap bytes) into out. */
static int request(tl_bus_emu_sock *b, uint8_t op, const uint8_t *data, size_t len,
                   uint16_t len_field, uint8_t *out, size_t cap, size_t *got)
{
    uint8_t hdr[3], rh[3], sink[64];
    size_t n;
    if (b->fd < 0 || len > 0xFFFF)
        return TL_BUS_IO;
    hdr[0] = op;
    hdr[1] = (uint8_t)(len_field & 0xFF);
    hdr[2] = (uint8_t)(len_field >> 8);
    if (send_all(b->fd, hdr, 3) || (len && send_all(b->fd, data, len)))
        return TL_BUS_IO;
    if (recv_all(b->fd, rh, 3))
        return TL_BUS_IO;
    n = (size_t)rh[1] | (size_t)rh[2] << 8;
    if (got)
        *got = n;
    if (n > cap) {
        /* More than we asked for: a protocol error; drain and fail. */
        while (n) {
            size_t k = n < sizeof sink ? n : sizeof sink;
            if (recv_all(b->fd, sink, k))
                break;
            n -= k;
        }
        return TL_BUS_IO;
    }
    if (n && recv_all(b->fd, out, n))
        return TL_BUS_IO;
    if (rh[0] == 1)
        return TL_BUS_NACK;
    return rh[0] == 0 ? TL_BUS_OK : TL_BUS_IO;
}

static int es_wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    size_t got = 0;
    int rc = request(SELF(ctx), 'K', NULL, 0, 0, resp, 4, &got);
    if (rc == TL_BUS_OK && got != 4)
        return TL_BUS_NACK;
    return rc;
}

static int es_write(const tl_bus_class **ctx, const uint8_t *data, size_t len)
{
    return request(SELF(ctx), 'W', data, len, (uint16_t)len, NULL, 0, NULL);
}

static int es_read(const tl_bus_class **ctx, uint8_t *data, size_t len)
{
    size_t got = 0;
    int rc;
    if (len > 0xFFFF)
        return TL_BUS_IO;
    rc = request(SELF(ctx), 'R', NULL, 0, (uint16_t)len, data, len, &got);
    if (rc == TL_BUS_OK && got != len)
        return TL_BUS_IO;
    return rc;
}

static void es_delay(const tl_bus_class **ctx, uint32_t us)
{
    struct timespec ts;
    (void)ctx;
    ts.tv_sec = (time_t)(us / 1000000u);
    ts.tv_nsec = (long)(us % 1000000u) * 1000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static const tl_bus_class emu_sock_class = { es_wake, es_write, es_read, es_delay };

int tl_bus_emu_sock_open(tl_bus_emu_sock *b, const char *path, char *err, size_t errcap)
{
    struct sockaddr_un sa;
    struct timeval tv;
    b->vtable = &emu_sock_class;
    b->fd = -1;
    if (!path || !path[0] || strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errcap, "emu:%s: socket path empty or too long", path ? path : "");
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    b->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (b->fd < 0) {
        snprintf(err, errcap, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(b->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errcap, "cannot connect to emulator at %s: %s", path, strerror(errno));
        close(b->fd);
        b->fd = -1;
        return -1;
    }
    /* A hung emulator must not hang the driver: a reply takes milliseconds. */
    tv.tv_sec = 10;
    tv.tv_usec = 0;
    setsockopt(b->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(b->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return 0;
}

void tl_bus_emu_sock_close(tl_bus_emu_sock *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}
