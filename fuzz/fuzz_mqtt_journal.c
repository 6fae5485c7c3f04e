/*
 * Fuzz the QoS 1 journal reader: the input is a journal image (a file after
 * any crash or corruption). Opening and replaying it must never crash, and
 * every message it returns must be a record whose CRC checks, read back
 * byte for byte from the image. Then an append and a compaction must keep
 * every live message: reopening gives the same messages plus the new one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mqtt/tl_mqtt_journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define MAX_IMAGE 16384

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The message as returned must be the record at its offset in image, and
 * that record's CRC must check. */
static void check_msg(const uint8_t *image, size_t size, const tl_mqtt_journal_entry *e,
                      const tl_mqtt_journal_msg *m)
{
    size_t total = e->len + TL_MQTT_JOURNAL_OVERHEAD;
    const uint8_t *r = image + e->off;
    CHECK(e->off + total <= size);
    CHECK(r[0] == 'T' && r[1] == 'J' && r[2] == 'M');
    CHECK(le32(r + 4) == e->len && le32(r + 8) == m->seq);
    CHECK(tl_mqtt_journal_crc32(0, r, total - 4) == le32(r + total - 4));
    CHECK(m->topic_len > 0 && 2 + m->topic_len + m->payload_len == e->len);
    CHECK(memcmp(m->topic, r + 14, m->topic_len) == 0);
    CHECK(m->payload_len == 0 || memcmp(m->payload, r + 14 + m->topic_len, m->payload_len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t ram[2 * (MAX_IMAGE + 4096)], work[1024];
    static uint32_t seqs[TL_MQTT_JOURNAL_MAX_LIVE];
    static tl_mqtt_journal j;
    tl_mqtt_journal_ram store;
    tl_mqtt_journal_msg m;
    tl_mqtt_journal_status st;
    size_t i, n;
    uint32_t max = (uint32_t)size + 4096, seq;

    if (size > MAX_IMAGE)
        return 0;
    memcpy(ram, data, size);
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, size);
    st = tl_mqtt_journal_open(&j, &store.vtable, work, sizeof work, max);
    CHECK(st == TL_MQTT_JOURNAL_OK || st == TL_MQTT_JOURNAL_ERR_FULL);
    n = tl_mqtt_journal_count(&j);
    for (i = 0; i < n; i++) {
        seqs[i] = tl_mqtt_journal_seq_at(&j, i);
        CHECK(i == 0 || seqs[i] > seqs[i - 1]);
        CHECK(tl_mqtt_journal_read(&j, seqs[i], &m) == TL_MQTT_JOURNAL_OK);
        CHECK(m.sent_before);
        check_msg(data, size, &j.live[i], &m);
    }
    if (st != TL_MQTT_JOURNAL_OK || n == TL_MQTT_JOURNAL_MAX_LIVE)
        return 0;
    /* Append (compacting first if the image was damaged): nothing is lost.
     * Sequence numbers used up: refused until the journal is empty. */
    st = tl_mqtt_journal_append(&j, "f/z", 3, (const uint8_t *)"new", 3, 0, &seq);
    if (j.wrapped && n > 0) {
        CHECK(st == TL_MQTT_JOURNAL_ERR_FULL);
        return 0;
    }
    CHECK(st == TL_MQTT_JOURNAL_OK);
    CHECK(tl_mqtt_journal_compact(&j) == TL_MQTT_JOURNAL_OK);
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, store.len);
    CHECK(tl_mqtt_journal_open(&j, &store.vtable, work, sizeof work, max) == TL_MQTT_JOURNAL_OK);
    CHECK(tl_mqtt_journal_count(&j) == n + 1 && j.skipped == 0);
    for (i = 0; i < n; i++)
        CHECK(tl_mqtt_journal_seq_at(&j, i) == seqs[i]);
    CHECK(tl_mqtt_journal_seq_at(&j, n) == seq);
    CHECK(tl_mqtt_journal_read(&j, seq, &m) == TL_MQTT_JOURNAL_OK && m.payload_len == 3);
    return 0;
}
