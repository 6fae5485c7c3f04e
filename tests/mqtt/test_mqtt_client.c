/* The MQTT client state machine against a scripted in-memory transport and
 * a fake clock: connect, QoS 1 both ways, keep-alive, malformed input,
 * DUP after reconnect and after a restart, poison messages given up, SUBACK
 * codes, UNSUBSCRIBE, queue full, backoff bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mqtt/tl_mqtt_client.h"
#include "mqtt_test_util.h"

/* The broker side: bytes it will send, bytes it got. */
typedef struct {
    const tl_transport_class *vtable;
    uint8_t in[2048];
    size_t in_len, in_pos;
    uint8_t out[8192];
    size_t out_len;
    int closed, eof;
    size_t chunk;                /* at most this many bytes per recv (0: any) */
    size_t pad_at, pad_left;     /* at in[pad_at], pad_left bytes 'p' first */
} fake_transport;

typedef struct {
    fake_transport t;
    uint32_t now, rnd;
    int connects, refuse_connect;
    int connected_cb, disconnected_cb;
    tl_mqtt_client_status why;
    char log_what[160], log_why[128];
    tl_mqtt_client_event log_ev;
    uint32_t log_detail;
    int logs;
    int messages;
    size_t out_at_message;       /* transport bytes sent when on_message ran */
    int dropped;                 /* on_dropped: calls, and the last one's fields */
    char dropped_topic[32];
    size_t dropped_len;
    uint16_t dropped_id;
    uint8_t dropped_qos;
    int dropped_null;            /* its payload was NULL */
    uint8_t codes[8];
    size_t ncodes;
    uint32_t delivered;
} world;

static world w;

static long t_send(const tl_transport_class **ctx, const uint8_t *buf, size_t len, uint32_t ms)
{
    fake_transport *t = (fake_transport *)ctx;
    (void)ms;
    if (t->closed)
        return TL_TRANSPORT_CLOSED;
    assert_true(t->out_len + len <= sizeof t->out);
    memcpy(t->out + t->out_len, buf, len);
    t->out_len += len;
    return (long)len;
}

static long t_recv(const tl_transport_class **ctx, uint8_t *buf, size_t len, uint32_t ms)
{
    fake_transport *t = (fake_transport *)ctx;
    size_t n = t->in_len - t->in_pos;
    int pad = t->pad_left > 0 && t->in_pos == t->pad_at;
    if (pad)
        n = t->pad_left;
    else if (t->pad_left > 0 && t->in_pos < t->pad_at && n > t->pad_at - t->in_pos)
        n = t->pad_at - t->in_pos;
    if (t->closed || (t->eof && n == 0))
        return TL_TRANSPORT_CLOSED;
    if (n == 0) {
        w.now += ms;   /* nothing to read: the wait passes */
        return 0;
    }
    if (n > len)
        n = len;
    if (t->chunk && n > t->chunk)
        n = t->chunk;
    if (pad) {
        memset(buf, 'p', n);
        t->pad_left -= n;
        return (long)n;
    }
    memcpy(buf, t->in + t->in_pos, n);
    t->in_pos += n;
    return (long)n;
}

static void t_close(const tl_transport_class **ctx) { ((fake_transport *)ctx)->closed = 1; }

static const tl_transport_class fake_class = { t_send, t_recv, t_close };

static uint8_t tx[512], rx[256];

static const tl_transport_class **cb_connect(void *user)
{
    (void)user;
    w.connects++;
    /* The client keeps nothing in its buffers across this callback (a
     * device lends them to the TLS handshake): scribble over them. */
    memset(tx, 0xA5, sizeof tx);
    memset(rx, 0x5A, sizeof rx);
    if (w.refuse_connect)
        return NULL;
    memset(&w.t, 0, sizeof w.t);
    w.t.vtable = &fake_class;
    return &w.t.vtable;
}

static void cb_on_connect(void *u, int sp) { (void)u; (void)sp; w.connected_cb++; }
static void cb_on_disconnect(void *u, tl_mqtt_client_status why)
{
    (void)u, w.disconnected_cb++, w.why = why;
}
static void cb_on_message(void *u, const tl_mqtt_publish *p)
{
    (void)u, (void)p, w.messages++, w.out_at_message = w.t.out_len;
}
static void cb_on_dropped(void *u, const tl_mqtt_publish *p)
{
    (void)u;
    w.dropped++;
    snprintf(w.dropped_topic, sizeof w.dropped_topic, "%.*s", (int)p->topic.len, p->topic.ptr);
    w.dropped_len = p->payload_len;
    w.dropped_id = p->packet_id;
    w.dropped_qos = p->qos;
    w.dropped_null = p->payload == NULL;
    w.out_at_message = w.t.out_len;
}
static void cb_on_suback(void *u, uint16_t id, const uint8_t *codes, size_t n)
{
    (void)u, (void)id;
    memcpy(w.codes, codes, n);
    w.ncodes = n;
}
static void cb_on_delivered(void *u, uint32_t seq) { (void)u; w.delivered = seq + 1; }
static void cb_log(void *u, tl_mqtt_client_event ev, uint32_t detail)
{
    (void)u;
    w.log_ev = ev;
    w.log_detail = detail;
    w.logs++;
    snprintf(w.log_what, sizeof w.log_what, "%s", tl_mqtt_client_event_text(ev));
    snprintf(w.log_why, sizeof w.log_why, "%s", tl_mqtt_client_detail_text(ev, detail));
}
static uint32_t p_now(void *ctx) { (void)ctx; return w.now; }
static uint32_t p_random(void *ctx) { (void)ctx; return w.rnd; }
static void p_sleep(void *ctx, uint32_t ms) { (void)ctx; w.now += ms; }

static tl_mqtt_client c;
static uint8_t ram[16384], work[512];
static tl_mqtt_journal_ram store;
static tl_mqtt_journal journal;

static void setup_client(uint32_t journal_bytes, size_t rx_cap)
{
    tl_mqtt_client_config cfg;
    tl_mqtt_port port = { p_now, p_random, p_sleep, NULL };
    tl_mqtt_callbacks cb = { cb_connect, cb_on_connect, cb_on_disconnect, cb_on_message,
                             cb_on_suback, NULL, cb_on_delivered, cb_log, NULL, NULL,
                             cb_on_dropped };
    memset(&w, 0, sizeof w);
    w.now = 1000;
    memset(&cfg, 0, sizeof cfg);
    cfg.connect.client_id = str("dev1");
    cfg.connect.keep_alive = 30;
    cfg.reconnect_min_ms = 1000;
    cfg.reconnect_max_ms = 8000;
    cfg.response_timeout_ms = 5000;
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, 0);
    assert_int_equal(tl_mqtt_journal_open(&journal, &store.vtable, work, sizeof work,
                                          journal_bytes), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_client_init(&c, &cfg, &port, &cb, &journal, tx, sizeof tx, rx,
                                         rx_cap), TL_MQTT_CLIENT_OK);
}

/* The broker sends these bytes (hex). */
static void feed(const char *h)
{
    w.t.in_len += hex(h, w.t.in + w.t.in_len, sizeof w.t.in - w.t.in_len);
}

/* The client sent exactly these bytes since the last call. */
static size_t seen;
static void expect_sent(const char *h)
{
    uint8_t want[256];
    size_t n = hex(h, want, sizeof want);
    assert_int_equal(w.t.out_len - seen, n);
    assert_memory_equal(w.t.out + seen, want, n);
    seen = w.t.out_len;
}

static void connect_ok(void)
{
    seen = 0;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_get_state(&c), TL_MQTT_CLIENT_CONNECTING);
    /* CONNECT: "MQTT" 4, flags 0 (persistent), keep-alive 30, "dev1". */
    expect_sent("10 10 00 04 4D 51 54 54 04 00 00 1E 00 04 64 65 76 31");
    feed("20 02 00 00");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_get_state(&c), TL_MQTT_CLIENT_CONNECTED);
}

static void test_connect(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    connect_ok();
    assert_int_equal(w.connected_cb, 1);
    assert_int_equal(w.connects, 1);
    tl_mqtt_client_disconnect(&c);
    expect_sent("E0 00");
    assert_true(w.t.closed);
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_STOPPED);
}

static void test_publish_qos1_puback(void **state)
{
    uint32_t seq;
    (void)state;
    setup_client(4096, sizeof rx);
    connect_ok();
    assert_int_equal(tl_mqtt_client_publish(&c, "a/b", 3, (const uint8_t *)"hi", 2, 1, 0, &seq),
                     TL_MQTT_CLIENT_OK);
    expect_sent("32 09 00 03 61 2F 62 00 01 68 69");
    assert_int_equal(tl_mqtt_journal_count(&journal), 1);
    feed("40 02 00 01");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_journal_count(&journal), 0);
    assert_int_equal(w.delivered, seq + 1);
    /* QoS 0 goes straight out and is not journaled. */
    assert_int_equal(tl_mqtt_client_publish(&c, "a", 1, (const uint8_t *)"x", 1, 0, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    expect_sent("30 04 00 01 61 78");
    assert_int_equal(tl_mqtt_client_publish(&c, "a/+", 3, NULL, 0, 1, 0, NULL),
                     TL_MQTT_CLIENT_ERR_ARGUMENT);
}

static void test_incoming_qos1(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    connect_ok();
    feed("32 08 00 01 74 00 07 6D 73 67");   /* topic "t", id 7, "msg" */
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(w.messages, 1);
    assert_int_equal(w.out_at_message, seen);   /* PUBACK only after the callback */
    expect_sent("40 02 00 07");
}

static void test_keep_alive(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    connect_ok();
    w.now += 30000;
    assert_int_equal(tl_mqtt_client_poll(&c, 0), TL_MQTT_CLIENT_OK);
    expect_sent("C0 00");
    feed("D0 00");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(c.ping_out, 0);
    /* The next ping goes unanswered: the connection is dropped. */
    w.now += 30000;
    assert_int_equal(tl_mqtt_client_poll(&c, 0), TL_MQTT_CLIENT_OK);
    expect_sent("C0 00");
    assert_int_equal(tl_mqtt_client_poll(&c, 4000), TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_poll(&c, 4000), TL_MQTT_CLIENT_ERR_TIMEOUT);
    assert_int_equal(tl_mqtt_client_get_state(&c), TL_MQTT_CLIENT_DISCONNECTED);
    assert_true(w.t.closed);
    assert_string_equal(w.log_why, "no PINGRESP in time");
    assert_int_equal(w.log_ev, TL_MQTT_LOG_NO_ANSWER);
    assert_int_equal(w.log_detail, TL_MQTT_PINGRESP);
    assert_int_equal(w.why, TL_MQTT_CLIENT_ERR_TIMEOUT);
}

static void test_malformed_connack(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    seen = 0;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    feed("20 02 00 09");   /* return code 9 does not exist */
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_PROTOCOL);
    assert_true(w.t.closed);
    assert_int_equal(tl_mqtt_client_get_state(&c), TL_MQTT_CLIENT_DISCONNECTED);
    assert_string_equal(w.log_what, "malformed packet from the broker");
    assert_string_equal(w.log_why, tl_mqtt_status_message(TL_MQTT_ERR_RETURN_CODE));
    assert_int_equal(w.log_ev, TL_MQTT_LOG_MALFORMED);
    assert_int_equal(w.log_detail, TL_MQTT_ERR_RETURN_CODE);
    /* A refusal is not malformed: it says why. */
    w.now += 10000;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    feed("20 02 00 05");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_REFUSED);
    assert_string_equal(w.log_why, "not authorized");
    assert_int_equal(w.log_ev, TL_MQTT_LOG_REFUSED);
    assert_int_equal(w.log_detail, TL_MQTT_CONNACK_NOT_AUTHORIZED);
}

/* A packet other than PUBLISH larger than rx still ends the connection. */
static void test_oversize_packet(void **state)
{
    (void)state;
    setup_client(4096, 64);
    connect_ok();
    feed("90 C8 01 00 01");   /* a 200-byte SUBACK, larger than rx */
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_PROTOCOL);
    assert_int_equal(w.log_ev, TL_MQTT_LOG_MALFORMED);
    assert_string_equal(w.log_why, tl_mqtt_status_message(TL_MQTT_ERR_PACKET_TOO_BIG));
    assert_true(w.t.closed);
    assert_int_equal(w.dropped, 0);
}

/* Poll until the broker's bytes are all read (or the client gave up). */
static tl_mqtt_client_status drain(void)
{
    tl_mqtt_client_status cs = TL_MQTT_CLIENT_OK;
    int i;
    for (i = 0; i < 2000 && cs == TL_MQTT_CLIENT_OK && !w.t.closed &&
                (w.t.in_pos < w.t.in_len || w.t.pad_left > 0);
         i++)
        cs = tl_mqtt_client_poll(&c, 10);
    return cs;
}

/* The broker sends a PUBLISH of topic "big/t" with payload bytes of
 * padding, QoS 1 with id 9 or QoS 0; then the next, normal message. */
static void feed_big(size_t payload, int qos)
{
    size_t rem = 2 + 5 + (qos ? 2 : 0) + payload, n = 0;
    uint8_t *p = w.t.in + w.t.in_len;
    p[n++] = qos ? 0x32 : 0x30;
    do {
        p[n++] = (uint8_t)((rem & 0x7F) | (rem > 0x7F ? 0x80 : 0));
        rem >>= 7;
    } while (rem);
    w.t.in_len += n;
    feed(qos ? "00 05 62 69 67 2F 74 00 09" : "00 05 62 69 67 2F 74");
    w.t.pad_at = w.t.in_len;
    w.t.pad_left = payload;
    feed("32 08 00 01 74 00 07 6D 73 67");   /* topic "t", id 7, "msg" */
}

/* feed_big() into a 256-byte rx, chunk bytes per recv (0: as many as fit):
 * the big one is skipped and reported (after it, the log's last word), the
 * connection stays up, the next one arrives as usual; the client sent acks. */
static void skip_one(size_t chunk, size_t payload, int qos, const char *acks)
{
    setup_client(4096, sizeof rx);
    connect_ok();
    w.t.chunk = chunk;
    feed_big(payload, qos);
    assert_int_equal(drain(), TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_get_state(&c), TL_MQTT_CLIENT_CONNECTED);
    assert_false(w.t.closed);
    assert_int_equal(w.connects, 1);
    assert_int_equal(w.dropped, 1);
    assert_string_equal(w.dropped_topic, "big/t");
    assert_int_equal(w.dropped_len, payload);
    assert_int_equal(w.dropped_qos, qos);
    assert_true(w.dropped_null);
    assert_int_equal(w.log_ev, TL_MQTT_LOG_DROPPED);
    assert_int_equal(w.log_detail, payload);
    assert_int_equal(w.messages, 1);
    expect_sent(acks);
}

/* A 5 KB QoS 1 PUBLISH: acknowledged all the same, then the next one. */
static void test_oversize_publish_skipped(void **state)
{
    (void)state;
    skip_one(0, 5000, 1, "40 02 00 09 40 02 00 07");
    assert_int_equal(w.dropped_id, 9);
}

/* The same arriving 7 bytes per recv (the fixed header and the topic split
 * too), and one byte per recv. */
static void test_oversize_publish_split(void **state)
{
    (void)state;
    skip_one(7, 3000, 1, "40 02 00 09 40 02 00 07");
    skip_one(1, 3000, 1, "40 02 00 09 40 02 00 07");
}

/* QoS 0: skipped and reported, nothing to acknowledge. */
static void test_oversize_publish_qos0(void **state)
{
    (void)state;
    skip_one(0, 1000, 0, "40 02 00 07");
}

/* What cannot be skipped safely still ends the connection: the head (hex)
 * and pad bytes of a PUBLISH into a 64-byte rx (aws: with AWS IoT's limits)
 * end it with why, and nothing is reported dropped. */
static void refused(const char *head, size_t pad, int aws, tl_mqtt_status why)
{
    setup_client(4096, 64);
    c.cfg.codec.aws_limits = aws;
    connect_ok();
    feed(head);
    w.t.pad_at = w.t.in_len;
    w.t.pad_left = pad;
    assert_int_equal(drain(), TL_MQTT_CLIENT_ERR_PROTOCOL);
    assert_string_equal(w.log_why, tl_mqtt_status_message(why));
    assert_int_equal(w.dropped, 0);
}

static void test_oversize_publish_refused(void **state)
{
    (void)state;
    /* A 100-byte topic (longer than rx) in a 200-byte PUBLISH. */
    refused("30 C8 01 00 64", 198, 0, TL_MQTT_ERR_STRING_LENGTH);
    /* Topic "a/#". */
    refused("30 C8 01 00 03 61 2F 23", 195, 0, TL_MQTT_ERR_TOPIC_WILDCARD);
    /* A payload one byte over AWS's 128 KB ("big/t", id 9). */
    refused("32 8A 80 08 00 05 62 69 67 2F 74 00 09", TL_MQTT_AWS_MAX_PAYLOAD + 1, 1,
            TL_MQTT_ERR_PAYLOAD_TOO_BIG);
    /* At the limit it is only too big for rx. */
    setup_client(4096, 64);
    c.cfg.codec.aws_limits = 1;
    connect_ok();
    feed_big(TL_MQTT_AWS_MAX_PAYLOAD, 1);
    assert_int_equal(drain(), TL_MQTT_CLIENT_OK);
    assert_int_equal(w.dropped, 1);
    assert_int_equal(w.dropped_len, TL_MQTT_AWS_MAX_PAYLOAD);
}

static void test_dup_after_reconnect(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    connect_ok();
    assert_int_equal(tl_mqtt_client_publish(&c, "a", 1, (const uint8_t *)"1", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    expect_sent("32 06 00 01 61 00 01 31");
    w.t.eof = 1;   /* the broker goes away before the PUBACK */
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
    /* While offline, QoS 1 is still accepted (journaled). */
    assert_int_equal(tl_mqtt_client_publish(&c, "a", 1, (const uint8_t *)"2", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    /* No reconnect before the backoff floor. */
    assert_int_equal(tl_mqtt_client_poll(&c, 500), TL_MQTT_CLIENT_OK);
    assert_int_equal(w.connects, 1);
    w.now += 2000;
    connect_ok();
    assert_int_equal(w.connects, 2);
    /* The first goes again with its id and DUP, alone: the broker closed the
     * connection right after it, so it is suspect (see test_poison). */
    expect_sent("3A 06 00 01 61 00 01 31");
    feed("40 02 00 01");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    /* Acknowledged: the second goes out for the first time. */
    expect_sent("32 06 00 01 61 00 02 32");
}

static int dead_count;
static char dead_topic[32];
static void cb_on_dead(void *u, const tl_mqtt_journal_msg *m)
{
    (void)u;
    dead_count++;
    snprintf(dead_topic, sizeof dead_topic, "%.*s", (int)m->topic_len, m->topic);
}

/* The broker closes the connection right after a message each time: after
 * three such closures it is given up, reported, and the queue moves on. */
static void test_poison(void **state)
{
    int i;
    (void)state;
    setup_client(4096, sizeof rx);
    c.cb.on_dead = cb_on_dead;
    dead_count = 0;
    assert_int_equal(tl_mqtt_client_publish(&c, "x", 1, (const uint8_t *)"1", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_publish(&c, "b", 1, (const uint8_t *)"2", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    connect_ok();
    expect_sent("32 06 00 01 78 00 01 31 32 06 00 01 62 00 02 32");
    for (i = 0; i < 3; i++) {
        w.t.eof = 1;   /* refused: the broker closes, no PUBACK */
        assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
        assert_int_equal(dead_count, i == 2);
        if (i == 2)
            break;
        w.now += 10000;
        connect_ok();
        expect_sent("3A 06 00 01 78 00 01 31");   /* the suspect goes alone */
    }
    assert_string_equal(dead_topic, "x");
    assert_int_equal(tl_mqtt_journal_count(&journal), 1);
    /* The journal says so after a restart too: only "b" is left. */
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, store.len);
    assert_int_equal(tl_mqtt_journal_open(&journal, &store.vtable, work, sizeof work, 4096),
                     TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&journal), 1);
    w.now += 10000;
    connect_ok();
    expect_sent("3A 06 00 01 62 00 02 32");
    feed("40 02 00 02");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_journal_count(&journal), 0);
}

/* A PUBACK after the head went out clears it: a closure then is no strike,
 * and everything goes out again together. */
static void test_no_strike_after_puback(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    assert_int_equal(tl_mqtt_client_publish(&c, "a", 1, (const uint8_t *)"1", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_publish(&c, "a", 1, (const uint8_t *)"2", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    assert_int_equal(tl_mqtt_client_publish(&c, "a", 1, (const uint8_t *)"3", 1, 1, 0, NULL),
                     TL_MQTT_CLIENT_OK);
    connect_ok();
    seen = w.t.out_len;
    feed("40 02 00 03");
    w.t.eof = 1;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
    w.now += 10000;
    connect_ok();
    expect_sent("3A 06 00 01 61 00 01 31 3A 06 00 01 61 00 02 32");
}

/* A restart: messages found in the journal go out with DUP set. */
static void test_replay_after_restart(void **state)
{
    (void)state;
    setup_client(4096, sizeof rx);
    assert_int_equal(tl_mqtt_journal_append(&journal, "r", 1, (const uint8_t *)"x", 1, 0, NULL),
                     TL_MQTT_JOURNAL_OK);
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, store.len);
    assert_int_equal(tl_mqtt_journal_open(&journal, &store.vtable, work, sizeof work, 4096),
                     TL_MQTT_JOURNAL_OK);
    connect_ok();
    expect_sent("3A 06 00 01 72 00 01 78");
}

/* The log callback gets numbers; the text functions put them into words. */
static void test_log_events(void **state)
{
    uint32_t seq;
    int ev;
    (void)state;
    setup_client(4096, sizeof rx);
    c.cfg.poison_strikes = 1;
    connect_ok();
    feed("40 02 00 09");   /* nothing has id 9 */
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(w.log_ev, TL_MQTT_LOG_STRAY_ACK);
    assert_int_equal(w.log_detail, 9);
    assert_string_equal(w.log_why, "");
    feed("90 03 00 63 00");   /* a SUBACK for id 99, never asked for */
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(w.log_ev, TL_MQTT_LOG_STRAY_ACK);
    assert_int_equal(w.log_detail, 99);
    assert_int_equal(w.ncodes, 0);   /* on_suback not called */
    /* Refused by closing right after it (one strike is enough here): given
     * up, and without on_dead the log says so with its sequence number. */
    assert_int_equal(tl_mqtt_client_publish(&c, "x", 1, (const uint8_t *)"1", 1, 1, 0, &seq),
                     TL_MQTT_CLIENT_OK);
    w.logs = 0;
    w.t.eof = 1;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
    assert_int_equal(w.logs, 2);   /* connection lost, then given up */
    assert_int_equal(w.log_ev, TL_MQTT_LOG_GIVEN_UP);
    assert_int_equal(w.log_detail, seq);
    assert_int_equal(tl_mqtt_journal_count(&journal), 0);
    w.now += 10000;
    w.refuse_connect = 1;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
    assert_int_equal(w.log_ev, TL_MQTT_LOG_CANNOT_CONNECT);
    assert_string_equal(w.log_what, "cannot connect");
    w.now += 10000;
    w.refuse_connect = 0;
    connect_ok();
    w.t.eof = 1;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
    assert_int_equal(w.log_ev, TL_MQTT_LOG_CONNECTION_LOST);
    assert_int_equal(w.log_detail, 1);
    assert_string_equal(w.log_what, "connection lost");
    assert_string_equal(w.log_why, "closed by the broker");
    /* Every event has words; so do the detail codes that are not plain
     * numbers. */
    for (ev = 0; ev < TL_MQTT__LOG_COUNT; ev++)
        assert_true(strlen(tl_mqtt_client_event_text((tl_mqtt_client_event)ev)) > 10);
    assert_string_equal(tl_mqtt_client_event_text(TL_MQTT__LOG_COUNT), "unknown event");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT__LOG_COUNT, 1), "");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_SEND_FAILED, 0), "timed out");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_SEND_FAILED, 2), "I/O error");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_SEND_FAILED, 7), "I/O error");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_NO_ANSWER, TL_MQTT_CONNACK),
                        "no CONNACK in time");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_REFUSED, 2),
                        "client id rejected");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_REFUSED, 6),
                        "unknown return code");
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_BAD_CONNECT, TL_MQTT_ERR_UTF8),
                        tl_mqtt_status_message(TL_MQTT_ERR_UTF8));
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_UNREADABLE,
                                                   TL_MQTT_JOURNAL_ERR_CORRUPT),
                        tl_mqtt_journal_status_text(TL_MQTT_JOURNAL_ERR_CORRUPT));
    assert_string_equal(tl_mqtt_client_detail_text(TL_MQTT_LOG_GIVEN_UP, 5), "");
    assert_string_equal(tl_mqtt_client_status_text(TL_MQTT_CLIENT_ERR_TIMEOUT),
                        "broker did not answer in time");
}

static void test_suback_codes_and_queue_full(void **state)
{
    tl_mqtt_filter f[2];
    uint16_t id;
    int n = 0;
    tl_mqtt_client_status st;
    (void)state;
    setup_client(200, sizeof rx);
    connect_ok();
    f[0].filter = str("a/#");
    f[0].qos = 1;
    f[1].filter = str("b");
    f[1].qos = 0;
    assert_int_equal(tl_mqtt_client_subscribe(&c, f, 2, &id), TL_MQTT_CLIENT_OK);
    expect_sent("82 0C 00 01 00 03 61 2F 23 01 00 01 62 00");
    feed("90 04 00 01 01 80");
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
    assert_int_equal(w.ncodes, 2);
    assert_int_equal(w.codes[0], 1);
    assert_int_equal(w.codes[1], TL_MQTT_SUBACK_FAILURE);
    {
        tl_mqtt_str u = str("b");
        assert_int_equal(tl_mqtt_client_unsubscribe(&c, &u, 1, &id), TL_MQTT_CLIENT_OK);
        expect_sent("A2 05 00 02 00 01 62");
        feed("B0 02 00 02");
        assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_OK);
        assert_int_equal(tl_mqtt_inflight_count(&c.inflight), 0);
    }
    /* No PUBACKs come: the small journal fills and says so. */
    while ((st = tl_mqtt_client_publish(&c, "q", 1, (const uint8_t *)"data", 4, 1, 0,
                                        NULL)) == TL_MQTT_CLIENT_OK)
        n++;
    assert_int_equal(st, TL_MQTT_CLIENT_ERR_QUEUE_FULL);
    assert_int_equal((int)tl_mqtt_journal_count(&journal), n);
    assert_true(n > 3);
}

static void test_backoff(void **state)
{
    unsigned attempt;
    uint32_t lcg = 1;
    (void)state;
    setup_client(4096, sizeof rx);
    w.rnd = 0;
    assert_int_equal(tl_mqtt_client_backoff_ms(&c, 0), 1000);
    w.rnd = 1000;   /* attempt 0: [1000, 2000] */
    assert_int_equal(tl_mqtt_client_backoff_ms(&c, 0), 2000);
    w.rnd = 3000;   /* attempt 1: [1000, 4000] */
    assert_int_equal(tl_mqtt_client_backoff_ms(&c, 1), 4000);
    w.rnd = 0xFFFFFFFFu;
    for (attempt = 0; attempt < 40; attempt++)
        assert_true(tl_mqtt_client_backoff_ms(&c, attempt) <= 8000);
    for (attempt = 0; attempt < 6; attempt++) {
        uint32_t hi = attempt >= 2 ? 8000 : 1000u << (attempt + 1), lo_seen = ~0u, hi_seen = 0;
        int i;
        for (i = 0; i < 2000; i++) {
            uint32_t d;
            lcg = lcg * 1664525u + 1013904223u;
            w.rnd = lcg >> 4;
            d = tl_mqtt_client_backoff_ms(&c, attempt);
            assert_true(d >= 1000 && d <= hi);
            lo_seen = d < lo_seen ? d : lo_seen;
            hi_seen = d > hi_seen ? d : hi_seen;
        }
        /* Full jitter: the whole range is used. */
        assert_true(lo_seen < 1000 + (hi - 1000) / 20 + 1);
        assert_true(hi_seen > hi - (hi - 1000) / 20 - 1);
    }
    /* A failing transport is retried after a delay within the bounds. */
    w.refuse_connect = 1;
    w.rnd = 500;
    assert_int_equal(tl_mqtt_client_poll(&c, 10), TL_MQTT_CLIENT_ERR_TRANSPORT);
    assert_int_equal(c.next_attempt_ms - w.now, 1500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect),
        cmocka_unit_test(test_publish_qos1_puback),
        cmocka_unit_test(test_incoming_qos1),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_malformed_connack),
        cmocka_unit_test(test_oversize_packet),
        cmocka_unit_test(test_oversize_publish_skipped),
        cmocka_unit_test(test_oversize_publish_split),
        cmocka_unit_test(test_oversize_publish_qos0),
        cmocka_unit_test(test_oversize_publish_refused),
        cmocka_unit_test(test_dup_after_reconnect),
        cmocka_unit_test(test_poison),
        cmocka_unit_test(test_no_strike_after_puback),
        cmocka_unit_test(test_replay_after_restart),
        cmocka_unit_test(test_suback_codes_and_queue_full),
        cmocka_unit_test(test_log_events),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
