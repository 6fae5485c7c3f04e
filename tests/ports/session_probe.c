/*
 * session_probe: tl_session (ports/common) on Linux against a real broker,
 * the way an MCU runs it, for tests/ports/test_session_cloud.sh.
 *
 *   session_probe --state CHIP.bin --config C.json --ca CA.pem --cert DEV.pem
 *                 [--seconds N]
 *
 * The board: a real monotonic clock, the chip an in-process emulator loaded
 * from the state file `trustlink chip emulate --state` keeps, flash in RAM
 * holding the three files at the offsets tl_session.h documents, the QoS 1
 * journal in a second RAM flash, TCP from src/port/posix. The probe runs
 * tl_session_start() and then tl_session_step() until N seconds passed, and
 * prints one line per event worth checking:
 *
 *   started host:port mqtt_tx=N mqtt_rx=N
 *   connected #K                     CONNACK accepted (K-th connection)
 *   disconnected: REASON
 *   failure: WHY                     the session's s->why, when it changes
 *   telemetry seq=N queued           {"seq":N} stored in the journal
 *   delivered journal=J              a PUBACK (telemetry or shadow report)
 *   suback codes=C,C,...
 *   message TOPIC bytes=N            every PUBLISH from the broker
 *   dropped TOPIC bytes=N            one larger than the receive buffer
 *                                    (skipped and acknowledged by MQTT)
 *   delta bytes=N                    .../shadow/update/delta
 *   done connections=K seq=N unacked=U
 *
 * SIGTERM or SIGINT ends the loop early, as the time limit does. The probe
 * exits 0 if the session started and connected at least once, else 1.
 *
 * To see those events the probe interposes on the MQTT client's callbacks
 * after tl_session_start() (tl_mqtt_client keeps a copy of them): each
 * wrapper prints and then calls the session's own callback with the
 * session's user pointer, so the session behaves exactly as without it.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/emu/tl_emu.h"
#include "../../src/port/tl_tcp.h"
#include "emu_i2c.h"
#include "tl_qemu_board.h"
#include "tl_session.h"

/* Set by SIGTERM/SIGINT: the loop ends and the summary is printed. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- net: TCP (src/port/posix) ---- */

typedef struct {
    const tl_port_net_class *vtable;
    tl_tcp tcp;
    int connects;
} tcp_net;

static int tn_connect(const tl_port_net_class **ctx, const char *host, uint16_t port,
                      uint32_t timeout_ms, const tl_transport_class ***out)
{
    tcp_net *n = (tcp_net *)(void *)ctx;
    char err[256];
    /* One connection at a time: the previous one is closed by TLS's close,
     * but a stray descriptor must not leak across reconnects either. */
    if (n->tcp.vtable && n->tcp.fd >= 0)
        (*n->tcp.vtable->close)(&n->tcp.vtable);
    n->connects++;
    if (tl_tcp_connect(&n->tcp, host, port, timeout_ms, err, sizeof err) != 0) {
        printf("tcp: %s\n", err);
        return TL_PORT_ERR_IO;
    }
    *out = &n->tcp.vtable;
    return TL_PORT_OK;
}

static const tl_port_net_class tcp_net_class = { tn_connect };

/* ---- the probe ---- */

typedef struct {
    emu_i2c i2c;
    tl_port_flash_ram store, journal;
    uint8_t store_mem[0x3000], journal_mem[0x2000];
    tcp_net net;
    tl_board board;
    tl_mqtt_callbacks orig;          /* the session's callbacks */
    tl_session s;
} probe;

static const tl_transport_class **p_connect(void *user)
{
    probe *p = user;
    return p->orig.connect(p->orig.user);
}

static void p_on_connect(void *user, int session_present)
{
    probe *p = user;
    printf("connected #%u session_present=%d\n", (unsigned)p->s.mqtt.connections,
           session_present);
    if (p->orig.on_connect)
        p->orig.on_connect(p->orig.user, session_present);
}

static void p_on_disconnect(void *user, tl_mqtt_client_status why)
{
    probe *p = user;
    printf("disconnected: %s\n", tl_mqtt_client_status_text(why));
    if (p->orig.on_disconnect)
        p->orig.on_disconnect(p->orig.user, why);
}

static void p_on_message(void *user, const tl_mqtt_publish *m)
{
    probe *p = user;
    static const char delta[] = "/shadow/update/delta";
    size_t dl = sizeof delta - 1;
    printf("message %.*s bytes=%zu\n", (int)m->topic.len, m->topic.ptr, m->payload_len);
    if (m->topic.len >= dl && memcmp(m->topic.ptr + m->topic.len - dl, delta, dl) == 0)
        printf("delta bytes=%zu\n", m->payload_len);
    if (p->orig.on_message)
        p->orig.on_message(p->orig.user, m);
}

static void p_on_dropped(void *user, const tl_mqtt_publish *m)
{
    probe *p = user;
    printf("dropped %.*s bytes=%zu\n", (int)m->topic.len, m->topic.ptr, m->payload_len);
    if (p->orig.on_dropped)
        p->orig.on_dropped(p->orig.user, m);
}

static void p_on_suback(void *user, uint16_t id, const uint8_t *codes, size_t n)
{
    probe *p = user;
    size_t i;
    printf("suback codes=");
    for (i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", codes[i]);
    printf("\n");
    if (p->orig.on_suback)
        p->orig.on_suback(p->orig.user, id, codes, n);
}

static void p_on_delivered(void *user, uint32_t seq)
{
    probe *p = user;
    printf("delivered journal=%u\n", (unsigned)seq);
    if (p->orig.on_delivered)
        p->orig.on_delivered(p->orig.user, seq);
}

static int load_file(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) {
        fprintf(stderr, "session_probe: cannot open %s\n", path);
        return -1;
    }
    n = fread(buf, 1, cap, f);
    if (n == cap && fgetc(f) != EOF) {
        fprintf(stderr, "session_probe: %s is larger than %zu bytes\n", path, cap - 1);
        fclose(f);
        return -1;
    }
    fclose(f);
    *len = n;
    return 0;
}

/* A file into the board's flash at off (at most a 4 KB region, NUL-ended). */
static int flash_file(probe *p, uint32_t off, const char *path)
{
    uint8_t buf[TL_SESSION_PEM_MAX];
    size_t n;
    if (load_file(path, buf, sizeof buf - 1, &n) != 0)
        return -1;
    if (n == 0)
        return 0;
    if (p->store.vtable->write(&p->store.vtable, off, buf, n) != TL_PORT_OK) {
        fprintf(stderr, "session_probe: cannot write %s to flash\n", path);
        return -1;
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: session_probe --state CHIP.bin --config C.json --ca CA.pem "
                    "--cert DEV.pem [--seconds N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *state = NULL, *config = NULL, *ca = NULL, *cert = NULL;
    long seconds = 10;
    uint8_t img[TL_EMU_EEPROM_IMAGE_MAX + 1];
    size_t img_len;
    probe *p;
    uint32_t start, last_seq = 0, last_unacked = 0;
    char last_why[sizeof p->s.why] = "";
    int i, rc = 1;

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGTERM, on_stop_signal);
    signal(SIGINT, on_stop_signal);
    for (i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--state"))
            state = argv[i + 1];
        else if (!strcmp(argv[i], "--config"))
            config = argv[i + 1];
        else if (!strcmp(argv[i], "--ca"))
            ca = argv[i + 1];
        else if (!strcmp(argv[i], "--cert"))
            cert = argv[i + 1];
        else if (!strcmp(argv[i], "--seconds"))
            seconds = strtol(argv[i + 1], NULL, 10);
        else
            return usage();
    }
    if (i != argc || !state || !config || !ca || !cert || seconds < 1 || seconds > 3600)
        return usage();

    p = calloc(1, sizeof *p);
    if (!p)
        return 1;
    emu_i2c_init(&p->i2c, malloc(tl_emu_context_size()));
    if (!p->i2c.emu || load_file(state, img, sizeof img, &img_len) != 0)
        goto out;
    if (tl_emu_load(p->i2c.emu, img, img_len) != 0) {
        fprintf(stderr, "session_probe: %s is not a chip state file\n", state);
        goto out;
    }
    tl_port_flash_ram_init(&p->store, p->store_mem, sizeof p->store_mem, 0x1000);
    tl_port_flash_ram_init(&p->journal, p->journal_mem, sizeof p->journal_mem, 0x800);
    if (flash_file(p, TL_SESSION_CONFIG_AT, config) || flash_file(p, TL_SESSION_CA_AT, ca) ||
        flash_file(p, TL_SESSION_CERT_AT, cert))
        goto out;
    p->net.vtable = &tcp_net_class;
    p->net.tcp.fd = -1;
    p->board.clock = &tl_port_hosted_clock;   /* CLOCK_MONOTONIC */
    p->board.i2c = &p->i2c.vtable;
    p->board.flash = &p->store.vtable;
    p->board.journal_flash = &p->journal.vtable;
    p->board.net = &p->net.vtable;
    p->board.chip_addr = 0x60;

    if (tl_session_start(&p->s, &p->board) != 0) {
        printf("failure: %s\n", p->s.why);
        goto out;
    }
    {
        size_t spare;
        tl_tls_client_spare(&p->s.tls, &spare);
        /* The MQTT buffers' sizes: the largest packet the session takes in. */
        printf("started %s:%u mqtt_tx=%u mqtt_rx=%zu\n", p->s.host, (unsigned)p->s.port,
               (unsigned)TL_SESSION_MQTT_TX, spare - TL_SESSION_MQTT_TX - TL_SESSION_JOURNAL_WORK);
    }
    p->orig = p->s.mqtt.cb;
    p->s.mqtt.cb.connect = p_connect;
    p->s.mqtt.cb.on_connect = p_on_connect;
    p->s.mqtt.cb.on_disconnect = p_on_disconnect;
    p->s.mqtt.cb.on_message = p_on_message;
    p->s.mqtt.cb.on_dropped = p_on_dropped;
    p->s.mqtt.cb.on_suback = p_on_suback;
    p->s.mqtt.cb.on_delivered = p_on_delivered;
    p->s.mqtt.cb.user = p;

    start = tl_port_hosted_clock->now_ms(p->board.clock);
    while (!stop_requested && tl_port_hosted_clock->now_ms(p->board.clock) - start < (uint32_t)seconds * 1000u) {
        uint32_t unacked;
        tl_session_step(&p->s, 100);
        if (strcmp(p->s.why, last_why) != 0) {
            printf("failure: %s\n", p->s.why);
            memcpy(last_why, p->s.why, sizeof last_why);
        }
        for (; last_seq < p->s.seq; last_seq++)
            printf("telemetry seq=%u queued\n", (unsigned)last_seq);
        unacked = (uint32_t)tl_mqtt_journal_count(&p->s.journal);
        if (unacked != last_unacked) {
            printf("unacked=%u\n", (unsigned)unacked);
            last_unacked = unacked;
        }
    }
    printf("done connections=%u seq=%u unacked=%u\n", (unsigned)p->s.mqtt.connections,
           (unsigned)p->s.seq, (unsigned)tl_mqtt_journal_count(&p->s.journal));
    tl_mqtt_client_disconnect(&p->s.mqtt);
    rc = p->s.mqtt.connections > 0 ? 0 : 1;
out:
    free(p->i2c.emu);
    free(p);
    return rc;
}
