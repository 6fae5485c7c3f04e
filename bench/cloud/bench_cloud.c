/*
 * bench_cloud: the client side of the local cloud's benchmarks (run by
 * bench/cloud/run.sh from scripts/bench). OpenSSL and a handful of
 * hand-written MQTT 3.1.1 packets, nothing else, so that the client costs less
 * than the broker it measures: it does not verify the server's certificate
 * chain (one ECDSA verification less than the broker, which verifies the
 * client's chain and its CertificateVerify). Sessions are never resumed:
 * every connection is a full mutual-TLS handshake.
 *
 *   bench_cloud rate PORT CERT KEY PREFIX THREADS COUNT BROKER_PID
 *       COUNT connections (handshake, CONNECT, CONNACK, DISCONNECT), THREADS
 *       at a time, client ids PREFIX<thread>
 *   bench_cloud rtt PORT CERT KEY CLIENT_ID COUNT shadow|echo
 *       COUNT round trips: a shadow update until its update/accepted, or a
 *       publish until the broker delivers it back (QoS 0 both)
 *   bench_cloud hold PORT CERT KEY PREFIX COUNT BROKER_PID
 *       COUNT connections held at once (client ids PREFIX<i>), each answering
 *       a PINGREQ; the broker's VmRSS before and after
 *
 * Each prints one JSON object on stdout, or a message on stderr and exits 1.
 */
#define _GNU_SOURCE   /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

typedef struct {
    int fd;
    SSL *ssl;
} conn;

static SSL_CTX *ctx;
static unsigned short port;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_all(conn *c, const unsigned char *p, size_t n)
{
    return SSL_write(c->ssl, p, (int)n) == (int)n ? 0 : -1;
}

static int read_all(conn *c, unsigned char *p, size_t n)
{
    while (n > 0) {
        int r = SSL_read(c->ssl, p, (int)n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* One MQTT packet: its first byte in *type, its body in buf. */
static int read_packet(conn *c, unsigned char *type, unsigned char *buf, size_t cap, size_t *len)
{
    unsigned char b;
    size_t n = 0;
    int shift = 0;
    if (read_all(c, type, 1) != 0)
        return -1;
    do {
        if (shift > 21 || read_all(c, &b, 1) != 0)
            return -1;
        n |= (size_t)(b & 0x7F) << shift;
        shift += 7;
    } while (b & 0x80);
    if (n > cap || read_all(c, buf, n) != 0)
        return -1;
    *len = n;
    return 0;
}

/* A packet: its first byte, the remaining length, the body. */
static int send_packet(conn *c, unsigned char type, const unsigned char *body, size_t n)
{
    unsigned char buf[1024];
    size_t k = 1, m = n;
    if (n > sizeof buf - 5)
        return -1;
    buf[0] = type;
    do {
        buf[k] = (unsigned char)(m & 0x7F);
        m >>= 7;
        if (m)
            buf[k] |= 0x80;
        k++;
    } while (m);
    if (n)
        memcpy(buf + k, body, n);
    return write_all(c, buf, k + n);
}

static size_t put_str(unsigned char *p, const char *s)
{
    size_t n = strlen(s);
    p[0] = (unsigned char)(n >> 8);
    p[1] = (unsigned char)n;
    memcpy(p + 2, s, n);
    return n + 2;
}

static void conn_close(conn *c)
{
    if (c->ssl)
        SSL_free(c->ssl);
    if (c->fd >= 0)
        close(c->fd);
    c->ssl = NULL;
    c->fd = -1;
}

/* TCP, full TLS handshake, CONNECT (clean session), CONNACK accepted. */
static int conn_open(conn *c, const char *client_id, unsigned keepalive)
{
    static const unsigned char hdr[] = { 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02 };
    struct sockaddr_in a;
    unsigned char body[300], type;
    size_t n = sizeof hdr, len;
    int one = 1;

    c->ssl = NULL;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0 || !(c->ssl = SSL_new(ctx)) ||
        !SSL_set_fd(c->ssl, c->fd) || SSL_connect(c->ssl) != 1)
        goto fail;
    memcpy(body, hdr, n);
    body[n++] = (unsigned char)(keepalive >> 8);
    body[n++] = (unsigned char)keepalive;
    if (strlen(client_id) > 200)
        goto fail;
    n += put_str(body + n, client_id);
    if (send_packet(c, 0x10, body, n) != 0 || read_packet(c, &type, body, sizeof body, &len) != 0 ||
        type != 0x20 || len != 2 || body[1] != 0)
        goto fail;
    return 0;
fail:
    conn_close(c);
    return -1;
}

/* DISCONNECT, then wait for the broker to close, so that the broker (not
 * the client) holds the TIME_WAIT and the ephemeral ports last. */
static void conn_disconnect(conn *c)
{
    unsigned char b;
    if (send_packet(c, 0xE0, NULL, 0) == 0)
        (void)SSL_read(c->ssl, &b, 1);
    conn_close(c);
}

/* User + system CPU seconds of a process, from /proc/PID/stat. */
static double proc_cpu_s(long pid)
{
    char path[64], buf[1024], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (!(f = fopen(path, "r")))
        return -1;
    p = fgets(buf, sizeof buf, f);
    fclose(f);
    if (!p || !(p = strrchr(buf, ')')) ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* VmRSS of a process in bytes. */
static long proc_rss(long pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

static double self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

typedef struct {
    char client_id[64];
    long count;
    long failures;
    pthread_t thread;
} worker;

static void *rate_worker(void *arg)
{
    worker *w = arg;
    long i;
    for (i = 0; i < w->count; i++) {
        conn c;
        if (conn_open(&c, w->client_id, 60) != 0) {
            w->failures++;
            continue;
        }
        conn_disconnect(&c);
    }
    return NULL;
}

static int cmd_rate(const char *prefix, long threads, long count, long pid)
{
    worker *w = calloc((size_t)threads, sizeof *w);
    double t0, t1, b0, b1, c0;
    long i, failures = 0;
    if (!w || threads < 1 || count < threads)
        return 1;
    for (i = 0; i < threads; i++) {
        snprintf(w[i].client_id, sizeof w[i].client_id, "%s%ld", prefix, i);
        w[i].count = count / threads + (i < count % threads);
    }
    b0 = proc_cpu_s(pid);
    c0 = self_cpu_s();
    t0 = now_s();
    for (i = 0; i < threads; i++)
        if (pthread_create(&w[i].thread, NULL, rate_worker, &w[i]) != 0)
            return 1;
    for (i = 0; i < threads; i++) {
        pthread_join(w[i].thread, NULL);
        failures += w[i].failures;
    }
    t1 = now_s();
    b1 = proc_cpu_s(pid);
    printf("{\"connections\":%ld,\"failures\":%ld,\"threads\":%ld,\"seconds\":%.3f,"
           "\"per_s\":%.1f,\"broker_cpu_s\":%.3f,\"client_cpu_s\":%.3f}\n",
           count - failures, failures, threads, t1 - t0, (count - failures) / (t1 - t0), b1 - b0,
           self_cpu_s() - c0);
    free(w);
    if (failures) {
        fprintf(stderr, "bench_cloud: %ld of %ld connections failed\n", failures, count);
        return 1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmd_rtt(const char *id, long count, int shadow)
{
    unsigned char body[4096], type;
    char topic[160], reply[160], payload[128], token[32];
    double *t = calloc((size_t)count, sizeof *t), sum = 0;
    size_t n, len;
    long i, warm = 20;
    conn c;

    if (!t || conn_open(&c, id, 60) != 0) {
        fprintf(stderr, "bench_cloud: cannot connect as %s\n", id);
        return 1;
    }
    snprintf(topic, sizeof topic, shadow ? "$aws/things/%s/shadow/update" : "bench/%s/echo", id);
    if (shadow)
        snprintf(reply, sizeof reply, "$aws/things/%s/shadow/update/accepted", id);
    else
        snprintf(reply, sizeof reply, "%s", topic);   /* the echo comes back on its topic */
    n = 0;
    body[n++] = 0;
    body[n++] = 1;   /* packet id */
    n += put_str(body + n, reply);
    body[n++] = 0;   /* QoS 0 */
    if (send_packet(&c, 0x82, body, n) != 0 || read_packet(&c, &type, body, sizeof body, &len) != 0 ||
        type != 0x90 || len != 3 || body[2] == 0x80) {
        fprintf(stderr, "bench_cloud: subscription to %s refused\n", reply);
        return 1;
    }
    for (i = -warm; i < count; i++) {
        double t0 = now_s();
        int plen;
        snprintf(token, sizeof token, "\"t%ld\"", i + warm);
        plen = shadow ? snprintf(payload, sizeof payload,
                                 "{\"state\":{\"reported\":{\"n\":%ld}},\"clientToken\":%s}", i, token)
                      : snprintf(payload, sizeof payload, "{\"echo\":%s}", token);
        n = put_str(body, topic);
        memcpy(body + n, payload, (size_t)plen);
        if (send_packet(&c, 0x30, body, n + (size_t)plen) != 0)
            goto lost;
        for (;;) {   /* until our token comes back; other messages pass */
            if (read_packet(&c, &type, body, sizeof body - 1, &len) != 0)
                goto lost;
            body[len] = '\0';
            if ((type & 0xF0) == 0x30 && len > 2 &&
                memmem(body, len, token, strlen(token)) != NULL)
                break;
        }
        if (i >= 0) {
            t[i] = now_s() - t0;
            sum += t[i];
        }
    }
    conn_disconnect(&c);
    qsort(t, (size_t)count, sizeof *t, cmp_double);
    printf("{\"kind\":\"%s\",\"count\":%ld,\"p50_us\":%.0f,\"p99_us\":%.0f,\"mean_us\":%.0f,"
           "\"max_us\":%.0f}\n", shadow ? "shadow" : "echo", count, t[count / 2] * 1e6,
           t[(count * 99) / 100] * 1e6, sum / count * 1e6, t[count - 1] * 1e6);
    free(t);
    return 0;
lost:
    fprintf(stderr, "bench_cloud: connection lost in round trip %ld on %s\n", i, topic);
    return 1;
}

static int cmd_hold(const char *prefix, long count, long pid)
{
    static const unsigned char ping = 0xC0;
    conn *c = calloc((size_t)count + 1, sizeof *c), *warm;
    unsigned char body[16], type;
    char id[80];
    long i, rss0, rss1, answered = 0;
    size_t len;
    double t0;

    if (!c)
        return 1;
    /* One connection first: the broker's one-time costs (TLS and plugin
     * state) are not per-connection costs. */
    warm = &c[count];
    snprintf(id, sizeof id, "%swarm", prefix);
    if (conn_open(warm, id, 0) != 0) {
        fprintf(stderr, "bench_cloud: cannot connect as %s\n", id);
        return 1;
    }
    rss0 = proc_rss(pid);
    t0 = now_s();
    for (i = 0; i < count; i++) {
        snprintf(id, sizeof id, "%s%ld", prefix, i);
        if (conn_open(&c[i], id, 0) != 0) {
            fprintf(stderr, "bench_cloud: connection %ld of %ld (%s) refused or failed\n", i + 1,
                    count, id);
            return 1;
        }
    }
    /* Every connection still open and served: one PINGREQ each. */
    for (i = 0; i < count; i++)
        if (send_packet(&c[i], ping, NULL, 0) == 0 &&
            read_packet(&c[i], &type, body, sizeof body, &len) == 0 && type == 0xD0)
            answered++;
    rss1 = proc_rss(pid);
    printf("{\"connections\":%ld,\"answered_ping\":%ld,\"connect_seconds\":%.2f,"
           "\"rss_before\":%ld,\"rss_after\":%ld,\"rss_per_connection\":%ld}\n",
           count, answered, now_s() - t0, rss0, rss1, (rss1 - rss0) / count);
    for (i = 0; i <= count; i++)
        conn_disconnect(&c[i]);
    free(c);
    return answered == count && rss0 > 0 && rss1 > 0 ? 0 : 1;
}

static long num(const char *s, long min)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < min) {
        fprintf(stderr, "bench_cloud: '%s' is not a number >= %ld\n", s, min);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    int rc;
    if (argc < 7) {
        fprintf(stderr, "usage: bench_cloud rate|rtt|hold PORT CERT KEY ... (see the source)\n");
        return 2;
    }
    port = (unsigned short)num(argv[2], 1);
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
        SSL_CTX_use_certificate_chain_file(ctx, argv[3]) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "bench_cloud: cannot load %s / %s\n", argv[3], argv[4]);
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (strcmp(argv[1], "rate") == 0 && argc == 9)
        rc = cmd_rate(argv[5], num(argv[6], 1), num(argv[7], 1), num(argv[8], 1));
    else if (strcmp(argv[1], "rtt") == 0 && argc == 8 &&
             (strcmp(argv[7], "shadow") == 0 || strcmp(argv[7], "echo") == 0))
        rc = cmd_rtt(argv[5], num(argv[6], 1), strcmp(argv[7], "shadow") == 0);
    else if (strcmp(argv[1], "hold") == 0 && argc == 8)
        rc = cmd_hold(argv[5], num(argv[6], 1), num(argv[7], 1));
    else {
        fprintf(stderr, "bench_cloud: bad arguments for '%s' (see the source)\n", argv[1]);
        rc = 2;
    }
    SSL_CTX_free(ctx);
    return rc;
}
