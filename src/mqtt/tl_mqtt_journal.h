/*
 * tl_mqtt_journal: the bounded, crash-safe QoS 1 queue (device side: C99, no
 * allocation, no globals, no platform headers).
 *
 * Every QoS 1 message the application publishes is appended here before it
 * goes to the network, and an acknowledgement record is appended when the
 * broker's PUBACK arrives. After a restart, tl_mqtt_journal_open() scans the
 * storage and rebuilds the list of live (unacknowledged) messages, which the
 * client re-sends with DUP=1 since they may have been sent before.
 *
 * Record layout (little-endian):
 *   magic "TJ" (2) | type (1: 'M' message, 'A' ack, 'D' dead) | flags (1) |
 *   body length (4) | sequence number (4) | body | CRC-32 (4)
 * The CRC (IEEE 802.3, as zlib) covers everything before it. A message body
 * is topic length (2) | topic | payload; flags hold QoS and retain.
 *
 * Faults: a record that ends early (a crash in the middle of an append) or
 * whose CRC fails is never returned. The reader then looks for the next
 * magic and resumes at the first record whose CRC checks, so one corrupted
 * record in the middle costs that record only. Any such damage makes the
 * journal compact itself before the next append, so new records never sit
 * behind garbage.
 *
 * Sync policy: a message record is synced (fsync, flash write complete)
 * before tl_mqtt_journal_append() returns, so a message the application was
 * told is queued survives a power cut. Ack records are not synced: a lost ack
 * only makes the message go out once more, which QoS 1 allows.
 *
 * Bounds: at most max_bytes of storage and TL_MQTT_JOURNAL_MAX_LIVE live
 * messages. When a new record does not fit, the journal compacts (rewrites
 * the live messages atomically through the store); if it still does not fit
 * the caller gets TL_MQTT_JOURNAL_ERR_FULL and nothing is dropped. After
 * 2^32 messages the sequence numbers restart at 0, but only once every
 * message is acknowledged (until then appends get ERR_FULL), so replay order
 * is always sequence order.
 *
 * Storage is a class (the pointer is the first field of its context) so an
 * MCU can put the journal in flash; tl_journal_file_posix.c implements it
 * with a file, tl_mqtt_journal_ram_init() with a RAM buffer.
 */
#ifndef TL_MQTT_JOURNAL_H
#define TL_MQTT_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#ifndef TL_MQTT_JOURNAL_MAX_LIVE
#define TL_MQTT_JOURNAL_MAX_LIVE 128   /* unacknowledged messages held */
#endif

#define TL_MQTT_JOURNAL_HEADER 12      /* bytes before the body */
#define TL_MQTT_JOURNAL_OVERHEAD 16    /* header + CRC */

typedef enum {
    TL_MQTT_JOURNAL_OK = 0,
    TL_MQTT_JOURNAL_ERR_ARGUMENT,   /* NULL pointer, empty topic, bad QoS */
    TL_MQTT_JOURNAL_ERR_FULL,       /* no room even after compaction */
    TL_MQTT_JOURNAL_ERR_TOO_BIG,    /* record larger than the work buffer */
    TL_MQTT_JOURNAL_ERR_STORE,      /* the storage failed (I/O error) */
    TL_MQTT_JOURNAL_ERR_NOT_FOUND,  /* no live message with that sequence */
    TL_MQTT_JOURNAL_ERR_CORRUPT     /* a record changed since it was scanned */
} tl_mqtt_journal_status;

/* Storage class. Offsets are bytes from the start of the journal. */
typedef struct tl_mqtt_journal_store_class tl_mqtt_journal_store_class;
struct tl_mqtt_journal_store_class {
    /* Bytes stored, or -1 on error. */
    long (*size)(const tl_mqtt_journal_store_class **ctx);
    /* Read exactly len bytes at off: 0, or -1 (error or beyond the end). */
    int (*read)(const tl_mqtt_journal_store_class **ctx, uint32_t off, uint8_t *buf,
                size_t len);
    /* Append len bytes; with sync set, also make everything appended so far
     * durable before returning. 0 or -1. */
    int (*append)(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len,
                  int sync);
    /* Compaction: start a new image, append to it, then replace the current
     * contents with it atomically and durably (a crash leaves the old image
     * or the new one). 0 or -1; after a failed commit the old image stays. */
    int (*rewrite_begin)(const tl_mqtt_journal_store_class **ctx);
    int (*rewrite_append)(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf,
                          size_t len);
    int (*rewrite_commit)(const tl_mqtt_journal_store_class **ctx);
};

/* One live message: where its record is. */
typedef struct {
    uint32_t seq;
    uint32_t off;       /* offset of the record */
    uint32_t len;       /* body length */
    uint8_t flags;      /* TL_MQTT_JOURNAL_F_* */
} tl_mqtt_journal_entry;

#define TL_MQTT_JOURNAL_F_QOS1 0x01
#define TL_MQTT_JOURNAL_F_RETAIN 0x02
#define TL_MQTT_JOURNAL_F_SENT 0x80   /* RAM only: may have reached the broker */

typedef struct {
    const tl_mqtt_journal_store_class **store;
    uint8_t *work;            /* one whole record: bounds the message size */
    size_t work_len;
    uint32_t max_bytes;
    uint32_t size;            /* bytes in the store */
    uint32_t next_seq;
    int dirty;                /* damage seen or an append failed: compact first */
    int wrapped;              /* sequence numbers ran out: restart at 0 once empty */
    uint32_t skipped;         /* bytes skipped as damaged by the last scan */
    tl_mqtt_journal_entry live[TL_MQTT_JOURNAL_MAX_LIVE];   /* in seq order */
    size_t count;
} tl_mqtt_journal;

/* A message read back: topic and payload point into the work buffer and stay
 * valid until the next call on the journal. */
typedef struct {
    uint32_t seq;
    const char *topic;
    size_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
    int retain;
    int sent_before;          /* replay it with DUP=1 */
} tl_mqtt_journal_msg;

/*
 * Open the journal over store: scan it and rebuild the live list. Every
 * message found is marked as possibly sent. work must hold the largest record
 * (TL_MQTT_JOURNAL_OVERHEAD + 2 + topic + payload). max_bytes bounds the
 * store. Returns OK (damage is skipped, see skipped), ERR_STORE or
 * ERR_ARGUMENT. More live messages than TL_MQTT_JOURNAL_MAX_LIVE (only in a
 * file not written by this code) are not loaded and the result is ERR_FULL.
 */
tl_mqtt_journal_status tl_mqtt_journal_open(tl_mqtt_journal *j,
                                            const tl_mqtt_journal_store_class **store,
                                            uint8_t *work, size_t work_len,
                                            uint32_t max_bytes);

/* Append a message durably, as one record built in the work buffer (so
 * topic and payload must not point into it); *seq gets its sequence
 * number. ERR_FULL (no
 * room until messages are acknowledged) and ERR_TOO_BIG (larger than the
 * work buffer or max_bytes: it never fits) leave the journal as it was.
 * When the store refuses the write (a full medium), the journal compacts
 * (giving back the space of acknowledged messages) and tries once more;
 * ERR_STORE then means this message is not stored, and every message
 * stored before stays readable. */
tl_mqtt_journal_status tl_mqtt_journal_append(tl_mqtt_journal *j, const char *topic,
                                              size_t topic_len, const uint8_t *payload,
                                              size_t payload_len, int retain, uint32_t *seq);

/* The message seq was acknowledged: record it (not synced) and forget it. */
tl_mqtt_journal_status tl_mqtt_journal_ack(tl_mqtt_journal *j, uint32_t seq);

/* The message seq was given up as refused by the broker (a poison message,
 * see tl_mqtt_client.h): record it like an ack, with its own type so the
 * journal shows what happened, and forget it. */
tl_mqtt_journal_status tl_mqtt_journal_dead(tl_mqtt_journal *j, uint32_t seq);

/* Read live message seq into the work buffer, checking its CRC again. */
tl_mqtt_journal_status tl_mqtt_journal_read(tl_mqtt_journal *j, uint32_t seq,
                                            tl_mqtt_journal_msg *msg);

/* Mark seq as possibly delivered (it went out once): later sends use DUP. */
void tl_mqtt_journal_mark_sent(tl_mqtt_journal *j, uint32_t seq);

/* Rewrite the store with the live messages only. */
tl_mqtt_journal_status tl_mqtt_journal_compact(tl_mqtt_journal *j);

/* Number of live messages; the i-th one's sequence (0 <= i < count). */
size_t tl_mqtt_journal_count(const tl_mqtt_journal *j);
uint32_t tl_mqtt_journal_seq_at(const tl_mqtt_journal *j, size_t i);

/* A sentence for a status. */
const char *tl_mqtt_journal_status_text(tl_mqtt_journal_status st);

/* CRC-32 (IEEE, as zlib's crc32()): continue crc over data[0..len). */
uint32_t tl_mqtt_journal_crc32(uint32_t crc, const uint8_t *data, size_t len);

/* A store in caller RAM (buf[0..cap)), for MCUs without flash for it and for
 * tests; it does not survive a reset. */
typedef struct {
    const tl_mqtt_journal_store_class *vtable;
    uint8_t *buf;
    size_t cap;
    size_t len;
    size_t new_len;           /* compaction image, built in the upper half */
} tl_mqtt_journal_ram;

/* A RAM store of cap bytes; compaction needs half of it, so the journal's
 * max_bytes should be at most cap / 2. Starts with init_len bytes of buf. */
void tl_mqtt_journal_ram_init(tl_mqtt_journal_ram *r, uint8_t *buf, size_t cap,
                              size_t init_len);

#endif
