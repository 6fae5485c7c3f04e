/*
 * The QoS 1 journal in flash (ports/common/tl_port_journal_flash.c) on the
 * QEMU targets (Cortex-M3, lx106): what was queued survives reboots,
 * compactions and power cuts in the middle of an append, of a compaction
 * and of the header write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tl_port.h"

/* ---- the QoS 1 journal in flash ---- */

static uint8_t jmem[4 * 512];
static uint8_t jwork[256];

/* A power cut and a reboot: a fresh store and journal over the same flash. */
static void reboot(tl_port_flash_ram *f, tl_port_journal_flash *s, tl_mqtt_journal *j)
{
    assert_int_equal(tl_port_journal_flash_open(s, &f->vtable), TL_PORT_OK);
    assert_int_equal(tl_mqtt_journal_open(j, &s->vtable, jwork, sizeof jwork,
                                          tl_port_journal_flash_capacity(s)),
                     TL_MQTT_JOURNAL_OK);
}

static void expect_live(tl_mqtt_journal *j, const char *const *payloads, size_t n)
{
    size_t i;
    assert_int_equal(tl_mqtt_journal_count(j), n);
    for (i = 0; i < n; i++) {
        tl_mqtt_journal_msg m;
        assert_int_equal(tl_mqtt_journal_read(j, tl_mqtt_journal_seq_at(j, i), &m),
                         TL_MQTT_JOURNAL_OK);
        assert_int_equal(m.payload_len, strlen(payloads[i]));
        assert_memory_equal(m.payload, payloads[i], m.payload_len);
        assert_true(m.sent_before);
    }
}

static void test_journal_flash_survives_reboots(void **state)
{
    tl_port_flash_ram f;
    tl_port_journal_flash s;
    tl_mqtt_journal *j = calloc(1, sizeof *j);
    static const char *const after_ack[] = { "two", "three\xff\xff" };
    static const char *const after_fill[] = { "two", "three\xff\xff", "last" };
    uint32_t seq[3];
    int i;
    (void)state;
    assert_non_null(j);
    tl_port_flash_ram_init(&f, jmem, sizeof jmem, 512);
    reboot(&f, &s, j);                       /* blank flash: an empty journal */
    assert_int_equal(tl_mqtt_journal_count(j), 0);
    assert_int_equal(tl_port_journal_flash_capacity(&s), 1024 - 16);
    /* A payload ending in 0xFF bytes: the end is found by record length. */
    assert_int_equal(tl_mqtt_journal_append(j, "t/a", 3, (const uint8_t *)"one", 3, 0, &seq[0]),
                     TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_append(j, "t/a", 3, (const uint8_t *)"two", 3, 0, &seq[1]),
                     TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_append(j, "t/a", 3, (const uint8_t *)"three\xff\xff", 7, 0,
                                            &seq[2]), TL_MQTT_JOURNAL_OK);
    assert_int_equal(tl_mqtt_journal_ack(j, seq[0]), TL_MQTT_JOURNAL_OK);
    reboot(&f, &s, j);
    expect_live(j, after_ack, 2);
    /* Acks and new messages until compaction has run several times. */
    for (i = 0; i < 60; i++) {
        uint32_t q;
        assert_int_equal(tl_mqtt_journal_append(j, "t/b", 3, (const uint8_t *)"filler-filler", 13,
                                                0, &q), TL_MQTT_JOURNAL_OK);
        assert_int_equal(tl_mqtt_journal_ack(j, q), TL_MQTT_JOURNAL_OK);
    }
    assert_true(f.erases >= 4);
    assert_int_equal(tl_mqtt_journal_append(j, "t/c", 3, (const uint8_t *)"last", 4, 0, NULL),
                     TL_MQTT_JOURNAL_OK);
    reboot(&f, &s, j);
    expect_live(j, after_fill, 3);
    free(j);
}

static void test_journal_flash_power_cuts(void **state)
{
    tl_port_flash_ram f;
    tl_port_journal_flash s;
    tl_mqtt_journal *j = calloc(1, sizeof *j);
    static const char *const one[] = { "kept" };
    static const char *const two[] = { "kept", "after" };
    uint32_t end;
    (void)state;
    assert_non_null(j);
    tl_port_flash_ram_init(&f, jmem, sizeof jmem, 512);
    reboot(&f, &s, j);
    assert_int_equal(tl_mqtt_journal_append(j, "t/a", 3, (const uint8_t *)"kept", 4, 0, NULL),
                     TL_MQTT_JOURNAL_OK);
    /* Cut during an append: half a record header on the flash. */
    end = s.active * s.half + 16 + s.size;
    assert_int_equal(f.vtable->write(&f.vtable, end, (const uint8_t *)"TJM\x01\x40", 5), TL_PORT_OK);
    reboot(&f, &s, j);
    expect_live(j, one, 1);
    assert_true(j->skipped > 0);
    /* Writing goes on after the damage, and survives. */
    assert_int_equal(tl_mqtt_journal_append(j, "t/a", 3, (const uint8_t *)"after", 5, 0, NULL),
                     TL_MQTT_JOURNAL_OK);
    reboot(&f, &s, j);
    expect_live(j, two, 2);
    /* Cut during compaction: the new half is written but has no header yet. */
    assert_int_equal(s.vtable->rewrite_begin(&s.vtable), 0);
    assert_int_equal(s.vtable->rewrite_append(&s.vtable, (const uint8_t *)"junk", 4), 0);
    reboot(&f, &s, j);
    expect_live(j, two, 2);
    /* Cut while the header itself is written: only its first bytes. */
    assert_int_equal(s.vtable->rewrite_begin(&s.vtable), 0);
    assert_int_equal(f.vtable->write(&f.vtable, (1 - s.active) * s.half,
                                     (const uint8_t *)"TLJF\x09\x00", 6), TL_PORT_OK);
    reboot(&f, &s, j);
    expect_live(j, two, 2);
    /* A compaction that completes switches halves and keeps both messages. */
    assert_int_equal(tl_mqtt_journal_compact(j), TL_MQTT_JOURNAL_OK);
    reboot(&f, &s, j);
    expect_live(j, two, 2);
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_journal_flash_survives_reboots),
        cmocka_unit_test(test_journal_flash_power_cuts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
