/* tl_mqtt serializers: known-answer vectors from MQTT 3.1.1, sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

static const tl_mqtt_options aws = { 1 };

static void expect(const uint8_t *got, size_t len, const char *want_hex)
{
    uint8_t want[512];
    size_t n = hex(want_hex, want, sizeof want);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
}

static void test_kat_empty_packets(void **state)
{
    uint8_t b[8];
    size_t n;
    (void)state;
    assert_int_equal(tl_mqtt_encode_pingreq(b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "C0 00");
    assert_int_equal(tl_mqtt_encode_pingresp(b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "D0 00");
    assert_int_equal(tl_mqtt_encode_disconnect(b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "E0 00");
    assert_int_equal(tl_mqtt_encode_puback(0x1234, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "40 02 12 34");
    assert_int_equal(tl_mqtt_encode_unsuback(2, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "B0 02 00 02");
}

static void test_kat_connect(void **state)
{
    uint8_t b[128];
    size_t n;
    tl_mqtt_connect c;
    (void)state;
    memset(&c, 0, sizeof c);
    c.client_id = str("a");
    c.clean_session = 1;
    c.keep_alive = 60;
    assert_int_equal(tl_mqtt_encode_connect(&c, NULL, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "10 0D 00 04 4D 51 54 54 04 02 00 3C 00 01 61");
    /* Every optional field: flags 1110 1100 = user, password, will retain,
     * will QoS 1, will flag; clean session off. */
    c.client_id = str("c1");
    c.clean_session = 0;
    c.keep_alive = 30;
    c.has_will = 1;
    c.will_topic = str("w/t");
    c.will_message.ptr = (const uint8_t *)"bye";
    c.will_message.len = 3;
    c.will_qos = 1;
    c.will_retain = 1;
    c.has_username = 1;
    c.username = str("u");
    c.has_password = 1;
    c.password.ptr = (const uint8_t *)"p\0";
    c.password.len = 2;
    assert_int_equal(tl_mqtt_encode_connect(&c, &aws, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "10 1F 00 04 4D 51 54 54 04 EC 00 1E 00 02 63 31 00 03 77 2F 74"
                 " 00 03 62 79 65 00 01 75 00 02 70 00");
}

static void test_kat_connack(void **state)
{
    uint8_t b[8];
    size_t n;
    tl_mqtt_connack c = { 0, 0 };
    (void)state;
    assert_int_equal(tl_mqtt_encode_connack(&c, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "20 02 00 00");
    c.session_present = 1;
    assert_int_equal(tl_mqtt_encode_connack(&c, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "20 02 01 00");
    c.session_present = 0;
    c.return_code = TL_MQTT_CONNACK_NOT_AUTHORIZED;
    assert_int_equal(tl_mqtt_encode_connack(&c, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "20 02 00 05");
}

static void test_kat_publish(void **state)
{
    uint8_t b[64];
    size_t n;
    tl_mqtt_publish p;
    (void)state;
    memset(&p, 0, sizeof p);
    p.topic = str("a/b");
    p.payload = (const uint8_t *)"hi";
    p.payload_len = 2;
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "30 07 00 03 61 2F 62 68 69");
    p.qos = 1;
    p.dup = 1;
    p.retain = 1;
    p.packet_id = 10;
    assert_int_equal(tl_mqtt_encode_publish(&p, &aws, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "3B 09 00 03 61 2F 62 00 0A 68 69");
    /* The header alone: same bytes without the payload, same length field. */
    assert_int_equal(tl_mqtt_encode_publish_header(&p, &aws, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "3B 09 00 03 61 2F 62 00 0A");
    /* Empty payload. */
    p.payload = NULL;
    p.payload_len = 0;
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "3B 07 00 03 61 2F 62 00 0A");
}

static void test_kat_subscribe_family(void **state)
{
    uint8_t b[64];
    size_t n;
    tl_mqtt_subscribe s;
    tl_mqtt_unsubscribe u;
    tl_mqtt_suback a;
    (void)state;
    memset(&s, 0, sizeof s);
    s.packet_id = 1;
    s.count = 2;
    s.filters[0].filter = str("a/#");
    s.filters[0].qos = 1;
    s.filters[1].filter = str("b");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, &aws, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "82 0C 00 01 00 03 61 2F 23 01 00 01 62 00");
    memset(&u, 0, sizeof u);
    u.packet_id = 2;
    u.count = 1;
    u.filters[0] = str("a/#");
    assert_int_equal(tl_mqtt_encode_unsubscribe(&u, &aws, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "A2 07 00 02 00 03 61 2F 23");
    memset(&a, 0, sizeof a);
    a.packet_id = 1;
    a.count = 3;
    a.codes[0] = 1;
    a.codes[1] = 0x80;
    a.codes[2] = 2;
    assert_int_equal(tl_mqtt_encode_suback(&a, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "90 05 00 01 01 80 02");
}

static void test_remaining_length_encoding(void **state)
{
    static const struct { uint32_t v; const char *hex; } cases[] = {
        { 0, "00" }, { 127, "7F" }, { 128, "80 01" }, { 16383, "FF 7F" },
        { 16384, "80 80 01" }, { 2097151, "FF FF 7F" }, { 2097152, "80 80 80 01" },
        { 268435455, "FF FF FF 7F" },
    };
    uint8_t b[4];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = tl_mqtt_encode_remaining_length(cases[i].v, b);
        expect(b, n, cases[i].hex);
    }
    assert_int_equal(tl_mqtt_encode_remaining_length(268435456u, b), 0);
    assert_int_equal(tl_mqtt_encode_remaining_length(0xFFFFFFFFu, b), 0);
}

static void test_publish_sizes(void **state)
{
    static uint8_t payload[200];
    uint8_t b[256];
    size_t n;
    tl_mqtt_publish p;
    (void)state;
    memset(&p, 0, sizeof p);
    p.topic = str("t");
    p.payload = payload;
    p.payload_len = 124;   /* remaining length 127: one length byte */
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    assert_int_equal(n, 129);
    p.payload_len = 125;   /* 128: two length bytes */
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    assert_int_equal(n, 131);
    expect(b, 3, "30 80 01");
    /* Size queries, without a buffer, up to the largest packet. */
    p.payload_len = 268435455u - 3;
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, NULL, 0, &n),
                     TL_MQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 1 + 4 + 268435455u);
    assert_int_equal(tl_mqtt_encode_publish_header(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "30 FF FF FF 7F 00 01 74");
    p.payload_len++;
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, NULL, 0, &n), TL_MQTT_ERR_PACKET_TOO_BIG);
    assert_int_equal(n, 0);
    /* AWS: 128 KB payload at most. */
    p.payload_len = 131072;
    assert_int_equal(tl_mqtt_encode_publish_header(&p, &aws, b, sizeof b, &n), TL_MQTT_OK);
    p.payload_len = 131073;
    assert_int_equal(tl_mqtt_encode_publish_header(&p, &aws, b, sizeof b, &n),
                     TL_MQTT_ERR_PAYLOAD_TOO_BIG);
    assert_int_equal(tl_mqtt_encode_publish_header(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    /* The header alone needs no payload pointer; the whole packet does. */
    p.payload = NULL;
    p.payload_len = 10;
    assert_int_equal(tl_mqtt_encode_publish_header(&p, NULL, b, sizeof b, &n), TL_MQTT_OK);
    expect(b, n, "30 0D 00 01 74");
    assert_int_equal(tl_mqtt_encode_publish(&p, NULL, b, sizeof b, &n), TL_MQTT_ERR_ARGUMENT);
}

static void test_buffer_too_small(void **state)
{
    uint8_t b[16];
    size_t n;
    tl_mqtt_connect c;
    (void)state;
    memset(&c, 0, sizeof c);
    c.client_id = str("a");
    c.clean_session = 1;
    memset(b, 0xAA, sizeof b);
    assert_int_equal(tl_mqtt_encode_connect(&c, NULL, b, 14, &n), TL_MQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 15);
    assert_int_equal(b[0], 0xAA);   /* nothing written */
    assert_int_equal(tl_mqtt_encode_connect(&c, NULL, b, 15, &n), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_encode_pingreq(b, 1, &n), TL_MQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 2);
    assert_int_equal(tl_mqtt_encode_pingreq(b, 2, NULL), TL_MQTT_ERR_ARGUMENT);
    assert_int_equal(tl_mqtt_encode_connect(NULL, NULL, b, 2, &n), TL_MQTT_ERR_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_empty_packets),
        cmocka_unit_test(test_kat_connect),
        cmocka_unit_test(test_kat_connack),
        cmocka_unit_test(test_kat_publish),
        cmocka_unit_test(test_kat_subscribe_family),
        cmocka_unit_test(test_remaining_length_encoding),
        cmocka_unit_test(test_publish_sizes),
        cmocka_unit_test(test_buffer_too_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
