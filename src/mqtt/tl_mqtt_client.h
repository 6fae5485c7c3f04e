/*
 * tl_mqtt_client: an MQTT 3.1.1 client session over a tl_transport (device
 * side: C99, no allocation, no globals, no platform headers).
 *
 * An explicit state machine driven by tl_mqtt_client_poll(): each call does
 * the I/O it can (connect when the backoff allows, send queued QoS 1
 * messages, keep-alive, receive and dispatch packets) and returns within
 * about timeout_ms. The client never knows about TCP or TLS: it asks the
 * application's connect callback for a connected transport, and closes it
 * through the transport class.
 *
 *   DISCONNECTED --backoff over, connect cb ok, CONNECT sent--> CONNECTING
 *   CONNECTING   --CONNACK accepted--> CONNECTED
 *   any          --error, refusal, timeout, peer closed--> DISCONNECTED
 *   any          --tl_mqtt_client_disconnect()--> STOPPED
 *
 * QoS 1 publishes go through the journal (tl_mqtt_journal.h) first: a message
 * is accepted only once it is stored, is sent when the window allows, and
 * leaves the journal when its PUBACK arrives. After a reconnect (or a
 * restart, the journal being reopened) every message that may have been sent
 * goes out again with DUP=1. Journal full: TL_MQTT_CLIENT_ERR_QUEUE_FULL.
 *
 * Incoming QoS 1 publishes are acknowledged after on_message returns. A
 * PUBLISH larger than the receive buffer is skipped as it streams in (its
 * topic and packet id are still checked), acknowledged if QoS 1 (else the
 * broker would resend it on every reconnect, a loop), and reported: the
 * DROPPED log event and on_dropped. Any other packet too big for the
 * buffer, and every malformed one, ends the connection cleanly with the
 * codec's reason passed to the log callback.
 *
 * Logging is by numbers: the log callback gets an event and a detail code
 * (the codec's status, the CONNACK return code...), so a device carries no
 * log texts; tl_mqtt_client_event_text() and tl_mqtt_client_detail_text()
 * turn them into words where there is a console to read them.
 *
 * Poison messages: a broker refuses a QoS 1 publish it will not take (AWS
 * IoT for a topic the policy denies) by closing the connection, without a
 * PUBACK. Replayed first after every reconnect, such a message would block
 * the journal forever. The rule: a closure by the peer (transport error
 * while connected) is a strike against the journal head when the head went
 * out on that connection and no PUBACK at all arrived after it. After the
 * first strike the head is sent alone (nothing else in flight) until it is
 * acknowledged, so further strikes point at it and nothing else; after
 * poison_strikes strikes in a row it is marked dead in the journal
 * (tl_mqtt_journal_dead), on_dead reports it with its topic, and the queue
 * moves on. A PUBACK for it clears the strikes; timeouts and refused
 * CONNECTs never count. Strikes live in RAM: a restart begins again at 0.
 *
 * Reconnect backoff: attempt n (0 after every accepted CONNACK) waits a
 * uniformly random time in [min, min(max, min * 2^(n+1))] ms: exponential
 * growth with full jitter above the floor, so a fleet does not reconnect in
 * step after a broker outage, and never sooner than min (AWS IoT allows one
 * CONNECT per second per client id).
 */
#ifndef TL_MQTT_CLIENT_H
#define TL_MQTT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "../tls/tl_transport.h"
#include "tl_mqtt.h"
#include "tl_mqtt_journal.h"

typedef enum {
    TL_MQTT_CLIENT_OK = 0,
    TL_MQTT_CLIENT_ERR_ARGUMENT,      /* bad argument or invalid topic/filter */
    TL_MQTT_CLIENT_ERR_NOT_CONNECTED, /* QoS 0 / SUBSCRIBE while not connected */
    TL_MQTT_CLIENT_ERR_QUEUE_FULL,    /* the QoS 1 journal is full */
    TL_MQTT_CLIENT_ERR_WINDOW_FULL,   /* no packet id free in the window */
    TL_MQTT_CLIENT_ERR_TOO_BIG,       /* packet larger than a buffer */
    TL_MQTT_CLIENT_ERR_JOURNAL,       /* journal storage error (or no journal) */
    TL_MQTT_CLIENT_ERR_TRANSPORT,     /* connect failed, I/O error, peer closed */
    TL_MQTT_CLIENT_ERR_PROTOCOL,      /* malformed/oversize/unexpected packet */
    TL_MQTT_CLIENT_ERR_REFUSED,       /* CONNACK with a non-zero return code */
    TL_MQTT_CLIENT_ERR_TIMEOUT,       /* no CONNACK or PINGRESP in time */
    TL_MQTT_CLIENT_ERR_STOPPED        /* tl_mqtt_client_disconnect() was called */
} tl_mqtt_client_status;

typedef enum {
    TL_MQTT_CLIENT_DISCONNECTED = 0,
    TL_MQTT_CLIENT_CONNECTING,
    TL_MQTT_CLIENT_CONNECTED,
    TL_MQTT_CLIENT_STOPPED
} tl_mqtt_client_state;

/*
 * What the client logs: X(name, detail, text). The detail code that comes
 * with an event is, by the second column:
 *   NONE    0
 *   CODEC   a tl_mqtt_status
 *   JOURNAL a tl_mqtt_journal_status
 *   CONNACK the CONNACK return code (1..5)
 *   IO      a transport failure: 0 timed out, 1 closed by the peer
 *           (TL_TRANSPORT_CLOSED), 2 I/O error
 *   ACK     the acknowledgement that did not come: TL_MQTT_CONNACK or
 *           TL_MQTT_PINGRESP
 *   ID      a packet id
 *   SEQ     a journal sequence number
 *   BYTES   a size in bytes
 */
#define TL_MQTT_CLIENT_EVENTS(X) \
    X(CANNOT_CONNECT, NONE, "cannot connect") \
    X(BAD_CONNECT, CODEC, "bad CONNECT settings") \
    X(SEND_FAILED, IO, "send failed") \
    X(CONNECTION_LOST, IO, "connection lost") \
    X(MALFORMED, CODEC, "malformed packet from the broker") \
    X(REFUSED, CONNACK, "connection refused by the broker") \
    X(NO_ANSWER, ACK, "broker did not answer") \
    X(UNREADABLE, JOURNAL, "journal record unreadable, left in place") \
    X(UNSENDABLE, CODEC, "stored message cannot be sent") \
    X(STRAY_ACK, ID, "PUBACK, SUBACK or UNSUBACK for a packet id not in flight, ignored") \
    X(ACK_LOST, JOURNAL, \
      "could not record an acknowledgement (the message may be sent again)") \
    X(GIVEN_UP, SEQ, \
      "QoS 1 message given up: the broker closed the connection right after it each time " \
      "(topic not allowed?)") \
    X(DEAD_LOST, JOURNAL, \
      "could not record a message as given up (it is sent again after a restart)") \
    X(DROPPED, BYTES, "PUBLISH larger than the receive buffer skipped (payload bytes)")

typedef enum {
#define TL_MQTT__EVENT(name, detail, text) TL_MQTT_LOG_##name,
    TL_MQTT_CLIENT_EVENTS(TL_MQTT__EVENT)
#undef TL_MQTT__EVENT
    TL_MQTT__LOG_COUNT
} tl_mqtt_client_event;

/* Time and randomness from the platform. sleep_ms may be NULL (poll then
 * returns at once while waiting for the backoff). */
typedef struct {
    uint32_t (*now_ms)(void *ctx);    /* monotonic milliseconds, may wrap */
    uint32_t (*random)(void *ctx);    /* for the backoff jitter */
    void (*sleep_ms)(void *ctx, uint32_t ms);
    void *ctx;
} tl_mqtt_port;

/* What the client tells the application. Every pointer may be NULL except
 * connect. Callbacks must not call tl_mqtt_client_poll(). */
typedef struct {
    /* Open a connected transport (TCP, TLS over TCP...) or return NULL. */
    const tl_transport_class **(*connect)(void *user);
    void (*on_connect)(void *user, int session_present);
    void (*on_disconnect)(void *user, tl_mqtt_client_status why);
    /* A PUBLISH from the broker; QoS 1 is acknowledged after this returns. */
    void (*on_message)(void *user, const tl_mqtt_publish *msg);
    /* SUBACK: one code per filter (0, 1 granted QoS; 0x80 refused). */
    void (*on_suback)(void *user, uint16_t packet_id, const uint8_t *codes, size_t count);
    void (*on_unsuback)(void *user, uint16_t packet_id);
    /* The broker acknowledged QoS 1 message seq (journal sequence). */
    void (*on_delivered)(void *user, uint32_t seq);
    /* Something worth a log line: an event and its detail code (see
     * TL_MQTT_CLIENT_EVENTS). */
    void (*log)(void *user, tl_mqtt_client_event what, uint32_t detail);
    void *user;
    /* QoS 1 message seq was given up as refused by the broker (see the
     * overview); msg (topic, payload) is valid during the call only. */
    void (*on_dead)(void *user, const tl_mqtt_journal_msg *msg);
    /* A PUBLISH larger than rx was skipped (and acknowledged if QoS 1): msg
     * has its topic, QoS and packet id, payload NULL and payload_len the
     * size the payload had. Same signature as on_message, so one handler
     * can take both and tell them apart by the NULL payload. */
    void (*on_dropped)(void *user, const tl_mqtt_publish *msg);
} tl_mqtt_callbacks;

typedef struct {
    tl_mqtt_connect connect;       /* client id, clean session, keep-alive, will */
    tl_mqtt_options codec;         /* aws_limits for AWS IoT Core */
    uint32_t reconnect_min_ms;     /* backoff floor (0: 1000) */
    uint32_t reconnect_max_ms;     /* backoff ceiling (0 or < min: min) */
    uint32_t response_timeout_ms;  /* CONNACK and PINGRESP (0: 10000) */
    uint32_t io_timeout_ms;        /* sending one whole packet (0: 10000) */
    size_t window;                 /* packets in flight, 1..TL_MQTT_INFLIGHT_MAX (0: max) */
    unsigned poison_strikes;       /* closures right after the journal head before it is
                                      given up (0: TL_MQTT_POISON_STRIKES) */
} tl_mqtt_client_config;

#ifndef TL_MQTT_POISON_STRIKES
#define TL_MQTT_POISON_STRIKES 3
#endif

typedef struct {
    tl_mqtt_client_config cfg;
    tl_mqtt_port port;
    tl_mqtt_callbacks cb;
    tl_mqtt_journal *journal;
    const tl_transport_class **t;
    uint8_t *tx;
    size_t tx_cap;
    tl_mqtt_decoder dec;
    uint8_t raw[256];              /* bytes received, not yet fed */
    tl_mqtt_inflight inflight;     /* a PUBLISH's tag is its journal sequence */
    uint8_t state;                 /* tl_mqtt_client_state */
    int ping_out;
    int session_present;
    unsigned attempt;
    uint32_t next_attempt_ms, last_tx_ms, deadline_ms;
    tl_mqtt_client_status last_error;
    uint32_t acks;                 /* PUBACKs on this connection */
    uint32_t head_seq, head_acks;  /* journal head sent on this connection, acks then */
    int head_sent;
    uint32_t suspect_seq;          /* poison candidate and its strikes */
    unsigned strikes;
    uint32_t connections;          /* CONNACKs accepted so far (read it freely) */
} tl_mqtt_client;

/*
 * Set up a client. journal (opened by the caller) is needed for QoS 1
 * publishes and may be NULL otherwise. tx holds each outgoing packet but
 * PUBLISH payloads (size it for CONNECT and SUBSCRIBE); rx bounds incoming
 * packet bodies: a larger PUBLISH is skipped (on_dropped; its topic and
 * packet id must fit in rx), any other larger packet is a protocol error.
 * Neither holds anything across the connect callback (CONNECT is encoded
 * and the decoder reset after it returns), so that callback may use their
 * bytes, e.g. for a TLS handshake's validation state (tl_tls_client_spare).
 * The first poll connects at once.
 */
tl_mqtt_client_status tl_mqtt_client_init(tl_mqtt_client *c, const tl_mqtt_client_config *cfg,
                                          const tl_mqtt_port *port,
                                          const tl_mqtt_callbacks *cb, tl_mqtt_journal *journal,
                                          uint8_t *tx, size_t tx_cap, uint8_t *rx,
                                          size_t rx_cap);

/* Do the I/O that is due, waiting at most about timeout_ms for input.
 * Returns OK, or the reason the connection was lost during this call (the
 * client reconnects by itself on a later call), or ERR_STOPPED. */
tl_mqtt_client_status tl_mqtt_client_poll(tl_mqtt_client *c, uint32_t timeout_ms);

/*
 * Publish. QoS 0: sent now, only while connected. QoS 1: stored in the
 * journal (*seq gets its sequence, may be NULL) and sent when possible,
 * connected or not; ERR_QUEUE_FULL when the journal is full.
 */
tl_mqtt_client_status tl_mqtt_client_publish(tl_mqtt_client *c, const char *topic,
                                             size_t topic_len, const uint8_t *payload,
                                             size_t payload_len, uint8_t qos, int retain,
                                             uint32_t *seq);

/* SUBSCRIBE (connected only); *packet_id identifies the SUBACK. */
tl_mqtt_client_status tl_mqtt_client_subscribe(tl_mqtt_client *c, const tl_mqtt_filter *filters,
                                               size_t count, uint16_t *packet_id);

/* UNSUBSCRIBE (connected only). */
tl_mqtt_client_status tl_mqtt_client_unsubscribe(tl_mqtt_client *c, const tl_mqtt_str *filters,
                                                 size_t count, uint16_t *packet_id);

/* Send DISCONNECT if connected, close the transport, stop reconnecting.
 * Unacknowledged QoS 1 messages stay in the journal. */
void tl_mqtt_client_disconnect(tl_mqtt_client *c);

/* Blocking convenience: poll until every QoS 1 message is acknowledged (and
 * the client is connected), or timeout_ms passed (ERR_TIMEOUT). */
tl_mqtt_client_status tl_mqtt_client_flush(tl_mqtt_client *c, uint32_t timeout_ms);

/* The state, and the last error (sticky until the next accepted CONNACK). */
tl_mqtt_client_state tl_mqtt_client_get_state(const tl_mqtt_client *c);
tl_mqtt_client_status tl_mqtt_client_last_error(const tl_mqtt_client *c);

/* The delay before reconnect attempt n (see the overview), drawing from the
 * port's random source. */
uint32_t tl_mqtt_client_backoff_ms(const tl_mqtt_client *c, unsigned attempt);

/* Texts for a console (tl_mqtt_client_text.c; a device that never calls
 * them does not carry them): a sentence for a status; what an event says;
 * the words for its detail code ("" when the number is all there is). */
const char *tl_mqtt_client_status_text(tl_mqtt_client_status st);
const char *tl_mqtt_client_event_text(tl_mqtt_client_event ev);
const char *tl_mqtt_client_detail_text(tl_mqtt_client_event ev, uint32_t detail);

#endif
