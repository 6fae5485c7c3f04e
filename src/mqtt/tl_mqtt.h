/*
 * tl_mqtt: a pure MQTT 3.1.1 codec (no I/O, no allocation, no globals).
 *
 *   tl_mqtt_encode_*   serializers into a caller buffer, client and server
 *                      packets (tl_mqtt_encode.c)
 *   tl_mqtt_decoder_*  incremental framing: feed bytes as they arrive, get
 *                      whole packets (tl_mqtt_decode.c)
 *   tl_mqtt_parse_*    typed parsers of a framed packet (tl_mqtt_parse.c)
 *   tl_mqtt_check_*    strings, topic names, filters, tl_mqtt_topic_matches
 *                      (tl_mqtt_utf8.c, which also names the statuses;
 *                      tl_mqtt_topic.c)
 *   tl_mqtt_inflight_* packet ids and the in-flight window (tl_mqtt_inflight.c)
 *
 * Strings and binary fields are (pointer, length) pairs, never NUL-terminated.
 * Parsed structs point into the packet body they came from. Each error status
 * names one fault; tl_mqtt_status_message() gives a sentence for logs.
 * AWS IoT Core limits (tl_mqtt_config.h) apply only with
 * tl_mqtt_options.aws_limits, so the codec also serves plain brokers. QoS 2
 * is never produced and PUBLISH/will with QoS 2 is refused; QoS 3 is
 * malformed. Helpers shared by the module's files are tl_mqtt__*.
 */
#ifndef TL_MQTT_H
#define TL_MQTT_H

#include <stddef.h>
#include <stdint.h>

#include "tl_mqtt_config.h"

/* Status codes: X(name, message). The messages are the documentation. */
#define TL_MQTT_STATUSES(X) \
    X(OK, "success") \
    X(NEED_MORE, "packet incomplete: feed more bytes") \
    X(COMPLETE, "a complete packet was decoded") \
    X(ERR_ARGUMENT, "invalid argument (NULL pointer or out-of-range option)") \
    X(ERR_BUFFER_TOO_SMALL, "output buffer too small for the packet") \
    X(ERR_PACKET_TYPE, "packet type is reserved (0 or 15) or not the one expected") \
    X(ERR_FLAGS, "fixed-header flag bits do not match the packet type") \
    X(ERR_REMAINING_LENGTH, "remaining length exceeds 4 bytes") \
    X(ERR_PACKET_TOO_BIG, "packet larger than the maximum packet size") \
    X(ERR_LENGTH, "remaining length does not match the packet's fields") \
    X(ERR_TRUNCATED, "packet ends inside a field") \
    X(ERR_STRING_LENGTH, "string length runs beyond the end of the packet") \
    X(ERR_STRING_TOO_LONG, "string or binary field longer than 65535 bytes") \
    X(ERR_UTF8, "string is not valid MQTT UTF-8 (ill-formed, surrogate or U+0000)") \
    X(ERR_TOPIC_EMPTY, "topic name or filter is empty") \
    X(ERR_TOPIC_WILDCARD, "topic name contains a wildcard (+ or #)") \
    X(ERR_TOPIC_FILTER, "topic filter has a misplaced wildcard (+ or #)") \
    X(ERR_TOPIC_TOO_LONG, "topic longer than the AWS IoT limit of 256 bytes") \
    X(ERR_TOPIC_LEVELS, "topic has more than the AWS IoT limit of 7 slashes") \
    X(ERR_PAYLOAD_TOO_BIG, "payload larger than the AWS IoT limit of 128 KB") \
    X(ERR_CLIENT_ID, "client id invalid (too long, or empty without clean session)") \
    X(ERR_KEEP_ALIVE, "keep-alive outside the AWS IoT range of 30..1200 s") \
    X(ERR_QOS, "QoS 3 is malformed") \
    X(ERR_QOS2_UNSUPPORTED, "QoS 2 is not supported (AWS IoT has QoS 0 and 1)") \
    X(ERR_PACKET_ID, "packet id 0 where a non-zero id is required") \
    X(ERR_NO_FILTERS, "SUBSCRIBE or UNSUBSCRIBE without any topic filter") \
    X(ERR_TOO_MANY_FILTERS, "more topic filters than allowed (AWS IoT: 8)") \
    X(ERR_RETURN_CODE, "CONNACK or SUBACK return code is not a defined value") \
    X(ERR_RESERVED, "reserved bits are not zero") \
    X(ERR_PROTOCOL_NAME, "CONNECT protocol name is not \"MQTT\"") \
    X(ERR_PROTOCOL_LEVEL, "CONNECT protocol level is not 4 (MQTT 3.1.1)") \
    X(ERR_WILL, "will QoS or retain set without the will flag") \
    X(ERR_CREDENTIALS, "password without user name") \
    X(ERR_SESSION_PRESENT, "CONNACK session present with a non-zero return code") \
    X(ERR_DUP_QOS0, "DUP flag set on a QoS 0 PUBLISH") \
    X(ERR_WINDOW_FULL, "in-flight window is full") \
    X(ERR_NOT_IN_FLIGHT, "packet id is not in flight (or not for this packet type)") \
    X(ERR_DECODER_FAILED, "decoder stopped at an earlier error; reset it") \
    X(SKIPPED, "PUBLISH larger than the decoder's buffer: its first bytes are in the " \
      "packet, the rest was skipped")

typedef enum {
#define TL_MQTT__ENUM(name, msg) TL_MQTT_##name,
    TL_MQTT_STATUSES(TL_MQTT__ENUM)
#undef TL_MQTT__ENUM
    TL_MQTT__STATUS_COUNT
} tl_mqtt_status;

/* Static name of a status ("ERR_QOS"), and its sentence (see above); with
 * TL_MQTT_STATUS_TEXT 0 both are the number ("#22"), "#?" out of range. */
const char *tl_mqtt_status_name(tl_mqtt_status st);
const char *tl_mqtt_status_message(tl_mqtt_status st);

/* Control packet types (the high nibble of the first byte). */
typedef enum {
    TL_MQTT_CONNECT = 1, TL_MQTT_CONNACK = 2, TL_MQTT_PUBLISH = 3,
    TL_MQTT_PUBACK = 4, TL_MQTT_PUBREC = 5, TL_MQTT_PUBREL = 6,
    TL_MQTT_PUBCOMP = 7, TL_MQTT_SUBSCRIBE = 8, TL_MQTT_SUBACK = 9,
    TL_MQTT_UNSUBSCRIBE = 10, TL_MQTT_UNSUBACK = 11, TL_MQTT_PINGREQ = 12,
    TL_MQTT_PINGRESP = 13, TL_MQTT_DISCONNECT = 14
} tl_mqtt_type;

/* CONNACK return codes 0..5, and the SUBACK failure code. */
enum {
    TL_MQTT_CONNACK_ACCEPTED = 0, TL_MQTT_CONNACK_BAD_PROTOCOL = 1,
    TL_MQTT_CONNACK_ID_REJECTED = 2, TL_MQTT_CONNACK_UNAVAILABLE = 3,
    TL_MQTT_CONNACK_BAD_CREDENTIALS = 4, TL_MQTT_CONNACK_NOT_AUTHORIZED = 5,
    TL_MQTT_SUBACK_FAILURE = 0x80
};

/* A UTF-8 string field, and a binary field (will message, password). */
typedef struct { const char *ptr; size_t len; } tl_mqtt_str;
typedef struct { const uint8_t *ptr; size_t len; } tl_mqtt_bytes;

/* Codec options. A NULL options pointer means all zero. */
typedef struct {
    int aws_limits;   /* enforce the TL_MQTT_AWS_* limits */
} tl_mqtt_options;

typedef struct {
    tl_mqtt_str client_id;
    int clean_session;
    uint16_t keep_alive;       /* seconds; 0 disables (not with aws_limits) */
    int has_will;
    tl_mqtt_str will_topic;    /* a topic name: no wildcards */
    tl_mqtt_bytes will_message;
    uint8_t will_qos;          /* 0 or 1 */
    int will_retain;
    int has_username;
    tl_mqtt_str username;
    int has_password;          /* requires has_username */
    tl_mqtt_bytes password;
} tl_mqtt_connect;

typedef struct {
    int session_present;
    uint8_t return_code;       /* TL_MQTT_CONNACK_* */
} tl_mqtt_connack;

typedef struct {
    tl_mqtt_str topic;
    const uint8_t *payload;
    size_t payload_len;
    uint8_t qos;               /* 0 or 1 */
    int retain;
    int dup;                   /* only with QoS 1 */
    uint16_t packet_id;        /* non-zero with QoS 1, ignored with QoS 0 */
} tl_mqtt_publish;

typedef struct {
    tl_mqtt_str filter;
    uint8_t qos;               /* requested QoS: 0 or 1 to encode; parsed 0..2 */
} tl_mqtt_filter;

typedef struct {
    uint16_t packet_id;
    size_t count;              /* 1..TL_MQTT_MAX_FILTERS */
    tl_mqtt_filter filters[TL_MQTT_MAX_FILTERS];
} tl_mqtt_subscribe;

typedef struct {
    uint16_t packet_id;
    size_t count;
    uint8_t codes[TL_MQTT_MAX_FILTERS];  /* 0x00, 0x01, 0x02 or 0x80 */
} tl_mqtt_suback;

typedef struct {
    uint16_t packet_id;
    size_t count;
    tl_mqtt_str filters[TL_MQTT_MAX_FILTERS];
} tl_mqtt_unsubscribe;

/* ---- Serializers (tl_mqtt_encode.c) ----
 * Each writes one whole packet into buf[0..cap) and sets *out_len to its
 * length. On TL_MQTT_ERR_BUFFER_TOO_SMALL *out_len holds the size needed
 * (so cap = 0 asks for the size); on any other error *out_len is 0. Fields
 * are checked as the matching parser checks them; nothing is written to buf
 * unless the whole packet fits and is valid.
 */

/* CONNECT: protocol "MQTT" level 4. aws_limits adds client id <= 128 bytes
 * and keep-alive 30..1200 s. */
tl_mqtt_status tl_mqtt_encode_connect(const tl_mqtt_connect *c, const tl_mqtt_options *opt,
                                      uint8_t *buf, size_t cap, size_t *out_len);

/* PUBLISH, QoS 0 or 1 (client or server side). aws_limits adds the topic
 * length/slash limits and the 128 KB payload limit. */
tl_mqtt_status tl_mqtt_encode_publish(const tl_mqtt_publish *p, const tl_mqtt_options *opt,
                                      uint8_t *buf, size_t cap, size_t *out_len);

/* The same PUBLISH without its payload: fixed header (whose remaining length
 * covers payload_len), topic and packet id; payload may be NULL. Send the
 * payload after it, from where it is, to avoid copying large payloads. */
tl_mqtt_status tl_mqtt_encode_publish_header(const tl_mqtt_publish *p,
                                             const tl_mqtt_options *opt, uint8_t *buf,
                                             size_t cap, size_t *out_len);

/* PUBACK, UNSUBACK (packet_id non-zero). */
tl_mqtt_status tl_mqtt_encode_puback(uint16_t packet_id, uint8_t *buf, size_t cap,
                                     size_t *out_len);
tl_mqtt_status tl_mqtt_encode_unsuback(uint16_t packet_id, uint8_t *buf, size_t cap,
                                       size_t *out_len);

/* SUBSCRIBE: 1..TL_MQTT_MAX_FILTERS valid filters, each requesting QoS 0/1. */
tl_mqtt_status tl_mqtt_encode_subscribe(const tl_mqtt_subscribe *s, const tl_mqtt_options *opt,
                                        uint8_t *buf, size_t cap, size_t *out_len);

/* UNSUBSCRIBE: 1..TL_MQTT_MAX_FILTERS valid filters. */
tl_mqtt_status tl_mqtt_encode_unsubscribe(const tl_mqtt_unsubscribe *u,
                                          const tl_mqtt_options *opt, uint8_t *buf,
                                          size_t cap, size_t *out_len);

/* PINGREQ (C0 00), PINGRESP (D0 00), DISCONNECT (E0 00). */
tl_mqtt_status tl_mqtt_encode_pingreq(uint8_t *buf, size_t cap, size_t *out_len);
tl_mqtt_status tl_mqtt_encode_pingresp(uint8_t *buf, size_t cap, size_t *out_len);
tl_mqtt_status tl_mqtt_encode_disconnect(uint8_t *buf, size_t cap, size_t *out_len);

/* CONNACK: return code 0..5; session_present only with code 0. */
tl_mqtt_status tl_mqtt_encode_connack(const tl_mqtt_connack *c, uint8_t *buf, size_t cap,
                                      size_t *out_len);

/* SUBACK: 1..TL_MQTT_MAX_FILTERS codes, each 0x00, 0x01, 0x02 or 0x80. */
tl_mqtt_status tl_mqtt_encode_suback(const tl_mqtt_suback *s, uint8_t *buf, size_t cap,
                                     size_t *out_len);

/* Remaining length as 1..4 bytes into out; returns the count, or 0 if
 * value > TL_MQTT_MAX_REMAINING_LENGTH. */
size_t tl_mqtt_encode_remaining_length(uint32_t value, uint8_t out[4]);

/* ---- Decoding (tl_mqtt_decode.c) ---- */

/* A decoded packet: first byte split in type and flags, and its body. */
typedef struct {
    uint8_t type;           /* tl_mqtt_type */
    uint8_t flags;          /* low nibble of the first byte */
    const uint8_t *body;    /* variable header + payload */
    size_t len;             /* remaining length */
} tl_mqtt_packet;

/*
 * Check a fixed header's first byte: the type must be 1..14 and the flags
 * those of the type (0010 for PUBREL, SUBSCRIBE, UNSUBSCRIBE; 0000 for the
 * others except PUBLISH, whose QoS must not be 3 and whose DUP needs QoS > 0).
 */
tl_mqtt_status tl_mqtt_check_fixed_header(uint8_t first);

/*
 * Read a fixed header from buf[0..len): returns TL_MQTT_COMPLETE with the
 * first byte, the remaining length and the header size (2..5), or
 * TL_MQTT_NEED_MORE, or an error (ERR_PACKET_TYPE, ERR_FLAGS, ERR_QOS,
 * ERR_DUP_QOS0, ERR_REMAINING_LENGTH). Longer-than-needed length encodings
 * (80 00) are accepted: 3.1.1 does not forbid them. PUBREC/PUBREL/PUBCOMP
 * are framed (so callers can name them) but have no parser.
 */
tl_mqtt_status tl_mqtt_decode_fixed_header(const uint8_t *buf, size_t len, uint8_t *first,
                                           uint32_t *remaining, size_t *header_len);

/*
 * View one whole packet at the start of buf[0..len) without copying: on
 * TL_MQTT_COMPLETE *pkt points into buf and *used is the packet's size.
 * A remaining length above max_body is TL_MQTT_ERR_PACKET_TOO_BIG.
 */
tl_mqtt_status tl_mqtt_decode_packet(const uint8_t *buf, size_t len, size_t max_body,
                                     tl_mqtt_packet *pkt, size_t *used);

/* Incremental decoder state; the body is collected in the caller's buffer. */
typedef struct {
    uint8_t *buf;           /* body buffer: its size bounds the packet body */
    size_t cap;
    uint32_t remaining;
    uint32_t got;
    uint8_t first;
    uint8_t state;
    uint8_t len_bytes;
    tl_mqtt_status error;   /* sticky: the error that stopped the decoder */
} tl_mqtt_decoder;

/* Start a decoder whose packet bodies go into buf[0..cap). */
void tl_mqtt_decoder_init(tl_mqtt_decoder *d, uint8_t *buf, size_t cap);

/* Forget any partial packet and a sticky error (after a reconnect). */
void tl_mqtt_decoder_reset(tl_mqtt_decoder *d);

/*
 * Feed data[0..len). Returns TL_MQTT_NEED_MORE when all of it was taken and
 * no packet is complete yet; TL_MQTT_COMPLETE when a packet ended, with
 * *pkt filled (its body is in the decoder's buffer, valid until the next
 * feed) and *consumed the bytes taken (feed the rest again); or an error,
 * which is sticky: later calls return TL_MQTT_ERR_DECODER_FAILED until
 * reset, and tl_mqtt_decoder_error() tells the original fault.
 * A body larger than the buffer is ERR_PACKET_TOO_BIG as soon as its length
 * is read, except for PUBLISH: its bytes are taken as they come, only the
 * first cap kept, and it ends with TL_MQTT_SKIPPED, *pkt holding those cap
 * bytes (pkt->len is cap; d->remaining keeps the packet's remaining length
 * until the next feed), so that its topic and packet id can still be parsed
 * and the packet acknowledged.
 */
tl_mqtt_status tl_mqtt_decoder_feed(tl_mqtt_decoder *d, const uint8_t *data, size_t len,
                                    size_t *consumed, tl_mqtt_packet *pkt);

/* The error that stopped the decoder, or TL_MQTT_OK. */
tl_mqtt_status tl_mqtt_decoder_error(const tl_mqtt_decoder *d);

/* ---- Typed parsers (tl_mqtt_parse.c) ----
 * Each checks the packet type (ERR_PACKET_TYPE), the fixed-header flags, the
 * remaining length (ERR_LENGTH when fields and length disagree), every field,
 * and fills *out. Packet ids must be non-zero (ERR_PACKET_ID).
 */

/* Client side: what a broker sends. */
tl_mqtt_status tl_mqtt_parse_connack(const tl_mqtt_packet *pkt, tl_mqtt_connack *out);
tl_mqtt_status tl_mqtt_parse_publish(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt,
                                     tl_mqtt_publish *out);
tl_mqtt_status tl_mqtt_parse_puback(const tl_mqtt_packet *pkt, uint16_t *packet_id);
tl_mqtt_status tl_mqtt_parse_suback(const tl_mqtt_packet *pkt, tl_mqtt_suback *out);
tl_mqtt_status tl_mqtt_parse_unsuback(const tl_mqtt_packet *pkt, uint16_t *packet_id);
tl_mqtt_status tl_mqtt_parse_pingresp(const tl_mqtt_packet *pkt);

/* Server side: what a client sends. A SUBSCRIBE may request QoS 2 (the
 * server grants at most 1); a CONNECT will with QoS 2 is refused. With
 * aws_limits, client ids over 128 bytes and topic limits are refused. */
tl_mqtt_status tl_mqtt_parse_connect(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt,
                                     tl_mqtt_connect *out);
tl_mqtt_status tl_mqtt_parse_subscribe(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt,
                                       tl_mqtt_subscribe *out);
tl_mqtt_status tl_mqtt_parse_unsubscribe(const tl_mqtt_packet *pkt,
                                         const tl_mqtt_options *opt,
                                         tl_mqtt_unsubscribe *out);
tl_mqtt_status tl_mqtt_parse_pingreq(const tl_mqtt_packet *pkt);
tl_mqtt_status tl_mqtt_parse_disconnect(const tl_mqtt_packet *pkt);

/* ---- Validation (tl_mqtt_utf8.c, tl_mqtt_topic.c) ---- */

/* Well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF) without
 * U+0000: returns 1 if so, else 0. */
int tl_mqtt_utf8_valid(const char *s, size_t len);

/* An MQTT string field: at most 65535 bytes (ERR_STRING_TOO_LONG), valid
 * UTF-8 (ERR_UTF8); ERR_ARGUMENT if s is NULL and len is not 0. */
tl_mqtt_status tl_mqtt_check_string(const char *s, size_t len);

/* A topic name for PUBLISH or a will: string rules, non-empty
 * (ERR_TOPIC_EMPTY), no '+' or '#' (ERR_TOPIC_WILDCARD); with aws_limits
 * also ERR_TOPIC_TOO_LONG and ERR_TOPIC_LEVELS. */
tl_mqtt_status tl_mqtt_check_topic_name(const char *t, size_t len, const tl_mqtt_options *opt);

/* A topic filter: as a name, but '+' must fill a whole level and '#' must be
 * alone in the last level (else ERR_TOPIC_FILTER). */
tl_mqtt_status tl_mqtt_check_topic_filter(const char *f, size_t len,
                                          const tl_mqtt_options *opt);

/*
 * 1 if the topic name matches the filter under MQTT rules ('+' one level,
 * '#' this level and all below, including the parent: "a/#" matches "a"),
 * else 0. Topics starting with '$' are not matched by a filter starting
 * with a wildcard. An invalid filter or topic matches nothing.
 */
int tl_mqtt_topic_matches(const char *filter, size_t filter_len, const char *topic,
                          size_t topic_len);

/* ---- In-flight window (tl_mqtt_inflight.c) ---- */

typedef enum {
    TL_MQTT_INFLIGHT_PENDING = 1,   /* to be sent (again), with its id */
    TL_MQTT_INFLIGHT_SENT = 2       /* sent, waiting for its acknowledgement */
} tl_mqtt_inflight_state;

typedef struct {
    uint16_t packet_id;
    uint8_t type;           /* TL_MQTT_PUBLISH, _SUBSCRIBE or _UNSUBSCRIBE */
    uint8_t state;          /* tl_mqtt_inflight_state */
    uint32_t tag;           /* the caller's (the client: a PUBLISH's journal sequence) */
} tl_mqtt_inflight_entry;

/* Entries are kept in the order their ids were allocated (send order). */
typedef struct {
    tl_mqtt_inflight_entry entries[TL_MQTT_INFLIGHT_MAX];
    size_t count;
    size_t window;          /* 1..TL_MQTT_INFLIGHT_MAX */
    uint16_t next_id;       /* next candidate id, 1..65535 */
} tl_mqtt_inflight;

/* Empty table holding at most window entries; ids start at 1.
 * ERR_ARGUMENT if window is 0 or above TL_MQTT_INFLIGHT_MAX. */
tl_mqtt_status tl_mqtt_inflight_init(tl_mqtt_inflight *t, size_t window);

/* Allocate the next id (1..65535, wrapping, skipping ids in flight) for a
 * packet of the given type that the caller sends now: SENT, with the
 * caller's tag (if it cannot be sent, ack the id to free it).
 * ERR_WINDOW_FULL if full. */
tl_mqtt_status tl_mqtt_inflight_alloc(tl_mqtt_inflight *t, uint8_t type, uint32_t tag,
                                      uint16_t *id);

/* Put back an entry known from before (a persisted queue after a restart).
 * ERR_PACKET_ID if id is 0 or already in flight, ERR_WINDOW_FULL if full. */
tl_mqtt_status tl_mqtt_inflight_restore(tl_mqtt_inflight *t, uint8_t type, uint32_t tag,
                                        uint16_t id, uint8_t state);

/* Set the state of an id in flight (ERR_NOT_IN_FLIGHT if none). */
tl_mqtt_status tl_mqtt_inflight_set_state(tl_mqtt_inflight *t, uint16_t id, uint8_t state);

/* An acknowledgement arrived: ack_type PUBACK, SUBACK or UNSUBACK must match
 * the entry's type. Frees the entry, or ERR_NOT_IN_FLIGHT. */
tl_mqtt_status tl_mqtt_inflight_ack(tl_mqtt_inflight *t, uint8_t ack_type, uint16_t id);

/* The entry of id, or NULL. */
const tl_mqtt_inflight_entry *tl_mqtt_inflight_find(const tl_mqtt_inflight *t, uint16_t id);

/* Iterate in send order: start with *cursor = 0; returns the next entry of
 * the given type (0: any type) or NULL at the end. Use it after a reconnect
 * to re-send unacknowledged PUBLISHes with DUP set. */
const tl_mqtt_inflight_entry *tl_mqtt_inflight_next(const tl_mqtt_inflight *t, uint8_t type,
                                                    size_t *cursor);

/* Number of entries in flight. */
size_t tl_mqtt_inflight_count(const tl_mqtt_inflight *t);

/* Drop every entry (a clean session); the id sequence continues. */
void tl_mqtt_inflight_clear(tl_mqtt_inflight *t);

/* A new connection: PUBLISH entries go back to PENDING, to be sent again
 * with their ids (MQTT-4.4.0-1); SUBSCRIBE and UNSUBSCRIBE entries are
 * dropped (their acknowledgements will not come). Order is kept. */
void tl_mqtt_inflight_requeue(tl_mqtt_inflight *t);

#endif
