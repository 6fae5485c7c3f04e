/*
 * tl_faultproxy: a TCP proxy on 127.0.0.1 that injects faults between a
 * device and its broker, for the reliability tests (host C11, test tool).
 *
 * Every accepted connection gets its own connection to the target; bytes are
 * forwarded both ways by one poll() loop. Faults hit every open connection at
 * once, on a seeded random schedule (--every MIN-MAX) and on SIGUSR1 (held,
 * when no connection is open, for the next one, so that a test's requested
 * faults all hit a connection):
 *   rst       close both sides with SO_LINGER 0 (the peer sees a reset)
 *   fin       close both sides normally (the peer sees an orderly EOF)
 *   stall     stop forwarding for --stall-ms, then carry on (a blackhole
 *             the peers can only detect by their own timeouts)
 *   truncate  forward only the first part of the next chunk in a random
 *             direction, then reset: a packet cut in the middle
 *   corrupt   flip one bit in the next chunk in a random direction
 * A target that refuses the connection (broker down) closes the client side
 * at once. The proxy exits by itself after --max-seconds, so a test that
 * forgets it cannot leave it running, and prints what it did on stderr.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 32
#define BUF 65536

enum { F_RST, F_FIN, F_STALL, F_TRUNCATE, F_CORRUPT, F_KINDS };
static const char *const kind_name[F_KINDS] = { "rst", "fin", "stall", "truncate", "corrupt" };

typedef struct {
    int fd[2];               /* 0: client, 1: target */
    uint8_t buf[2][BUF];     /* buf[d]: read from fd[d], to be written to fd[!d] */
    size_t len[2], off[2];
    int64_t stall_until;
    int pending;             /* F_TRUNCATE / F_CORRUPT armed, or -1 */
    int pending_dir;
} pair;

typedef struct {
    int listen_fd;
    struct sockaddr_in target;
    uint64_t rng;
    int kinds[F_KINDS], nkinds;
    int64_t every_min, every_max, stall_ms, next_fault, deadline;
    pair *pairs[MAX_PAIRS];
    unsigned long conns, refused, faults[F_KINDS], bytes[2];
    int quiet;
    int owed;                /* SIGUSR1 faults held for the next live connection */
} proxy;

static volatile sig_atomic_t g_usr1, g_stop;
static void on_usr1(int s) { (void)s; g_usr1 = 1; }
static void on_stop(int s) { (void)s; g_stop = 1; }

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t rnd(proxy *p)   /* xorshift64*: reproducible from --seed */
{
    p->rng ^= p->rng >> 12;
    p->rng ^= p->rng << 25;
    p->rng ^= p->rng >> 27;
    return p->rng * 2685821657736338717ULL;
}

static int64_t rnd_range(proxy *p, int64_t lo, int64_t hi)
{
    return hi > lo ? lo + (int64_t)(rnd(p) % (uint64_t)(hi - lo + 1)) : lo;
}


static void close_pair(proxy *p, int i, int reset)
{
    pair *c = p->pairs[i];
    int d;
    for (d = 0; d < 2; d++) {
        if (reset) {
            struct linger l = { 1, 0 };
            (void)setsockopt(c->fd[d], SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        close(c->fd[d]);
    }
    free(c);
    p->pairs[i] = NULL;
}

static void inject(proxy *p, int kind)
{
    int i, hit = 0;
    for (i = 0; i < MAX_PAIRS; i++) {
        pair *c = p->pairs[i];
        if (!c)
            continue;
        hit++;
        if (kind == F_RST || kind == F_FIN) {
            close_pair(p, i, kind == F_RST);
        } else if (kind == F_STALL) {
            c->stall_until = now_ms() + p->stall_ms;
        } else {
            c->pending = kind;
            c->pending_dir = (int)(rnd(p) & 1);
        }
    }
    p->faults[kind]++;
    if (!p->quiet)
        fprintf(stderr, "faultproxy: fault %s on %d connections\n", kind_name[kind], hit);
}

static void accept_one(proxy *p)
{
    int cfd = accept(p->listen_fd, NULL, NULL), tfd, i, one = 1;
    pair *c;
    if (cfd < 0)
        return;
    for (i = 0; i < MAX_PAIRS && p->pairs[i]; i++)
        ;
    tfd = socket(AF_INET, SOCK_STREAM, 0);
    if (i == MAX_PAIRS || tfd < 0 ||
        connect(tfd, (const struct sockaddr *)&p->target, sizeof p->target) != 0 ||
        !(c = calloc(1, sizeof *c))) {
        if (tfd >= 0)
            close(tfd);
        close(cfd);   /* like a broker that is down: the client sees EOF */
        p->refused++;
        return;
    }
    (void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    (void)setsockopt(tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(cfd, F_SETFL, O_NONBLOCK);
    fcntl(tfd, F_SETFL, O_NONBLOCK);
    c->fd[0] = cfd;
    c->fd[1] = tfd;
    c->pending = -1;
    p->pairs[i] = c;
    p->conns++;
}

/* Move bytes of pair i in direction d (read fd[d], write fd[!d]). 0, or -1
 * when the pair was closed. */
static int pump(proxy *p, int i, int d, short rev_in, short rev_out)
{
    pair *c = p->pairs[i];
    if (c->len[d] == 0 && (rev_in & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(c->fd[d], c->buf[d], BUF);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            close_pair(p, i, n < 0);   /* pass a reset on as a reset */
            return -1;
        }
        if (n > 0) {
            c->len[d] = (size_t)n;
            c->off[d] = 0;
            if (c->pending == F_CORRUPT && c->pending_dir == d) {
                c->buf[d][rnd(p) % (uint64_t)n] ^= (uint8_t)(1u << (rnd(p) & 7));
                c->pending = -1;
            } else if (c->pending == F_TRUNCATE && c->pending_dir == d) {
                size_t keep = n > 1 ? (size_t)rnd_range(p, 1, n - 1) : 0;
                if (keep)
                    (void)write(c->fd[!d], c->buf[d], keep);
                close_pair(p, i, 1);
                return -1;
            }
        }
    }
    if (c->len[d] > c->off[d] && (rev_out & POLLOUT)) {
        ssize_t w = write(c->fd[!d], c->buf[d] + c->off[d], c->len[d] - c->off[d]);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            close_pair(p, i, 1);
            return -1;
        }
        if (w > 0) {
            c->off[d] += (size_t)w;
            p->bytes[d] += (unsigned long)w;
            if (c->off[d] == c->len[d])
                c->len[d] = c->off[d] = 0;
        }
    }
    return 0;
}

/* 1 if a connection is open. */
static int live(const proxy *p)
{
    int i;
    for (i = 0; i < MAX_PAIRS; i++)
        if (p->pairs[i])
            return 1;
    return 0;
}

static void loop(proxy *p)
{
    struct pollfd fds[1 + 2 * MAX_PAIRS];
    int idx[MAX_PAIRS];
    while (!g_stop) {
        int64_t t = now_ms(), wait = 200;
        int n = 1, i;
        if (t >= p->deadline)
            break;
        if (g_usr1) {
            g_usr1 = 0;
            p->owed++;
        }
        if (p->owed && live(p)) {
            p->owed--;
            inject(p, p->kinds[rnd(p) % (uint64_t)p->nkinds]);
        }
        if (p->next_fault && t >= p->next_fault) {
            p->next_fault = t + rnd_range(p, p->every_min, p->every_max);
            inject(p, p->kinds[rnd(p) % (uint64_t)p->nkinds]);
        }
        fds[0].fd = p->listen_fd;
        fds[0].events = POLLIN;
        for (i = 0; i < MAX_PAIRS; i++) {
            pair *c = p->pairs[i];
            idx[i] = -1;
            if (!c)
                continue;
            if (c->stall_until > t) {   /* neither read nor write: bytes wait */
                if (c->stall_until - t < wait)
                    wait = c->stall_until - t;
                continue;
            }
            idx[i] = n;
            fds[n].fd = c->fd[0];
            fds[n].events = (short)((c->len[0] ? 0 : POLLIN) | (c->len[1] ? POLLOUT : 0));
            fds[n + 1].fd = c->fd[1];
            fds[n + 1].events = (short)((c->len[1] ? 0 : POLLIN) | (c->len[0] ? POLLOUT : 0));
            n += 2;
        }
        if (p->next_fault && p->next_fault - t < wait)
            wait = p->next_fault - t > 0 ? p->next_fault - t : 0;
        if (poll(fds, (nfds_t)n, (int)wait) < 0) {
            if (errno == EINTR)
                continue;
            perror("faultproxy: poll");
            break;
        }
        for (i = 0; i < MAX_PAIRS; i++) {
            int k = idx[i];
            if (k < 0 || !p->pairs[i])
                continue;
            if (pump(p, i, 0, fds[k].revents, fds[k + 1].revents) == 0)
                (void)pump(p, i, 1, fds[k + 1].revents, fds[k].revents);
        }
        if (fds[0].revents & POLLIN)
            accept_one(p);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: tl_faultproxy --listen PORT --target HOST:PORT [options]\n"
        "A TCP proxy on 127.0.0.1 that cuts, stalls, truncates and corrupts traffic\n"
        "between a client and its server, for reliability tests.\n"
        "  --listen PORT        port to listen on, 127.0.0.1 (0: any; printed on stdout)\n"
        "  --target IP:PORT     where to forward (an IPv4 address)\n"
        "  --faults LIST        comma-separated kinds to draw from (default rst,fin):\n"
        "                       rst, fin, stall, truncate, corrupt\n"
        "  --every MIN-MAX      inject a fault every MIN..MAX ms, uniformly random\n"
        "                       (default: only on SIGUSR1)\n"
        "  --stall-ms N         how long a stall lasts (default 3000)\n"
        "  --seed N             random seed (default from the clock; printed)\n"
        "  --max-seconds N      exit after N seconds (default 300)\n"
        "  --quiet              do not log each fault\n"
        "  --help               this text\n"
        "SIGUSR1 injects one fault now (on the next live connection if none is open); SIGTERM/SIGINT end it. On exit a summary line\n"
        "goes to stderr: connections, refused, faults by kind, bytes each way.\n");
}

static int parse_kinds(proxy *p, const char *list)
{
    char tmp[128], *tok, *save = NULL;
    int k;
    snprintf(tmp, sizeof tmp, "%s", list);
    p->nkinds = 0;
    for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        for (k = 0; k < F_KINDS && strcmp(tok, kind_name[k]); k++)
            ;
        if (k == F_KINDS || p->nkinds == F_KINDS) {
            fprintf(stderr, "tl_faultproxy: --faults: unknown fault '%s'\n", tok);
            return -1;
        }
        p->kinds[p->nkinds++] = k;
    }
    return p->nkinds ? 0 : -1;
}

int main(int argc, char **argv)
{
    static proxy p;
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    long listen_port = -1, max_s = 300, i;
    unsigned long long seed = (unsigned long long)time(NULL) ^ (unsigned long long)getpid() << 20;
    const char *target = NULL;
    int one = 1, k;
    p.stall_ms = 3000;
    parse_kinds(&p, "rst,fin");
    for (i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(o, "--quiet")) {
            p.quiet = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "tl_faultproxy: %s: unknown option or missing value (--help)\n", o);
            return 2;
        }
        i++;
        if (!strcmp(o, "--listen"))
            listen_port = strtol(v, NULL, 10);
        else if (!strcmp(o, "--target"))
            target = v;
        else if (!strcmp(o, "--faults")) {
            if (parse_kinds(&p, v))
                return 2;
        } else if (!strcmp(o, "--every")) {
            char *end;
            p.every_min = strtoll(v, &end, 10);
            p.every_max = *end == '-' ? strtoll(end + 1, &end, 10) : p.every_min;
            if (*end || p.every_min < 1 || p.every_max < p.every_min) {
                fprintf(stderr, "tl_faultproxy: --every '%s': expected MIN-MAX ms\n", v);
                return 2;
            }
        } else if (!strcmp(o, "--stall-ms"))
            p.stall_ms = strtoll(v, NULL, 10);
        else if (!strcmp(o, "--seed"))
            seed = strtoull(v, NULL, 10);
        else if (!strcmp(o, "--max-seconds"))
            max_s = strtol(v, NULL, 10);
        else {
            fprintf(stderr, "tl_faultproxy: unknown option %s (--help)\n", o);
            return 2;
        }
    }
    memset(&p.target, 0, sizeof p.target);
    p.target.sin_family = AF_INET;
    {
        char host[64];
        const char *colon = target ? strrchr(target, ':') : NULL;
        long port = colon ? strtol(colon + 1, NULL, 10) : 0;
        if (!colon || (size_t)(colon - target) >= sizeof host || port < 1 || port > 65535) {
            fprintf(stderr, "tl_faultproxy: --target IP:PORT is required\n");
            return 2;
        }
        memcpy(host, target, (size_t)(colon - target));
        host[colon - target] = '\0';
        if (inet_pton(AF_INET, strcmp(host, "localhost") ? host : "127.0.0.1",
                      &p.target.sin_addr) != 1) {
            fprintf(stderr, "tl_faultproxy: --target: '%s' is not an IPv4 address\n", host);
            return 2;
        }
        p.target.sin_port = htons((uint16_t)port);
    }
    if (listen_port < 0 || listen_port > 65535 || max_s < 1 || p.stall_ms < 0) {
        fprintf(stderr, "tl_faultproxy: --listen 0..65535 is required; --max-seconds >= 1\n");
        return 2;
    }
    p.rng = seed ? seed : 1;
    p.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)listen_port);
    (void)setsockopt(p.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (p.listen_fd < 0 || bind(p.listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(p.listen_fd, 16) != 0 || getsockname(p.listen_fd, (struct sockaddr *)&a, &alen)) {
        fprintf(stderr, "tl_faultproxy: cannot listen on 127.0.0.1:%ld: %s\n", listen_port,
                strerror(errno));
        return 1;
    }
    {   /* sigaction: signal() in strict C11 resets the handler after one use */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        sa.sa_handler = on_stop;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
    }
    p.deadline = now_ms() + max_s * 1000;
    if (p.every_min)
        p.next_fault = now_ms() + rnd_range(&p, p.every_min, p.every_max);
    printf("%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    fprintf(stderr, "faultproxy: 127.0.0.1:%u -> %s, seed %llu\n", (unsigned)ntohs(a.sin_port),
            target, seed);
    loop(&p);
    for (k = 0; k < MAX_PAIRS; k++)
        if (p.pairs[k])
            close_pair(&p, k, 0);
    fprintf(stderr, "faultproxy: summary: %lu connections, %lu refused, faults rst %lu fin %lu "
                    "stall %lu truncate %lu corrupt %lu, bytes up %lu down %lu, held %d\n",
            p.conns, p.refused, p.faults[F_RST], p.faults[F_FIN], p.faults[F_STALL],
            p.faults[F_TRUNCATE], p.faults[F_CORRUPT], p.bytes[0], p.bytes[1], p.owed);
    return 0;
}
