/* The emulator socket server: framing of K/W/R requests over a Unix socket. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tl_emu_server.h"

/* How often blocking waits look at the stop flag and the idle timer. */
#define POLL_MS 100

uint64_t tl_emu_server_clock(void *arg)
{
    struct timespec ts;
    (void)arg;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void set_err(char *err, size_t cap, const char *what, const char *path)
{
    if (err && cap)
        snprintf(err, cap, "%s %s: %s", what, path, strerror(errno));
}

static int fill_addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return -1;
    memcpy(a->sun_path, path, strlen(path) + 1);
    return 0;
}

int tl_emu_server_listen(const char *path, char *err, size_t errcap)
{
    struct sockaddr_un a;
    struct stat st;
    int fd;

    if (fill_addr(&a, path) != 0) {
        snprintf(err, errcap, "socket path too long: %s", path);
        return -1;
    }
    if (lstat(path, &st) == 0) {
        int probe;
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errcap, "%s exists and is not a socket", path);
            return -1;
        }
        /* Someone still answering there: do not steal the socket. */
        probe = socket(AF_UNIX, SOCK_STREAM, 0);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) == 0) {
            close(probe);
            snprintf(err, errcap, "%s is in use by another emulator", path);
            return -1;
        }
        if (probe >= 0)
            close(probe);
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        set_err(err, errcap, "cannot create socket", path);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
        set_err(err, errcap, "cannot listen on", path);
        close(fd);
        return -1;
    }
    return fd;
}

static int stopping(const tl_emu_server_opts *o)
{
    return o->stop && *o->stop;
}

/* Read exactly n bytes; -1 on EOF, error or stop. */
static int read_full(int fd, uint8_t *buf, size_t n, const tl_emu_server_opts *o)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { fd, POLLIN, 0 };
        ssize_t r;
        if (stopping(o))
            return -1;
        if (poll(&p, 1, POLL_MS) <= 0)
            continue;
        r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 0;
}

static int reply(int fd, int status, const uint8_t *data, size_t n)
{
    uint8_t msg[3 + TL_EMU_SERVER_MAX_LEN];
    size_t off = 0, total = 3 + n;
    msg[0] = (uint8_t)status;
    msg[1] = (uint8_t)n;
    msg[2] = (uint8_t)(n >> 8);
    if (n)
        memcpy(msg + 3, data, n);
    while (off < total) {
        ssize_t w = send(fd, msg + off, total - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* One client until it leaves: 0, or -1 if saving failed (fatal). */
static int serve_client(tl_emu *e, int fd, const tl_emu_server_opts *o,
                        char *err, size_t errcap)
{
    uint8_t hdr[3], buf[TL_EMU_SERVER_MAX_LEN];
    for (;;) {
        size_t len;
        int r;
        if (read_full(fd, hdr, 3, o) != 0)
            return 0;
        len = (size_t)hdr[1] | ((size_t)hdr[2] << 8);
        if (len > TL_EMU_SERVER_MAX_LEN || (hdr[0] != 'K' && hdr[0] != 'W' && hdr[0] != 'R')) {
            reply(fd, TL_EMU_NACK, NULL, 0);
            return 0;
        }
        if (hdr[0] == 'R') {
            r = tl_emu_read(e, buf, len);
            if (reply(fd, r, buf, r == TL_EMU_ACK ? len : 0) != 0)
                return 0;
            continue;
        }
        if (read_full(fd, buf, len, o) != 0)
            return 0;
        if (hdr[0] == 'K') {
            uint8_t w[4];
            r = tl_emu_wake(e, w);
            if (reply(fd, r, w, r == TL_EMU_ACK ? 4 : 0) != 0)
                return 0;
            continue;
        }
        r = tl_emu_write(e, buf, len);
        if (tl_emu_dirty(e) && o->save) {
            if (o->save(o->save_arg, e) != 0) {
                snprintf(err, errcap, "cannot save the chip state");
                reply(fd, TL_EMU_NACK, NULL, 0);
                return -1;
            }
        }
        if (reply(fd, r, NULL, 0) != 0)
            return 0;
    }
}

int tl_emu_server_run(tl_emu *e, int listen_fd, const tl_emu_server_opts *o,
                      char *err, size_t errcap)
{
    uint64_t last = tl_emu_server_clock(NULL);
    for (;;) {
        struct pollfd p = { listen_fd, POLLIN, 0 };
        int n, cfd;
        if (stopping(o))
            return 0;
        if (o->idle_timeout_s > 0 &&
            tl_emu_server_clock(NULL) - last >= (uint64_t)o->idle_timeout_s * 1000000u)
            return 0;
        n = poll(&p, 1, POLL_MS);
        if (n < 0 && errno != EINTR) {
            set_err(err, errcap, "poll", "listening socket");
            return -1;
        }
        if (n <= 0)
            continue;
        cfd = accept(listen_fd, NULL, NULL);
        if (cfd < 0)
            continue;
        n = serve_client(e, cfd, o, err, errcap);
        close(cfd);
        last = tl_emu_server_clock(NULL);
        if (n != 0)
            return -1;
    }
}
