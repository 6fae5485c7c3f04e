/* The driver's pure parts: packet codec, CRC, addresses, layout decoder,
 * trace format. No bus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "atca/tl_atca_cmd.h"
#include "atca/tl_atca_layout.h"
#include "hal/tl_bus_trace.h"

static void test_crc_known_answer(void **state)
{
    /* Info (mode 0): 07 30 00 00 00 | CRC 03 5D, as seen on the wire. */
    static const uint8_t want[] = { 0x07, 0x30, 0x00, 0x00, 0x00, 0x03, 0x5D };
    uint8_t pkt[TL_ATCA_CMD_MAX];
    (void)state;
    assert_int_equal(tl_atca_build_packet(pkt, sizeof pkt, TL_ATCA_OP_INFO, 0, 0, NULL, 0), 7);
    assert_memory_equal(pkt, want, 7);
    assert_int_equal(tl_atca_crc16(want, 5), 0x5D03);
    /* The wake response carries its own CRC. */
    {
        static const uint8_t wake[] = { 0x04, 0x11, 0x33, 0x43 };
        assert_int_equal(tl_atca_crc16(wake, 2), 0x4333);
    }
}

static void test_build_packet(void **state)
{
    uint8_t pkt[TL_ATCA_CMD_MAX + 8], data[200];
    (void)state;
    memset(data, 0xAB, sizeof data);
    assert_int_equal(tl_atca_build_packet(pkt, sizeof pkt, TL_ATCA_OP_READ, 0x82, 0x0140,
                                          NULL, 0), 7);
    assert_int_equal(pkt[2], 0x82);
    assert_int_equal(pkt[3], 0x40);   /* param2 little-endian */
    assert_int_equal(pkt[4], 0x01);
    assert_int_equal(tl_atca_build_packet(pkt, sizeof pkt, TL_ATCA_OP_VERIFY, 2, 4, data, 128),
                     135);
    assert_int_equal(pkt[0], 135);
    assert_int_equal(tl_atca_crc16(pkt, 133), pkt[133] | pkt[134] << 8);
    /* Too long for the chip, or for the buffer: refused. */
    assert_int_equal(tl_atca_build_packet(pkt, sizeof pkt, 0x12, 0, 0, data, 149), 0);
    assert_int_equal(tl_atca_build_packet(pkt, 10, 0x12, 0, 0, data, 4), 0);
    assert_int_equal(tl_atca_build_packet(pkt, sizeof pkt, 0x12, 0, 0, NULL, 4), 0);
}

static void make_rsp(uint8_t *r, size_t n)
{
    r[0] = (uint8_t)n;
    tl_atca_crc(r, n - 2, r + n - 2);
}

static void test_parse_response(void **state)
{
    uint8_t r[80], out[72], st = 0xAA;
    size_t got = 99;
    (void)state;
    /* Status OK. */
    r[1] = 0x00;
    make_rsp(r, 4);
    assert_int_equal(tl_atca_parse_response(r, 4, out, sizeof out, &got, &st), TL_ATCA_OK);
    assert_int_equal(got, 0);
    assert_int_equal(st, 0);
    /* Every documented status maps. */
    {
        static const struct { uint8_t b; tl_atca_status s; } m[] = {
            { 0x01, TL_ATCA_ERR_MISCOMPARE }, { 0x03, TL_ATCA_ERR_PARSE },
            { 0x05, TL_ATCA_ERR_ECC_FAULT }, { 0x07, TL_ATCA_ERR_SELFTEST },
            { 0x08, TL_ATCA_ERR_HEALTH }, { 0x0F, TL_ATCA_ERR_EXEC },
            { 0x11, TL_ATCA_ERR_AFTER_WAKE }, { 0xEE, TL_ATCA_ERR_WATCHDOG },
            { 0xFF, TL_ATCA_ERR_CHIP_COMM }, { 0x42, TL_ATCA_ERR_CHIP_STATUS } };
        size_t i;
        for (i = 0; i < sizeof m / sizeof m[0]; i++) {
            r[1] = m[i].b;
            make_rsp(r, 4);
            assert_int_equal(tl_atca_parse_response(r, 4, out, sizeof out, &got, &st), m[i].s);
            assert_int_equal(st, m[i].b);
        }
    }
    /* Data. */
    memset(r + 1, 0x5C, 32);
    make_rsp(r, 35);
    assert_int_equal(tl_atca_parse_response(r, 35, out, sizeof out, &got, NULL), TL_ATCA_OK);
    assert_int_equal(got, 32);
    assert_int_equal(out[31], 0x5C);
    /* Buffer too small. */
    assert_int_equal(tl_atca_parse_response(r, 35, out, 31, &got, NULL), TL_ATCA_ERR_BAD_LENGTH);
    /* Count disagrees with the length, or is out of bounds. */
    assert_int_equal(tl_atca_parse_response(r, 34, out, sizeof out, &got, NULL), TL_ATCA_ERR_BAD_COUNT);
    r[0] = 3;
    assert_int_equal(tl_atca_parse_response(r, 3, out, sizeof out, &got, NULL), TL_ATCA_ERR_BAD_COUNT);
    memset(r, 0, sizeof r);
    make_rsp(r, 76);
    assert_int_equal(tl_atca_parse_response(r, 76, out, sizeof out, &got, NULL), TL_ATCA_ERR_BAD_COUNT);
    assert_int_equal(tl_atca_parse_response(NULL, 4, out, sizeof out, &got, NULL), TL_ATCA_ERR_BAD_COUNT);
    /* CRC: any flipped bit is caught. */
    memset(r + 1, 0x11, 4);
    make_rsp(r, 7);
    r[3] ^= 0x01;
    assert_int_equal(tl_atca_parse_response(r, 7, out, sizeof out, &got, NULL), TL_ATCA_ERR_BAD_CRC);
    r[3] ^= 0x01;
    r[6] ^= 0x80;
    assert_int_equal(tl_atca_parse_response(r, 7, out, sizeof out, &got, NULL), TL_ATCA_ERR_BAD_CRC);
}

static void test_addr_encoding(void **state)
{
    uint16_t a = 0;
    (void)state;
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_CONFIG, 0, 2, 5, &a), TL_ATCA_OK);
    assert_int_equal(a, 0x15);
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_OTP, 0, 1, 7, &a), TL_ATCA_OK);
    assert_int_equal(a, 0x0F);
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_DATA, 8, 12, 3, &a), TL_ATCA_OK);
    assert_int_equal(a, (8 << 3) | 3 | (12 << 8));
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_CONFIG, 0, 4, 0, &a), TL_ATCA_ERR_ARG);
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_OTP, 0, 2, 0, &a), TL_ATCA_ERR_ARG);
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_DATA, 16, 0, 0, &a), TL_ATCA_ERR_ARG);
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_DATA, 0, 1, 1, &a), TL_ATCA_ERR_ARG); /* byte 36 */
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_DATA, 0, 1, 0, &a), TL_ATCA_OK);      /* byte 32 */
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_DATA, 8, 13, 0, &a), TL_ATCA_ERR_ARG); /* 416 */
    assert_int_equal(tl_atca_addr(3, 0, 0, 0, &a), TL_ATCA_ERR_ARG);
    assert_int_equal(tl_atca_addr(TL_ATCA_ZONE_CONFIG, 0, 0, 8, &a), TL_ATCA_ERR_ARG);
}

static void test_model_from_revision(void **state)
{
    static const uint8_t r508[4] = { 0, 0, 0x50, 0 }, r608[4] = { 0, 0, 0x60, 0x02 },
                         other[4] = { 0, 0, 0x10, 0x05 };
    (void)state;
    assert_int_equal(tl_atca_model_from_revision(r508), TL_ATCA_MODEL_508A);
    assert_int_equal(tl_atca_model_from_revision(r608), TL_ATCA_MODEL_608A);
    assert_int_equal(tl_atca_model_from_revision(other), TL_ATCA_MODEL_UNKNOWN);
}

static void test_layout(void **state)
{
    uint8_t cfg[128];
    char text[256];
    size_t n;
    (void)state;
    memset(cfg, 0, sizeof cfg);
    assert_false(tl_atca_layout_matches(cfg));
    tl_atca_layout_apply(cfg);
    assert_true(tl_atca_layout_matches(cfg));
    assert_int_equal(tl_atca_slot_config(cfg, 0), 0x2087);
    assert_int_equal(cfg[20], 0x87);
    assert_int_equal(cfg[21], 0x20);
    assert_int_equal(tl_atca_key_config(cfg, 0), 0x0033);
    assert_int_equal(tl_atca_slot_config(cfg, 8), 0x0000);
    assert_int_equal(tl_atca_key_config(cfg, 8), 0x003C);
    assert_int_equal(tl_atca_key_config(cfg, 2), 0x0033);
    assert_int_equal(tl_atca_key_config(cfg, 3), 0x003C);
    n = tl_atca_describe_slot(0x2087, 0x0033, text, sizeof text);
    assert_int_equal(n, strlen(text));
    assert_string_equal(text, "P-256 private key; secret, never readable; ExtSig IntSig "
                              "ECDH(clear out); GenKey allowed; PrivWrite refused; lockable");
    tl_atca_describe_slot(0x0000, 0x003C, text, sizeof text);
    assert_string_equal(text, "data/SHA; clear read; write always; lockable");
    tl_atca_describe_slot(0x8FC4, 0x001C, text, sizeof text);
    assert_string_equal(text, "data/SHA; secret, encrypted read (key 4); write never");
    tl_atca_describe_slot(0x4000 | 0x0300 | 0x80, 0x001C, text, sizeof text);
    assert_string_equal(text, "data/SHA; secret, never readable; encrypted write only (key 3)");
    /* Truncation keeps a terminated string. */
    assert_int_equal(tl_atca_describe_slot(0x2087, 0x0033, text, 8), 7);
    assert_string_equal(text, "P-256 p");
}

static void test_trace_format(void **state)
{
    static const uint8_t w[] = { 0x03, 0x07, 0x30, 0x00, 0x00, 0x00, 0x03, 0x5d };
    static const uint8_t k[] = { 0x04, 0x11, 0x33, 0x43 };
    char out[128];
    (void)state;
    tl_bus_trace_format('W', w, sizeof w, TL_BUS_OK, out, sizeof out);
    assert_string_equal(out, "W 03 07 30 00 00 00 03 5d\n");
    tl_bus_trace_format('K', k, 4, TL_BUS_OK, out, sizeof out);
    assert_string_equal(out, "K\nR 04 11 33 43\n");
    tl_bus_trace_format('R', k, 0, TL_BUS_NACK, out, sizeof out);
    assert_string_equal(out, "NACK\n");
    tl_bus_trace_format('W', w, 1, TL_BUS_NACK, out, sizeof out);
    assert_string_equal(out, "W 03\nNACK\n");
    assert_int_equal(tl_bus_trace_format('W', w, sizeof w, TL_BUS_OK, out, 6), 5);
    assert_string_equal(out, "W 03 ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_known_answer),
        cmocka_unit_test(test_build_packet),
        cmocka_unit_test(test_parse_response),
        cmocka_unit_test(test_addr_encoding),
        cmocka_unit_test(test_model_from_revision),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_trace_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
