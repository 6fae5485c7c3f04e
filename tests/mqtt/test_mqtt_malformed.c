/* tl_mqtt parsers and decoder: every malformed packet gets its own status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

enum { K_CONNECT, K_CONNACK, K_PUBLISH, K_PUBACK, K_SUBSCRIBE, K_SUBACK, K_UNSUBSCRIBE,
       K_UNSUBACK, K_PINGREQ, K_PINGRESP, K_DISCONNECT };

static tl_mqtt_status parse_as(int kind, const tl_mqtt_packet *pkt, const tl_mqtt_options *opt)
{
    tl_mqtt_connect c;
    tl_mqtt_connack k;
    tl_mqtt_publish p;
    tl_mqtt_subscribe s;
    tl_mqtt_suback a;
    tl_mqtt_unsubscribe u;
    uint16_t id;
    switch (kind) {
    case K_CONNECT: return tl_mqtt_parse_connect(pkt, opt, &c);
    case K_CONNACK: return tl_mqtt_parse_connack(pkt, &k);
    case K_PUBLISH: return tl_mqtt_parse_publish(pkt, opt, &p);
    case K_PUBACK: return tl_mqtt_parse_puback(pkt, &id);
    case K_SUBSCRIBE: return tl_mqtt_parse_subscribe(pkt, opt, &s);
    case K_SUBACK: return tl_mqtt_parse_suback(pkt, &a);
    case K_UNSUBSCRIBE: return tl_mqtt_parse_unsubscribe(pkt, opt, &u);
    case K_UNSUBACK: return tl_mqtt_parse_unsuback(pkt, &id);
    case K_PINGREQ: return tl_mqtt_parse_pingreq(pkt);
    case K_PINGRESP: return tl_mqtt_parse_pingresp(pkt);
    default: return tl_mqtt_parse_disconnect(pkt);
    }
}

/* Framing, then parsing; the decoder must agree with the one-shot view. */
static tl_mqtt_status run(const uint8_t *b, size_t n, size_t max_body, int kind, int aws)
{
    static uint8_t body[300000];
    tl_mqtt_options opt = { aws };
    tl_mqtt_packet pkt, dpkt;
    tl_mqtt_decoder d;
    size_t used, consumed, i;
    tl_mqtt_status st = tl_mqtt_decode_packet(b, n, max_body, &pkt, &used), ds = TL_MQTT_NEED_MORE;
    tl_mqtt_decoder_init(&d, body, max_body);
    for (i = 0; i < n && ds == TL_MQTT_NEED_MORE; i++)
        ds = tl_mqtt_decoder_feed(&d, b + i, 1, &consumed, &dpkt);
    if (st != TL_MQTT_COMPLETE) {
        /* A PUBLISH the one-shot view refuses as too big, the decoder skips. */
        if (st == TL_MQTT_ERR_PACKET_TOO_BIG && (b[0] >> 4) == TL_MQTT_PUBLISH)
            assert_int_equal(ds, TL_MQTT_SKIPPED);
        else
            assert_int_equal(ds, st);
        return st;
    }
    assert_int_equal(ds, TL_MQTT_COMPLETE);
    assert_int_equal(used, n);
    assert_int_equal(i, n);
    assert_int_equal(parse_as(kind, &dpkt, &opt), parse_as(kind, &pkt, &opt));
    return parse_as(kind, &pkt, &opt);
}

typedef struct {
    const char *hex;
    int kind;
    int aws;
    tl_mqtt_status st;
} bad_case;

static void test_malformed_table(void **state)
{
    static const bad_case cases[] = {
        /* fixed header */
        { "00 00", K_PINGREQ, 0, TL_MQTT_ERR_PACKET_TYPE },
        { "F0 00", K_PINGREQ, 0, TL_MQTT_ERR_PACKET_TYPE },
        { "80 06 00 01 00 01 61 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_FLAGS },
        { "8A 06 00 01 00 01 61 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_FLAGS },
        { "A0 05 00 01 00 01 61", K_UNSUBSCRIBE, 0, TL_MQTT_ERR_FLAGS },
        { "42 02 00 01", K_PUBACK, 0, TL_MQTT_ERR_FLAGS },
        { "21 02 00 00", K_CONNACK, 0, TL_MQTT_ERR_FLAGS },
        { "D1 00", K_PINGRESP, 0, TL_MQTT_ERR_FLAGS },
        { "C8 00", K_PINGREQ, 0, TL_MQTT_ERR_FLAGS },
        { "E2 00", K_DISCONNECT, 0, TL_MQTT_ERR_FLAGS },
        { "64 02 00 01", K_PUBACK, 0, TL_MQTT_ERR_FLAGS },   /* PUBREL flags 0100 */
        { "36 05 00 01 61 00 01", K_PUBLISH, 0, TL_MQTT_ERR_QOS },
        { "3E 05 00 01 61 00 01", K_PUBLISH, 0, TL_MQTT_ERR_QOS },
        { "38 03 00 01 61", K_PUBLISH, 0, TL_MQTT_ERR_DUP_QOS0 },
        { "30 FF FF FF FF 01", K_PUBLISH, 0, TL_MQTT_ERR_REMAINING_LENGTH },
        { "30 80 80 80 80", K_PUBLISH, 0, TL_MQTT_ERR_REMAINING_LENGTH },
        { "30 05 00 03 61 2F", K_PUBLISH, 0, TL_MQTT_NEED_MORE },
        /* wrong parser for the type */
        { "40 02 00 01", K_UNSUBACK, 0, TL_MQTT_ERR_PACKET_TYPE },
        { "20 02 00 00", K_PUBLISH, 0, TL_MQTT_ERR_PACKET_TYPE },
        /* PUBLISH */
        { "34 05 00 01 61 00 01", K_PUBLISH, 0, TL_MQTT_ERR_QOS2_UNSUPPORTED },
        { "30 00", K_PUBLISH, 0, TL_MQTT_ERR_TRUNCATED },
        { "30 01 00", K_PUBLISH, 0, TL_MQTT_ERR_TRUNCATED },
        { "30 04 00 05 61 62", K_PUBLISH, 0, TL_MQTT_ERR_STRING_LENGTH },
        { "30 04 00 02 C3 28", K_PUBLISH, 0, TL_MQTT_ERR_UTF8 },
        { "30 03 00 01 00", K_PUBLISH, 0, TL_MQTT_ERR_UTF8 },
        { "30 05 00 03 ED A0 80", K_PUBLISH, 0, TL_MQTT_ERR_UTF8 },
        { "30 04 00 02 C0 AF", K_PUBLISH, 0, TL_MQTT_ERR_UTF8 },
        { "30 03 00 01 2B", K_PUBLISH, 0, TL_MQTT_ERR_TOPIC_WILDCARD },
        { "30 05 00 03 61 2F 23", K_PUBLISH, 0, TL_MQTT_ERR_TOPIC_WILDCARD },
        { "30 02 00 00", K_PUBLISH, 0, TL_MQTT_ERR_TOPIC_EMPTY },
        { "32 05 00 01 61 00 00", K_PUBLISH, 0, TL_MQTT_ERR_PACKET_ID },
        { "32 03 00 01 61", K_PUBLISH, 0, TL_MQTT_ERR_TRUNCATED },
        { "32 04 00 01 61 00", K_PUBLISH, 0, TL_MQTT_ERR_TRUNCATED },
        { "30 13 00 11 61 2F 62 2F 63 2F 64 2F 65 2F 66 2F 67 2F 68 2F 69", K_PUBLISH, 1,
          TL_MQTT_ERR_TOPIC_LEVELS },
        { "30 13 00 11 61 2F 62 2F 63 2F 64 2F 65 2F 66 2F 67 2F 68 2F 69", K_PUBLISH, 0,
          TL_MQTT_OK },
        /* CONNACK */
        { "20 02 00 06", K_CONNACK, 0, TL_MQTT_ERR_RETURN_CODE },
        { "20 02 02 00", K_CONNACK, 0, TL_MQTT_ERR_RESERVED },
        { "20 02 80 00", K_CONNACK, 0, TL_MQTT_ERR_RESERVED },
        { "20 02 01 05", K_CONNACK, 0, TL_MQTT_ERR_SESSION_PRESENT },
        { "20 03 00 00 00", K_CONNACK, 0, TL_MQTT_ERR_LENGTH },
        { "20 01 00", K_CONNACK, 0, TL_MQTT_ERR_LENGTH },
        /* acks and empty packets */
        { "40 03 00 01 00", K_PUBACK, 0, TL_MQTT_ERR_LENGTH },
        { "40 01 01", K_PUBACK, 0, TL_MQTT_ERR_LENGTH },
        { "40 02 00 00", K_PUBACK, 0, TL_MQTT_ERR_PACKET_ID },
        { "B0 02 00 00", K_UNSUBACK, 0, TL_MQTT_ERR_PACKET_ID },
        { "D0 01 00", K_PINGRESP, 0, TL_MQTT_ERR_LENGTH },
        { "C0 01 00", K_PINGREQ, 0, TL_MQTT_ERR_LENGTH },
        { "E0 01 00", K_DISCONNECT, 0, TL_MQTT_ERR_LENGTH },
        /* SUBACK */
        { "90 03 00 01 03", K_SUBACK, 0, TL_MQTT_ERR_RETURN_CODE },
        { "90 03 00 01 81", K_SUBACK, 0, TL_MQTT_ERR_RETURN_CODE },
        { "90 03 00 01 FF", K_SUBACK, 0, TL_MQTT_ERR_RETURN_CODE },
        { "90 02 00 01", K_SUBACK, 0, TL_MQTT_ERR_LENGTH },
        { "90 03 00 00 01", K_SUBACK, 0, TL_MQTT_ERR_PACKET_ID },
        { "90 0B 00 01 00 00 00 00 00 00 00 00 00", K_SUBACK, 0, TL_MQTT_ERR_TOO_MANY_FILTERS },
        /* SUBSCRIBE */
        { "82 02 00 01", K_SUBSCRIBE, 0, TL_MQTT_ERR_NO_FILTERS },
        { "82 01 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_TRUNCATED },
        { "82 06 00 00 00 01 61 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_PACKET_ID },
        { "82 05 00 01 00 01 61", K_SUBSCRIBE, 0, TL_MQTT_ERR_TRUNCATED },
        { "82 06 00 01 00 01 61 04", K_SUBSCRIBE, 0, TL_MQTT_ERR_RESERVED },
        { "82 06 00 01 00 01 61 03", K_SUBSCRIBE, 0, TL_MQTT_ERR_QOS },
        { "82 06 00 01 00 01 61 02", K_SUBSCRIBE, 0, TL_MQTT_OK },
        { "82 07 00 01 00 02 61 23 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_TOPIC_FILTER },
        { "82 09 00 01 00 04 23 2F 61 2F 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_TOPIC_FILTER },
        { "82 07 00 01 00 02 2B 61 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_TOPIC_FILTER },
        { "82 05 00 01 00 00 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_TOPIC_EMPTY },
        { "82 06 00 01 00 09 61 00", K_SUBSCRIBE, 0, TL_MQTT_ERR_STRING_LENGTH },
        { "82 26 00 01 00 01 61 00 00 01 61 00 00 01 61 00 00 01 61 00 00 01 61 00"
          " 00 01 61 00 00 01 61 00 00 01 61 00 00 01 61 00", K_SUBSCRIBE, 0,
          TL_MQTT_ERR_TOO_MANY_FILTERS },
        { "82 22 00 01 00 01 61 00 00 01 61 00 00 01 61 00 00 01 61 00 00 01 61 00"
          " 00 01 61 00 00 01 61 00 00 01 61 00", K_SUBSCRIBE, 1, TL_MQTT_OK },
        /* UNSUBSCRIBE */
        { "A2 02 00 01", K_UNSUBSCRIBE, 0, TL_MQTT_ERR_NO_FILTERS },
        { "A2 05 00 00 00 01 61", K_UNSUBSCRIBE, 0, TL_MQTT_ERR_PACKET_ID },
        { "A2 05 00 01 00 01 23", K_UNSUBSCRIBE, 0, TL_MQTT_OK },
        { "A2 06 00 01 00 02 23 23", K_UNSUBSCRIBE, 0, TL_MQTT_ERR_TOPIC_FILTER },
        { "A2 05 00 01 00 01 FF", K_UNSUBSCRIBE, 0, TL_MQTT_ERR_UTF8 },
        { "A2 04 00 01 00 01", K_UNSUBSCRIBE, 0, TL_MQTT_ERR_STRING_LENGTH },
        /* CONNECT (the KAT is 10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61) */
        { "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61", K_CONNECT, 1, TL_MQTT_OK },
        { "10 0D 00 04 4D 51 54 58 04 02 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_PROTOCOL_NAME },
        { "10 0F 00 06 4D 51 49 73 64 70 03 02 00 3C 00 01 61", K_CONNECT, 0,
          TL_MQTT_ERR_PROTOCOL_NAME },
        { "10 0D 00 04 4D 51 54 54 03 02 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_PROTOCOL_LEVEL },
        { "10 0D 00 04 4D 51 54 54 04 03 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_RESERVED },
        { "10 0D 00 04 4D 51 54 54 04 0A 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_WILL },
        { "10 0D 00 04 4D 51 54 54 04 22 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_WILL },
        { "10 0D 00 04 4D 51 54 54 04 1E 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_QOS },
        { "10 0D 00 04 4D 51 54 54 04 16 00 3C 00 01 61", K_CONNECT, 0,
          TL_MQTT_ERR_QOS2_UNSUPPORTED },
        { "10 0D 00 04 4D 51 54 54 04 42 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_CREDENTIALS },
        { "10 0C 00 04 4D 51 54 54 04 00 00 3C 00 00", K_CONNECT, 0, TL_MQTT_ERR_CLIENT_ID },
        { "10 0C 00 04 4D 51 54 54 04 02 00 3C 00 00", K_CONNECT, 0, TL_MQTT_OK },
        { "10 0E 00 04 4D 51 54 54 04 02 00 3C 00 01 61 00", K_CONNECT, 0, TL_MQTT_ERR_LENGTH },
        { "10 0D 00 04 4D 51 54 54 04 82 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_TRUNCATED },
        { "10 0F 00 04 4D 51 54 54 04 82 00 3C 00 01 61 00 05", K_CONNECT, 0,
          TL_MQTT_ERR_STRING_LENGTH },
        { "10 0D 00 04 4D 51 54 54 04 06 00 3C 00 01 61", K_CONNECT, 0, TL_MQTT_ERR_TRUNCATED },
        { "10 12 00 04 4D 51 54 54 04 06 00 3C 00 01 61 00 01 23 00 00", K_CONNECT, 0,
          TL_MQTT_ERR_TOPIC_WILDCARD },
        { "10 12 00 04 4D 51 54 54 04 06 00 3C 00 01 61 00 01 77 00 00", K_CONNECT, 0,
          TL_MQTT_OK },
        { "10 0A 00 04 4D 51 54 54 04 02 00 3C", K_CONNECT, 0, TL_MQTT_ERR_TRUNCATED },
        { "10 03 00 04 4D", K_CONNECT, 0, TL_MQTT_ERR_STRING_LENGTH },
    };
    uint8_t b[256];
    size_t i, failures = 0;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = hex(cases[i].hex, b, sizeof b);
        tl_mqtt_status st = run(b, n, sizeof b, cases[i].kind, cases[i].aws);
        if (st != cases[i].st) {
            print_message("case %zu (%s): got %s, want %s\n", i, cases[i].hex,
                          tl_mqtt_status_name(st), tl_mqtt_status_name(cases[i].st));
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* Cases too big for hex: long topics, payloads and client ids. */
static void test_malformed_limits(void **state)
{
    static uint8_t b[140000];
    size_t n;
    (void)state;
    /* PUBLISH with a 257-byte topic. */
    memset(b, 'a', sizeof b);
    b[0] = 0x30; b[1] = 0x83; b[2] = 0x02;   /* remaining 259 */
    b[3] = 0x01; b[4] = 0x01;                /* topic length 257 */
    assert_int_equal(run(b, 3 + 259, sizeof b, K_PUBLISH, 1), TL_MQTT_ERR_TOPIC_TOO_LONG);
    assert_int_equal(run(b, 3 + 259, sizeof b, K_PUBLISH, 0), TL_MQTT_OK);
    b[4] = 0x00;                             /* 256 bytes + 1 payload byte */
    assert_int_equal(run(b, 3 + 259, sizeof b, K_PUBLISH, 1), TL_MQTT_OK);
    /* PUBLISH with a 128 KB + 1 payload: remaining 3 + 131073 = 131076. */
    n = 131076;
    b[1] = (uint8_t)(0x80 | (n & 0x7F)); b[2] = (uint8_t)(0x80 | ((n >> 7) & 0x7F));
    b[3] = (uint8_t)(n >> 14);
    b[4] = 0x00; b[5] = 0x01; b[6] = 't';
    assert_int_equal(run(b, 4 + n, sizeof b, K_PUBLISH, 1), TL_MQTT_ERR_PAYLOAD_TOO_BIG);
    assert_int_equal(run(b, 4 + n, sizeof b, K_PUBLISH, 0), TL_MQTT_OK);
    n--;
    b[1] = (uint8_t)(0x80 | (n & 0x7F));
    assert_int_equal(run(b, 4 + n, sizeof b, K_PUBLISH, 1), TL_MQTT_OK);
    /* Body larger than the maximum packet size. */
    assert_int_equal(run(b, 4 + n, n - 1, K_PUBLISH, 0), TL_MQTT_ERR_PACKET_TOO_BIG);
    /* CONNECT with a 129-byte client id. */
    n = hex("10 8D 01 00 04 4D 51 54 54 04 02 00 3C 00 81", b, sizeof b);
    memset(b + n, 'c', 129);
    assert_int_equal(run(b, n + 129, sizeof b, K_CONNECT, 1), TL_MQTT_ERR_CLIENT_ID);
    assert_int_equal(run(b, n + 129, sizeof b, K_CONNECT, 0), TL_MQTT_OK);
}

static void test_status_messages(void **state)
{
    int st;
    (void)state;
    for (st = 0; st < TL_MQTT__STATUS_COUNT; st++) {
        assert_true(strlen(tl_mqtt_status_name((tl_mqtt_status)st)) > 1);
        assert_true(strlen(tl_mqtt_status_message((tl_mqtt_status)st)) > 5);
    }
    assert_string_equal(tl_mqtt_status_name(TL_MQTT_ERR_REMAINING_LENGTH), "ERR_REMAINING_LENGTH");
    assert_string_equal(tl_mqtt_status_message(TL_MQTT_ERR_REMAINING_LENGTH),
                        "remaining length exceeds 4 bytes");
    assert_string_equal(tl_mqtt_status_name((tl_mqtt_status)999), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_table),
        cmocka_unit_test(test_malformed_limits),
        cmocka_unit_test(test_status_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
