/* tl_mqtt decoder: remaining-length boundaries, chunking, sticky errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

static void test_fixed_header_boundaries(void **state)
{
    static const struct { const char *hex; uint32_t v; size_t hlen; } cases[] = {
        { "30 00", 0, 2 }, { "30 7F", 127, 2 }, { "30 80 01", 128, 3 },
        { "30 FF 7F", 16383, 3 }, { "30 80 80 01", 16384, 4 },
        { "30 FF FF 7F", 2097151, 4 }, { "30 80 80 80 01", 2097152, 5 },
        { "30 FF FF FF 7F", 268435455, 5 },
        { "30 80 00", 0, 3 },   /* a longer encoding than needed is not forbidden */
    };
    uint8_t b[8], first;
    uint32_t rem;
    size_t i, n, hlen, k;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        n = hex(cases[i].hex, b, sizeof b);
        assert_int_equal(tl_mqtt_decode_fixed_header(b, n, &first, &rem, &hlen), TL_MQTT_COMPLETE);
        assert_int_equal(first, 0x30);
        assert_int_equal(rem, cases[i].v);
        assert_int_equal(hlen, cases[i].hlen);
        for (k = 0; k < n; k++)
            assert_int_equal(tl_mqtt_decode_fixed_header(b, k, &first, &rem, &hlen),
                             TL_MQTT_NEED_MORE);
    }
    /* A fifth length byte. */
    n = hex("30 FF FF FF FF 7F", b, sizeof b);
    assert_int_equal(tl_mqtt_decode_fixed_header(b, n, &first, &rem, &hlen),
                     TL_MQTT_ERR_REMAINING_LENGTH);
    n = hex("30 80 80 80 80", b, sizeof b);
    assert_int_equal(tl_mqtt_decode_fixed_header(b, n, &first, &rem, &hlen),
                     TL_MQTT_ERR_REMAINING_LENGTH);
    assert_int_equal(tl_mqtt_decode_fixed_header(b, 4, &first, &rem, &hlen), TL_MQTT_NEED_MORE);
}

static void test_decoder_boundaries(void **state)
{
    static uint8_t body[16384], in[16384 + 8];
    static const uint32_t sizes[] = { 0, 1, 127, 128, 16383, 16384 };
    tl_mqtt_decoder d;
    tl_mqtt_packet pkt;
    size_t i, n, used;
    (void)state;
    tl_mqtt_decoder_init(&d, body, sizeof body);
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t rl[4];
        size_t k = tl_mqtt_encode_remaining_length(sizes[i], rl);
        in[0] = 0x30;
        memcpy(in + 1, rl, k);
        memset(in + 1 + k, (int)i, sizes[i]);
        n = 1 + k + sizes[i];
        assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_COMPLETE);
        assert_int_equal(used, n);
        assert_int_equal(pkt.type, TL_MQTT_PUBLISH);
        assert_int_equal(pkt.len, sizes[i]);
        if (sizes[i] > 0)
            assert_int_equal(pkt.body[sizes[i] - 1], i);
    }
    /* One byte over the buffer (not a PUBLISH): refused as soon as the
     * length is known. */
    n = hex("90 81 80 01", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_PACKET_TOO_BIG);
    assert_int_equal(used, n);
    assert_int_equal(tl_mqtt_decoder_error(&d), TL_MQTT_ERR_PACKET_TOO_BIG);
    /* Sticky until reset. */
    n = hex("C0 00", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_DECODER_FAILED);
    assert_int_equal(used, 0);
    tl_mqtt_decoder_reset(&d);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_COMPLETE);
    assert_int_equal(pkt.type, TL_MQTT_PINGREQ);
    /* The largest remaining length and a fifth length byte. */
    n = hex("B0 FF FF FF 7F", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_PACKET_TOO_BIG);
    tl_mqtt_decoder_reset(&d);
    n = hex("30 FF FF FF FF 7F", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_REMAINING_LENGTH);
    assert_int_equal(used, 5);
    /* Bad first bytes are refused before any length byte. */
    tl_mqtt_decoder_reset(&d);
    n = hex("F0 00", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_PACKET_TYPE);
    assert_int_equal(used, 1);
    /* A zero-capacity decoder still takes empty packets. */
    tl_mqtt_decoder_init(&d, NULL, 0);
    n = hex("D0 00", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_COMPLETE);
    assert_int_equal(tl_mqtt_parse_pingresp(&pkt), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, 0, &used, &pkt), TL_MQTT_NEED_MORE);
    assert_int_equal(tl_mqtt_decoder_feed(NULL, in, n, &used, &pkt), TL_MQTT_ERR_ARGUMENT);
}

/* A PUBLISH larger than the buffer: its first bytes kept, the rest taken
 * and dropped as it comes, in any split; the stream stays in step. */
static void test_decoder_skips_big_publish(void **state)
{
    static uint8_t in[6000];
    uint8_t body[16];
    size_t n, k, used, pos, split;
    tl_mqtt_decoder d;
    tl_mqtt_packet pkt;
    tl_mqtt_status st;
    (void)state;
    /* QoS 1, topic "a/b", id 5, a 5000-byte payload; then a PINGRESP. */
    n = hex("32 8F 27 00 03 61 2F 62 00 05", in, sizeof in);
    for (k = 0; k < 5000; k++)
        in[n++] = (uint8_t)k;
    n += hex("D0 00", in + n, sizeof in - n);
    for (split = 1; split <= 4096; split *= 8) {
        tl_mqtt_decoder_init(&d, body, sizeof body);
        st = TL_MQTT_NEED_MORE;
        for (pos = 0; st == TL_MQTT_NEED_MORE && pos < n; pos += used) {
            st = tl_mqtt_decoder_feed(&d, in + pos, n - pos < split ? n - pos : split, &used,
                                      &pkt);
        }
        assert_int_equal(st, TL_MQTT_SKIPPED);
        assert_int_equal(pos, 5010);   /* the whole PUBLISH was taken */
        assert_int_equal(pkt.type, TL_MQTT_PUBLISH);
        assert_int_equal(pkt.flags, 2);
        assert_int_equal(pkt.len, sizeof body);
        assert_memory_equal(pkt.body, in + 3, sizeof body);
        assert_int_equal(d.remaining, 5007);
        assert_int_equal(tl_mqtt_decoder_error(&d), TL_MQTT_OK);
        assert_int_equal(tl_mqtt_decoder_feed(&d, in + pos, n - pos, &used, &pkt),
                         TL_MQTT_COMPLETE);
        assert_int_equal(pkt.type, TL_MQTT_PINGRESP);
        assert_int_equal(pos + used, n);
    }
    /* The fixed header is still checked first: QoS 3, then a fifth length
     * byte. */
    tl_mqtt_decoder_init(&d, body, sizeof body);
    n = hex("36 8F 27", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_QOS);
    tl_mqtt_decoder_reset(&d);
    n = hex("30 FF FF FF FF 7F", in, sizeof in);
    assert_int_equal(tl_mqtt_decoder_feed(&d, in, n, &used, &pkt), TL_MQTT_ERR_REMAINING_LENGTH);
    /* The one-shot view has no buffer to skip into: still too big. */
    n = hex("30 81 80 01", in, sizeof in);
    assert_int_equal(tl_mqtt_decode_packet(in, n, 16, &pkt, &used), TL_MQTT_ERR_PACKET_TOO_BIG);
}

/* What a decoder produced, flattened: type, flags, length, body per packet. */
typedef struct {
    uint8_t out[4096];
    size_t len;
    size_t packets;
} record;

static void decode_chunks(const uint8_t *in, size_t n, const size_t *chunks, record *r)
{
    static uint8_t body[1024];
    tl_mqtt_decoder d;
    size_t pos = 0, ci = 0;
    memset(r, 0, sizeof *r);
    tl_mqtt_decoder_init(&d, body, sizeof body);
    while (pos < n) {
        size_t len = chunks != NULL ? chunks[ci++ % 7] : n - pos;
        if (len > n - pos)
            len = n - pos;
        while (len > 0) {
            tl_mqtt_packet pkt;
            size_t used;
            tl_mqtt_status st = tl_mqtt_decoder_feed(&d, in + pos, len, &used, &pkt);
            assert_true(used <= len);
            pos += used;
            len -= used;
            if (st == TL_MQTT_NEED_MORE) {
                assert_int_equal(len, 0);
                break;
            }
            assert_int_equal(st, TL_MQTT_COMPLETE);
            r->out[r->len++] = pkt.type;
            r->out[r->len++] = pkt.flags;
            r->out[r->len++] = (uint8_t)(pkt.len >> 8);
            r->out[r->len++] = (uint8_t)pkt.len;
            memcpy(r->out + r->len, pkt.body, pkt.len);
            r->len += pkt.len;
            r->packets++;
        }
    }
}

static void test_chunking(void **state)
{
    static const char *const stream[] = {
        "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61", "20 02 01 00", "C0 00",
        "3B 09 00 03 61 2F 62 00 0A 68 69", "40 02 12 34", "82 0C 00 01 00 03 61 2F 23 01 00 01 62 00",
        "90 04 00 01 01 80", "A2 07 00 02 00 03 61 2F 23", "B0 02 00 02", "D0 00", "E0 00",
    };
    static const size_t ones[7] = { 1, 1, 1, 1, 1, 1, 1 };
    static const size_t odd[7] = { 3, 1, 7, 2, 13, 5, 200 };
    static uint8_t in[1024];
    static record all, each, mixed;
    size_t i, n = 0;
    (void)state;
    for (i = 0; i < sizeof stream / sizeof stream[0]; i++)
        n += hex(stream[i], in + n, sizeof in - n);
    /* And a packet with a 200-byte body (two length bytes). */
    in[n++] = 0x30; in[n++] = 0xC8; in[n++] = 0x01; in[n++] = 0x00; in[n++] = 0x01;
    in[n++] = 'z';
    memset(in + n, 0x5A, 197);
    n += 197;
    decode_chunks(in, n, NULL, &all);
    decode_chunks(in, n, ones, &each);
    decode_chunks(in, n, odd, &mixed);
    assert_int_equal(all.packets, 12);
    assert_int_equal(each.packets, 12);
    assert_int_equal(mixed.packets, 12);
    assert_int_equal(all.len, each.len);
    assert_memory_equal(all.out, each.out, all.len);
    assert_int_equal(all.len, mixed.len);
    assert_memory_equal(all.out, mixed.out, all.len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_header_boundaries),
        cmocka_unit_test(test_decoder_boundaries),
        cmocka_unit_test(test_decoder_skips_big_publish),
        cmocka_unit_test(test_chunking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
