/*
 * tl_shadow: an AWS IoT Device Shadow client (device side: C99, no
 * allocation, no globals, no platform headers).
 *
 * One tl_shadow_client serves one shadow of one thing, classic or named:
 *   $aws/things/<thing>/shadow[/name/<shadow>]/<action>[/<kind>]
 * with <action> get, update or delete and <kind> accepted or rejected
 * (plus delta and documents for update). It never sees MQTT sessions or
 * TLS: it publishes and subscribes through a tl_shadow_io (tl_shadow_io_mqtt
 * fills one in for a tl_mqtt_client), and the application feeds it what its
 * MQTT client receives:
 *
 *   on every CONNACK            tl_shadow_on_connect()    subscribes
 *   on every SUBACK             tl_shadow_handle_suback() then GETs (resync)
 *   on every PUBLISH            tl_shadow_handle_publish()
 *   on every dropped PUBLISH    tl_shadow_handle_publish() too (payload NULL)
 *   now and then (e.g. per poll) tl_shadow_poll()          times requests out
 *
 * Requests (get, update, delete) carry a clientToken made of the caller's
 * prefix and a counter in the context ("<prefix>-<n>"); a response on
 * accepted/rejected is matched by that token, and messages with any other
 * token (or none) are ignored, as they answer somebody else. Each request
 * ends exactly once in on_response: accepted, rejected (AWS's code and
 * message), timed out, or answered with a malformed document.
 *
 * After every (re)connect the client subscribes to its topics (seven;
 * update/documents, the largest messages, only with an on_documents
 * callback) and, once the SUBACK arrives, sends a GET, as AWS recommends:
 * the reply brings the version and any desired state changed while the
 * device was away, which is handed to on_delta like a delta published live.
 * That is the only GET the client sends by itself, once per connection. The
 * shadow version is tracked from every accepted, delta and documents message
 * of this shadow.
 *
 * Incoming documents are checked strictly (tl_json_check) and tokenized
 * (tl_json_tokenize, jsmn) into a bounded token array inside the context; a
 * document larger than TL_SHADOW_PAYLOAD_MAX or needing more than
 * TL_SHADOW_MAX_TOKENS tokens is refused with TL_SHADOW_ERR_TOO_BIG through
 * on_error, never truncated; so is one the MQTT client dropped as larger
 * than its receive buffer (on_dropped). A GET answer refused so ends the
 * GETs waiting with ERR_TOO_BIG at once: nothing is sent again by itself.
 * Outgoing state is limited to AWS's 8 KB (TL_SHADOW_STATE_MAX).
 *
 * Callbacks get spans (pointer, length) into the received payload, valid
 * only during the callback. tl_shadow_json_* read top-level members of such
 * an object span (strings, integers, booleans, nested objects).
 *
 * Names: tl_shadow_* public, tl_shadow__* shared between the module's files.
 * (The cloud side's tl_shadow_svc.h / tl_aws_topic.h use tl_shadow_svc_*,
 * tl_shadow_op and TL_SHADOW_OP_* / TL_SHADOW_SUFFIX_* / TL_SHADOW_MAX_*;
 * this header avoids those names so that both can be included together.)
 */
#ifndef TL_SHADOW_H
#define TL_SHADOW_H

#include <stddef.h>
#include <stdint.h>

/* jsmntok_t for the token array in the context; src/json holds the one
 * tokenizer (tl_json_tokenize). */
#include "../json/tl_json.h"
#include "../mqtt/tl_mqtt.h"
#include "../mqtt/tl_mqtt_client.h"

#ifdef TL_SHADOW_USER_CONFIG
#include TL_SHADOW_USER_CONFIG
#endif

/* ---- Limits (defaults; override with -D or TL_SHADOW_USER_CONFIG) ---- */

/* AWS IoT: thing name, shadow name and clientToken bytes. */
#define TL_SHADOW_THING_MAX 128
#define TL_SHADOW_NAME_MAX 64
#define TL_SHADOW_TOKEN_MAX 64
/* Longest token prefix: leaves room for "-" and a 32-bit counter. */
#define TL_SHADOW_PREFIX_MAX 48
/* Longest shadow topic: "$aws/things/" thing "/shadow/name/" name
 * "/update/documents" is 234 bytes, under AWS's 256. */
#define TL_SHADOW_TOPIC_MAX 256

/* Bytes of the "state" an update may carry (AWS: 8 KB). */
#ifndef TL_SHADOW_STATE_MAX
#define TL_SHADOW_STATE_MAX 8192
#endif
/* Bytes of an incoming document (documents messages carry two states plus
 * metadata). Larger ones are refused. */
#ifndef TL_SHADOW_PAYLOAD_MAX
#define TL_SHADOW_PAYLOAD_MAX 32768
#endif
/* jsmn tokens per incoming document, held in the context. */
#ifndef TL_SHADOW_MAX_TOKENS
#define TL_SHADOW_MAX_TOKENS 256
#endif
/* Requests waiting for their response at once (AWS refuses more than 10). */
#ifndef TL_SHADOW_MAX_PENDING
#define TL_SHADOW_MAX_PENDING 4
#endif
/* Bytes kept of a rejected response's message. */
#ifndef TL_SHADOW_MESSAGE_MAX
#define TL_SHADOW_MESSAGE_MAX 160
#endif
/* 1: tl_shadow_status_text() returns sentences; 0 (device builds) saves
 * about 0.6 KB of flash and returns the status names instead. */
#ifndef TL_SHADOW_STATUS_TEXT
#define TL_SHADOW_STATUS_TEXT 1
#endif
/* Smallest tx buffer: the SUBSCRIBE's eight topics are built in it. */
#define TL_SHADOW_TX_MIN 2048

/* Status codes: X(name, message). The messages are the documentation. */
#define TL_SHADOW_STATUSES(X) \
    X(OK, "success") \
    X(ERR_ARGUMENT, "invalid argument (NULL pointer, thing or shadow name, token prefix)") \
    X(ERR_TOO_BIG, "document larger than allowed (8 KB state, payload limit, buffer or JSON tokens)") \
    X(ERR_JSON, "malformed JSON, or not the document shape AWS IoT sends") \
    X(ERR_BUSY, "too many requests waiting for a response") \
    X(ERR_MQTT, "the MQTT client refused the publish or subscribe") \
    X(ERR_SUBSCRIBE, "the broker refused the shadow topic subscriptions") \
    X(ERR_REJECTED, "the shadow service rejected the request") \
    X(ERR_TIMEOUT, "no response from the shadow service in time") \
    X(ERR_NOT_FOUND, "no such member in the JSON object") \
    X(ERR_TYPE, "the JSON member has another type")

typedef enum {
#define TL_SHADOW__ENUM(name, msg) TL_SHADOW_##name,
    TL_SHADOW_STATUSES(TL_SHADOW__ENUM)
#undef TL_SHADOW__ENUM
    TL_SHADOW__STATUS_COUNT
} tl_shadow_status;

/* Static name ("ERR_TOO_BIG") and sentence of a status. */
const char *tl_shadow_status_name(tl_shadow_status st);
const char *tl_shadow_status_text(tl_shadow_status st);

typedef enum { TL_SHADOW_GET = 0, TL_SHADOW_UPDATE, TL_SHADOW_DELETE } tl_shadow_action;

typedef enum {
    TL_SHADOW_TOPIC_REQUEST = 0,   /* no suffix: what the device publishes */
    TL_SHADOW_TOPIC_ACCEPTED,
    TL_SHADOW_TOPIC_REJECTED,
    TL_SHADOW_TOPIC_DELTA,         /* update only */
    TL_SHADOW_TOPIC_DOCUMENTS      /* update only */
} tl_shadow_topic_kind;

/* "get", "update", "delete". */
const char *tl_shadow_action_name(tl_shadow_action a);

/* A piece of text, not NUL-terminated. */
typedef struct {
    const char *ptr;
    size_t len;
} tl_shadow_span;

/* ---- Names and topics (no client needed) ---- */

/* 1 if name[0..len) is a valid thing name: 1..128 of [A-Za-z0-9:_-]. */
int tl_shadow_thing_name_valid(const char *name, size_t len);

/* 1 if name[0..len) is a valid shadow name: 1..64 of [A-Za-z0-9:_-]. */
int tl_shadow_name_valid(const char *name, size_t len);

/*
 * Build the topic for thing, shadow (NULL or "" for the classic shadow),
 * action and kind into out (NUL-terminated). Returns its length, or -1 for
 * an invalid name, a kind the action does not have (delta/documents with
 * get or delete), or an out buffer too small.
 */
long tl_shadow_build_topic(const char *thing, const char *shadow, tl_shadow_action action,
                           tl_shadow_topic_kind kind, char *out, size_t cap);

/* ---- The client ---- */

/* What the client needs from the MQTT layer. Each returns 0 on success or
 * a non-zero status of the MQTT layer (kept in tl_shadow_mqtt_error()). */
typedef struct {
    int (*publish)(void *ctx, const char *topic, size_t topic_len, const uint8_t *payload,
                   size_t len, uint8_t qos);
    /* Subscribe to count filters; *packet_id identifies the SUBACK. */
    int (*subscribe)(void *ctx, const tl_mqtt_filter *filters, size_t count,
                     uint16_t *packet_id);
    uint32_t (*now_ms)(void *ctx);   /* monotonic milliseconds, may wrap */
    void *ctx;
} tl_shadow_io;

/* How one request ended. */
typedef struct {
    tl_shadow_action action;
    tl_shadow_status status;   /* OK (accepted), ERR_REJECTED, ERR_TIMEOUT,
                                  ERR_JSON (the matched response was malformed),
                                  or ERR_TOO_BIG (a GET's answer was too big) */
    const char *client_token;  /* the request's clientToken, NUL-terminated */
    int resync;                /* the GET the client sent after (re)connecting */
    int code;                  /* rejected: AWS's code (400, 404, 409, ...) */
    const char *message;       /* rejected: AWS's message, NUL-terminated; "" else */
    uint32_t version;          /* the document's version; 0 if it has none */
    tl_shadow_span document;   /* the whole response payload (empty on timeout) */
    tl_shadow_span state;      /* accepted: its "state" object (empty if none) */
} tl_shadow_response;

/* Desired state that differs from the reported state. */
typedef struct {
    tl_shadow_span state;      /* the delta object: {"key": value, ...} */
    uint32_t version;
    int from_get;              /* taken from a GET response's state.delta */
} tl_shadow_delta;

/* Application callbacks; any may be NULL. They may call the request
 * functions, but not tl_shadow_handle_publish(). */
typedef struct {
    void (*on_response)(void *user, const tl_shadow_response *r);
    void (*on_delta)(void *user, const tl_shadow_delta *d);
    /* An update/documents message: the "current" state and its version. */
    void (*on_documents)(void *user, tl_shadow_span current_state, uint32_t version);
    /* A message of this shadow was refused (malformed, oversize) or the
     * subscriptions failed; what names the topic kind or step. */
    void (*on_error)(void *user, tl_shadow_status st, const char *what);
    void *user;
} tl_shadow_callbacks;

typedef struct {
    const char *thing;          /* the thing name (required) */
    const char *shadow;         /* named shadow, or NULL / "" for the classic one */
    const char *token_prefix;   /* clientToken prefix, 1..48 of [A-Za-z0-9:_.-];
                                   NULL: "tl" */
    uint32_t token_counter;     /* first counter value; differ per boot (random or a
                                   stored count) so old replies cannot match */
    uint32_t timeout_ms;        /* response timeout (0: 10000) */
    uint8_t qos;                /* QoS of requests, 0 or 1 (subscriptions use 1) */
} tl_shadow_config;

typedef struct {
    char token[TL_SHADOW_TOKEN_MAX + 1];   /* "" when the slot is free */
    uint32_t deadline_ms;
    uint8_t action;                        /* tl_shadow_action */
    uint8_t resync;
} tl_shadow__pending;

typedef struct {
    char thing[TL_SHADOW_THING_MAX + 1];
    char prefix[TL_SHADOW_PREFIX_MAX + 1];
    uint32_t counter;
    uint32_t timeout_ms;
    uint8_t qos;
    tl_shadow_io io;
    tl_shadow_callbacks cb;
    char *tx;
    size_t tx_cap;
    /* "$aws/things/<thing>/shadow/[name/<shadow>/]" (topic_len bytes), then
     * the tail of the last request's topic. */
    char topic[TL_SHADOW_TOPIC_MAX + 1];
    tl_shadow__pending pending[TL_SHADOW_MAX_PENDING];
    uint16_t topic_len;
    uint16_t sub_id;
    uint8_t sub_waiting;        /* SUBSCRIBE sent, SUBACK not yet seen */
    uint8_t subscribed;
    uint32_t version;
    tl_shadow_status last_error;
    int mqtt_error;
    char message[TL_SHADOW_MESSAGE_MAX + 1];
    char rx_token[TL_SHADOW_TOKEN_MAX + 1];
    jsmntok_t tok[TL_SHADOW_MAX_TOKENS];
} tl_shadow_client;

/*
 * Set up a client. io and cb are copied. tx (at least TL_SHADOW_TX_MIN
 * bytes) holds each outgoing request and the SUBSCRIBE's topics; size it
 * TL_SHADOW_STATE_MAX + 256 to send the largest updates. ERR_ARGUMENT for a
 * bad name, prefix, qos, or a missing io function.
 */
tl_shadow_status tl_shadow_init(tl_shadow_client *c, const tl_shadow_config *cfg,
                                const tl_shadow_io *io, const tl_shadow_callbacks *cb,
                                char *tx, size_t tx_cap);

/* Call on every accepted CONNACK: subscribes to the shadow's topics (one
 * SUBSCRIBE of seven, eight with on_documents). The resync GET follows the
 * SUBACK. */
tl_shadow_status tl_shadow_on_connect(tl_shadow_client *c);

/* Feed every SUBACK. Returns 1 if it answered this client's SUBSCRIBE (then
 * the resync GET is sent, or on_error reports a refusal), 0 otherwise. */
int tl_shadow_handle_suback(tl_shadow_client *c, uint16_t packet_id, const uint8_t *codes,
                            size_t count);

/* Feed every received PUBLISH. Returns 1 if the topic is one of this
 * shadow's (handled, or refused through on_error and last_error), 0 if not.
 * Feed every PUBLISH the MQTT client dropped as too big as well (its
 * on_dropped), with payload NULL and payload_len its size: refused with
 * ERR_TOO_BIG; on get/accepted or get/rejected it also ends every GET
 * waiting with ERR_TOO_BIG, as their answers would be the same. */
int tl_shadow_handle_publish(tl_shadow_client *c, const char *topic, size_t topic_len,
                             const uint8_t *payload, size_t payload_len);

/* Time out requests whose response is overdue (on_response with
 * ERR_TIMEOUT). Call it regularly, e.g. after each MQTT poll. */
void tl_shadow_poll(tl_shadow_client *c);

/*
 * Requests. Each publishes at once and registers its clientToken, copied to
 * token_out (TL_SHADOW_TOKEN_MAX + 1 bytes) unless that is NULL; its
 * on_response comes later. ERR_BUSY when TL_SHADOW_MAX_PENDING requests are
 * waiting, ERR_MQTT when the publish failed (nothing is left pending).
 */
tl_shadow_status tl_shadow_get(tl_shadow_client *c, char *token_out);
tl_shadow_status tl_shadow_delete(tl_shadow_client *c, char *token_out);

/*
 * Update: state[0..len) is the "state" object, e.g. {"reported":{"led":"on"}}
 * (strict JSON, an object, at most 8 levels deep, at most TL_SHADOW_STATE_MAX
 * bytes: else ERR_JSON or ERR_TOO_BIG). version 0 sends none; otherwise the
 * service accepts the update only if the shadow has that version (409 else).
 */
tl_shadow_status tl_shadow_update(tl_shadow_client *c, const char *state, size_t len,
                                  uint32_t version, char *token_out);

/* Update with {"reported": reported}: reported[0..len) is an object. */
tl_shadow_status tl_shadow_report(tl_shadow_client *c, const char *reported, size_t len,
                                  char *token_out);

/* The version of the last accepted, delta or documents message of this
 * shadow (0: none yet, or the shadow was deleted). */
uint32_t tl_shadow_version(const tl_shadow_client *c);

/* Requests waiting for a response. */
size_t tl_shadow_pending(const tl_shadow_client *c);

/* The last error (sticky until the next successful connect + SUBACK), and
 * the MQTT layer's status of the last ERR_MQTT. */
tl_shadow_status tl_shadow_last_error(const tl_shadow_client *c);
int tl_shadow_mqtt_error(const tl_shadow_client *c);

/* ---- Reading JSON objects (spans from the callbacks, or any text) ----
 * obj must be a JSON object; key is a top-level member name (compared with
 * the member's raw text, so keys with escapes do not match). ERR_JSON if obj
 * is not a valid object, ERR_NOT_FOUND if there is no such member, ERR_TYPE
 * if its value has another type (null has every other type). */

/* The member's raw value text (strings with their quotes). */
tl_shadow_status tl_shadow_json_find(tl_shadow_span obj, const char *key, tl_shadow_span *value);

/* A string member, unescaped into out (NUL-terminated); ERR_TOO_BIG if it
 * does not fit, ERR_TYPE if it holds \u0000. */
tl_shadow_status tl_shadow_json_str(tl_shadow_span obj, const char *key, char *out, size_t cap);

/* An integer member (no fraction or exponent) within long's range. */
tl_shadow_status tl_shadow_json_long(tl_shadow_span obj, const char *key, long *out);

/* A boolean member: *out 1 for true, 0 for false. */
tl_shadow_status tl_shadow_json_bool(tl_shadow_span obj, const char *key, int *out);

/* An object member, as a span to read further with these functions. */
tl_shadow_status tl_shadow_json_object(tl_shadow_span obj, const char *key,
                                       tl_shadow_span *out);

/* ---- Glue for tl_mqtt_client (tl_shadow_mqtt.c) ----
 * Fill io so that requests go through mc (tl_mqtt_client_publish and
 * _subscribe) and time comes from mc's port clock. The application still
 * forwards mc's on_connect, on_suback, on_message and on_dropped callbacks. */
void tl_shadow_io_mqtt(tl_shadow_io *io, tl_mqtt_client *mc);

#endif
