/* The QoS 1 journal: append/ack/replay, a torn tail, a damaged record in the
 * middle, full without loss, a full medium, compaction, and the POSIX file
 * store. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mqtt/tl_mqtt_journal.h"
#include "port/tl_journal_file.h"

static uint8_t ram[8192];
static uint8_t work[512];
static tl_mqtt_journal_ram store;
static tl_mqtt_journal j;

/* A fresh journal over the RAM store holding the first len bytes of ram. */
static tl_mqtt_journal_status reopen(size_t len, uint32_t max_bytes)
{
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, len);
    return tl_mqtt_journal_open(&j, &store.vtable, work, sizeof work, max_bytes);
}

static uint32_t add(const char *topic, const char *payload)
{
    uint32_t seq = 0;
    assert_int_equal(tl_mqtt_journal_append(&j, topic, strlen(topic), (const uint8_t *)payload,
                                             strlen(payload), 0, &seq),
                     TL_MQTT_JOURNAL_OK);
    return seq;
}

static void expect_msg(uint32_t seq, const char *topic, const char *payload, int sent)
{
    tl_mqtt_journal_msg m;
    assert_int_equal(tl_mqtt_journal_read(&j, seq, &m), TL_MQTT_JOURNAL_OK);
    assert_int_equal(m.topic_len, strlen(topic));
    assert_memory_equal(m.topic, topic, m.topic_len);
    assert_int_equal(m.payload_len, strlen(payload));
    if (m.payload_len)
        assert_memory_equal(m.payload, payload, m.payload_len);
    assert_int_equal(m.sent_before, sent);
}

static void test_crc32_known_answer(void **state)
{
    (void)state;
    assert_int_equal(tl_mqtt_journal_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926UL);
}

static void test_append_ack_replay(void **state)
{
    uint32_t a, b, c;
    (void)state;
    assert_int_equal(reopen(0, 4096), TL_MQTT_JOURNAL_OK);
    a = add("t/1", "one");
    b = add("t/2", "two");
    c = add("t/3", "");
    assert_int_equal(tl_mqtt_journal_count(&j), 3);
    expect_msg(b, "t/2", "two", 0);
    assert_int_equal(tl_mqtt_journal_ack(&j, b), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_ack(&j, b), TL_MQTT_JOURNAL_ERR_NOT_FOUND);
    /* A restart: the live messages come back, marked as possibly sent. */
    assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 2);
    assert_int_equal(tl_mqtt_journal_seq_at(&j, 0), a);
    assert_int_equal(tl_mqtt_journal_seq_at(&j, 1), c);
    expect_msg(a, "t/1", "one", 1);
    expect_msg(c, "t/3", "", 1);
    assert_true(add("t/4", "four") > c);   /* sequence numbers continue */
    assert_int_equal(j.skipped, 0);
}

static void test_torn_tail(void **state)
{
    size_t cut;
    (void)state;
    for (cut = 1; cut < 24; cut++) {
        uint32_t a;
        assert_int_equal(reopen(0, 4096), TL_MQTT_JOURNAL_OK);
        a = add("t/1", "first");
        add("t/2", "second message");
        /* A crash in the middle of the second append. */
        assert_int_equal(reopen(store.len - cut, 4096), TL_MQTT_JOURNAL_OK);
        assert_int_equal(tl_mqtt_journal_count(&j), 1);
        expect_msg(a, "t/1", "first", 1);
        assert_true(j.skipped > 0);
        /* The next append compacts first: nothing sits behind the garbage. */
        add("t/3", "third");
        assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
        assert_int_equal(tl_mqtt_journal_count(&j), 2);
        assert_int_equal(j.skipped, 0);
    }
}

static void test_corrupt_middle(void **state)
{
    uint32_t a, c;
    size_t off;
    tl_mqtt_journal_msg m;
    (void)state;
    assert_int_equal(reopen(0, 4096), TL_MQTT_JOURNAL_OK);
    a = add("t/1", "one");
    add("t/2", "two");
    off = store.len;
    c = add("t/3", "three");
    ram[off - 6] ^= 0x40;   /* a payload byte of the second record */
    assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 2);   /* never misread, the rest kept */
    expect_msg(a, "t/1", "one", 1);
    expect_msg(c, "t/3", "three", 1);
    /* Damage after the scan is caught when the record is read back. */
    ram[off + 15] ^= 1;
    assert_int_equal(tl_mqtt_journal_read(&j, c, &m), TL_MQTT_JOURNAL_ERR_CORRUPT);
    /* A corrupted length field: resynchronises on the next record. */
    assert_int_equal(reopen(0, 4096), TL_MQTT_JOURNAL_OK);
    add("t/1", "one");
    off = store.len;
    add("t/2", "two");
    c = add("t/3", "three");
    ram[off + 5] = 0x7F;
    assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 2);
    expect_msg(c, "t/3", "three", 1);
}

static void test_full_loses_nothing(void **state)
{
    uint32_t seqs[64];
    char p[32];
    size_t n = 0, i;
    tl_mqtt_journal_status st;
    (void)state;
    assert_int_equal(reopen(0, 600), TL_MQTT_JOURNAL_OK);
    for (;;) {
        snprintf(p, sizeof p, "payload %zu", n);
        st = tl_mqtt_journal_append(&j, "t", 1, (const uint8_t *)p, strlen(p), 0, &seqs[n]);
        if (st != TL_MQTT_JOURNAL_OK)
            break;
        n++;
    }
    assert_int_equal(st, TL_MQTT_JOURNAL_ERR_FULL);
    assert_true(n >= 10);
    assert_true(store.len <= 600);
    assert_int_equal(reopen(store.len, 600), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), n);
    for (i = 0; i < n; i++) {
        snprintf(p, sizeof p, "payload %zu", i);
        expect_msg(seqs[i], "t", p, 1);
    }
    /* An ack makes room again (through compaction). */
    assert_int_equal(tl_mqtt_journal_ack(&j, seqs[0]), TL_MQTT_JOURNAL_OK);
    add("t", "payload x");
    /* Too big for the work buffer: a clear error. */
    memset(ram + 4096, 'x', 600);
    assert_int_equal(tl_mqtt_journal_append(&j, "t", 1, ram + 4096, 600, 0, NULL),
                     TL_MQTT_JOURNAL_ERR_TOO_BIG);
    /* Fits the work buffer but never the 400-byte journal: too big, not full. */
    assert_int_equal(reopen(0, 400), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_append(&j, "t", 1, ram + 4096, 450, 0, NULL),
                     TL_MQTT_JOURNAL_ERR_TOO_BIG);
}

static void test_compaction(void **state)
{
    int i;
    uint32_t keep;
    (void)state;
    assert_int_equal(reopen(0, 1024), TL_MQTT_JOURNAL_OK);
    keep = add("keep", "me");
    for (i = 0; i < 500; i++) {
        uint32_t s = add("t/x", "a message that is acknowledged");
        assert_int_equal(tl_mqtt_journal_ack(&j, s), TL_MQTT_JOURNAL_OK);
        assert_true(store.len <= 1024);
    }
    assert_int_equal(reopen(store.len, 1024), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 1);
    expect_msg(keep, "keep", "me", 1);
    assert_int_equal(tl_mqtt_journal_compact(&j), TL_MQTT_JOURNAL_OK);
    assert_int_equal(store.len, TL_MQTT_JOURNAL_OVERHEAD + 2 + 4 + 2);
}

static void test_sequence_wrap(void **state)
{
    uint32_t last;
    (void)state;
    assert_int_equal(reopen(0, 4096), TL_MQTT_JOURNAL_OK);
    j.next_seq = 0xFFFFFFFFUL;
    last = add("w", "last");
    assert_int_equal(last, 0xFFFFFFFFUL);
    /* No number left that sorts after it: wait until it is acknowledged. */
    assert_int_equal(tl_mqtt_journal_append(&j, "w", 1, NULL, 0, 0, NULL),
                     TL_MQTT_JOURNAL_ERR_FULL);
    assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_append(&j, "w", 1, NULL, 0, 0, NULL),
                     TL_MQTT_JOURNAL_ERR_FULL);
    assert_int_equal(tl_mqtt_journal_ack(&j, last), TL_MQTT_JOURNAL_OK);
    assert_int_equal(add("w", "first again"), 0);
    assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 1);
    expect_msg(0, "w", "first again", 1);
}

static void test_file_store(void **state)
{
    char path[] = "/tmp/tl_journal_test_XXXXXX";
    char err[256];
    tl_journal_file f, g;
    uint32_t a, b;
    int i, fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(tl_journal_file_open(&f, path, err, sizeof err), 0);
    assert_int_equal(tl_journal_file_open(&g, path, err, sizeof err), -1);   /* locked */
    assert_non_null(strstr(err, "in use by another process"));
    assert_int_equal(tl_mqtt_journal_open(&j, &f.vtable, work, sizeof work, 2048),
                     TL_MQTT_JOURNAL_OK);
    a = add("file/1", "kept");
    for (i = 0; i < 100; i++)   /* forces several compactions (rename) */
        assert_int_equal(tl_mqtt_journal_ack(&j, add("file/2", "gone")), TL_MQTT_JOURNAL_OK);
    b = add("file/3", "torn");
    tl_journal_file_close(&f);
    /* Tear the last record as a crash would. */
    assert_int_equal(truncate(path, (off_t)j.size - 3), 0);
    assert_int_equal(tl_journal_file_open(&f, path, err, sizeof err), 0);
    assert_int_equal(tl_mqtt_journal_open(&j, &f.vtable, work, sizeof work, 2048),
                     TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 1);
    expect_msg(a, "file/1", "kept", 1);
    assert_true(add("file/4", "after") > b - 1);
    tl_journal_file_close(&f);
    assert_int_equal(tl_journal_file_open(&f, path, err, sizeof err), 0);
    assert_int_equal(tl_mqtt_journal_open(&j, &f.vtable, work, sizeof work, 2048),
                     TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), 2);
    assert_int_equal(j.skipped, 0);
    tl_journal_file_close(&f);
    unlink(path);
}

/* A full medium: the RAM store refuses to grow past limit bytes, after
 * writing what fits (as write() does before EFBIG or ENOSPC). */
static size_t limit;
static int lim_append(const tl_mqtt_journal_store_class **ctx, const uint8_t *buf, size_t len,
                      int sync)
{
    size_t room = limit > store.len ? limit - store.len : 0;
    (void)ctx;
    if (len > room) {
        if (room)
            (void)store.vtable->append(&store.vtable, buf, room, sync);
        return -1;
    }
    return store.vtable->append(&store.vtable, buf, len, sync);
}
static long lim_size(const tl_mqtt_journal_store_class **c) { (void)c; return store.vtable->size(&store.vtable); }
static int lim_read(const tl_mqtt_journal_store_class **c, uint32_t off, uint8_t *b, size_t n)
{
    (void)c;
    return store.vtable->read(&store.vtable, off, b, n);
}
static int lim_begin(const tl_mqtt_journal_store_class **c) { (void)c; return store.vtable->rewrite_begin(&store.vtable); }
static int lim_rewrite(const tl_mqtt_journal_store_class **c, const uint8_t *b, size_t n)
{
    (void)c;
    return store.new_len + n > limit ? -1 : store.vtable->rewrite_append(&store.vtable, b, n);
}
static int lim_commit(const tl_mqtt_journal_store_class **c) { (void)c; return store.vtable->rewrite_commit(&store.vtable); }
static const tl_mqtt_journal_store_class lim_class = {
    lim_size, lim_read, lim_append, lim_begin, lim_rewrite, lim_commit };

/* Full disk: a refused write compacts away acknowledged records and tries
 * again; once the live messages alone fill it, ERR_STORE, and everything
 * accepted before is still there after a reopen. */
static void test_full_medium(void **state)
{
    const tl_mqtt_journal_store_class *lim = &lim_class;
    uint32_t seq, accepted = 0, i;
    tl_mqtt_journal_status st;
    (void)state;
    limit = 400;   /* about 10 records of 38 bytes */
    tl_mqtt_journal_ram_init(&store, ram, sizeof ram, 0);
    assert_int_equal(tl_mqtt_journal_open(&j, &lim, work, sizeof work, 4096), TL_MQTT_JOURNAL_OK);
    for (i = 0; i < 40; i++) {   /* acknowledged as they go: never full */
        seq = add("t/a", "payload-xyz-123");
        assert_int_equal(tl_mqtt_journal_ack(&j, seq), TL_MQTT_JOURNAL_OK);
    }
    for (;;) {
        st = tl_mqtt_journal_append(&j, "t/b", 3, (const uint8_t *)"payload-xyz-123", 15, 0, &seq);
        if (st != TL_MQTT_JOURNAL_OK)
            break;
        accepted++;
    }
    assert_int_equal(st, TL_MQTT_JOURNAL_ERR_STORE);
    assert_true(accepted >= 8 && accepted <= 12);
    assert_int_equal(tl_mqtt_journal_count(&j), accepted);
    assert_true(store.len <= limit);
    /* Reopened (without the limit): the accepted ones, nothing else. */
    assert_int_equal(reopen(store.len, 4096), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_count(&j), accepted);
    for (i = 0; i < accepted; i++)
        expect_msg(tl_mqtt_journal_seq_at(&j, i), "t/b", "payload-xyz-123", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_answer),
        cmocka_unit_test(test_append_ack_replay),
        cmocka_unit_test(test_torn_tail),
        cmocka_unit_test(test_corrupt_middle),
        cmocka_unit_test(test_full_loses_nothing),
        cmocka_unit_test(test_full_medium),
        cmocka_unit_test(test_compaction),
        cmocka_unit_test(test_sequence_wrap),
        cmocka_unit_test(test_file_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
