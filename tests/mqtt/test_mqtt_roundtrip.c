/* tl_mqtt: encode -> decode -> parse -> encode round trips of every packet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

static const tl_mqtt_options aws = { 1 };

/* Decode the packet in b[0..n) as one view; checks it spans all of it. */
static tl_mqtt_packet view(const uint8_t *b, size_t n)
{
    tl_mqtt_packet pkt;
    size_t used;
    assert_int_equal(tl_mqtt_decode_packet(b, n, n, &pkt, &used), TL_MQTT_COMPLETE);
    assert_int_equal(used, n);
    return pkt;
}

static void test_round_trips(void **state)
{
    uint8_t b[512], b2[512];
    size_t n, n2, i;
    tl_mqtt_packet pkt;
    tl_mqtt_connect c, c2;
    tl_mqtt_publish p, p2;
    tl_mqtt_subscribe s, s2;
    tl_mqtt_unsubscribe u, u2;
    tl_mqtt_suback a, a2;
    tl_mqtt_connack k, k2;
    uint16_t id;
    (void)state;
    memset(&c, 0, sizeof c);
    c.client_id = str("thing-\xC3\xA9");
    c.keep_alive = 1200;
    c.has_will = 1;
    c.will_topic = str("dev/lwt");
    c.will_message.ptr = (const uint8_t *)"\x00\x01\x02";
    c.will_message.len = 3;
    c.will_qos = 1;
    c.has_username = 1;
    c.username = str("");
    assert_int_equal(tl_mqtt_encode_connect(&c, &aws, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_connect(&pkt, &aws, &c2), TL_MQTT_OK);
    assert_true(str_eq(c.client_id, c2.client_id) && str_eq(c.will_topic, c2.will_topic));
    assert_int_equal(c2.will_message.len, 3);
    assert_memory_equal(c2.will_message.ptr, "\x00\x01\x02", 3);
    assert_int_equal(c2.keep_alive, 1200);
    assert_int_equal(c2.will_qos, 1);
    assert_true(c2.has_username && !c2.has_password && !c2.clean_session && !c2.will_retain);
    assert_int_equal(tl_mqtt_encode_connect(&c2, &aws, b2, sizeof b2, &n2), TL_MQTT_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(b, b2, n);

    memset(&p, 0, sizeof p);
    p.topic = str("$aws/things/t/shadow/update");
    p.payload = (const uint8_t *)"{\"state\":{}}";
    p.payload_len = 12;
    p.qos = 1;
    p.packet_id = 65535;
    p.retain = 1;
    assert_int_equal(tl_mqtt_encode_publish(&p, &aws, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_publish(&pkt, &aws, &p2), TL_MQTT_OK);
    assert_true(str_eq(p.topic, p2.topic));
    assert_int_equal(p2.payload_len, 12);
    assert_memory_equal(p2.payload, p.payload, 12);
    assert_int_equal(p2.qos, 1);
    assert_int_equal(p2.packet_id, 65535);
    assert_true(p2.retain && !p2.dup);
    assert_int_equal(tl_mqtt_encode_publish(&p2, &aws, b2, sizeof b2, &n2), TL_MQTT_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(b, b2, n);

    memset(&s, 0, sizeof s);
    s.packet_id = 300;
    s.count = TL_MQTT_MAX_FILTERS;
    for (i = 0; i < s.count; i++) {
        s.filters[i].filter = str(i % 2 ? "a/+/c" : "#");
        s.filters[i].qos = (uint8_t)(i % 2);
    }
    assert_int_equal(tl_mqtt_encode_subscribe(&s, &aws, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_subscribe(&pkt, &aws, &s2), TL_MQTT_OK);
    assert_int_equal(s2.packet_id, 300);
    assert_int_equal(s2.count, s.count);
    for (i = 0; i < s.count; i++) {
        assert_true(str_eq(s.filters[i].filter, s2.filters[i].filter));
        assert_int_equal(s.filters[i].qos, s2.filters[i].qos);
    }
    assert_int_equal(tl_mqtt_encode_subscribe(&s2, &aws, b2, sizeof b2, &n2), TL_MQTT_OK);
    assert_memory_equal(b, b2, n);

    memset(&u, 0, sizeof u);
    u.packet_id = 9;
    u.count = 2;
    u.filters[0] = str("/");
    u.filters[1] = str("a//b");
    assert_int_equal(tl_mqtt_encode_unsubscribe(&u, NULL, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_unsubscribe(&pkt, NULL, &u2), TL_MQTT_OK);
    assert_int_equal(u2.count, 2);
    assert_true(str_eq(u2.filters[1], u.filters[1]));
    assert_int_equal(tl_mqtt_encode_unsubscribe(&u2, NULL, b2, sizeof b2, &n2), TL_MQTT_OK);
    assert_memory_equal(b, b2, n);

    memset(&a, 0, sizeof a);
    a.packet_id = 300;
    a.count = 4;
    a.codes[0] = 0; a.codes[1] = 1; a.codes[2] = 2; a.codes[3] = 0x80;
    assert_int_equal(tl_mqtt_encode_suback(&a, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_suback(&pkt, &a2), TL_MQTT_OK);
    assert_int_equal(a2.count, 4);
    assert_int_equal(a2.packet_id, 300);
    assert_memory_equal(a2.codes, a.codes, 4);

    for (i = 0; i <= 5; i++) {
        k.session_present = i == 0;
        k.return_code = (uint8_t)i;
        assert_int_equal(tl_mqtt_encode_connack(&k, b, sizeof b, &n), TL_MQTT_OK);
        pkt = view(b, n);
        assert_int_equal(tl_mqtt_parse_connack(&pkt, &k2), TL_MQTT_OK);
        assert_int_equal(k2.return_code, i);
        assert_int_equal(!!k2.session_present, i == 0);
    }
    assert_int_equal(tl_mqtt_encode_puback(77, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_puback(&pkt, &id), TL_MQTT_OK);
    assert_int_equal(id, 77);
    assert_int_equal(tl_mqtt_parse_unsuback(&pkt, &id), TL_MQTT_ERR_PACKET_TYPE);
    assert_int_equal(tl_mqtt_encode_unsuback(78, b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_unsuback(&pkt, &id), TL_MQTT_OK);
    assert_int_equal(id, 78);
    assert_int_equal(tl_mqtt_encode_pingreq(b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_pingreq(&pkt), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_parse_pingresp(&pkt), TL_MQTT_ERR_PACKET_TYPE);
    assert_int_equal(tl_mqtt_encode_pingresp(b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_pingresp(&pkt), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_encode_disconnect(b, sizeof b, &n), TL_MQTT_OK);
    pkt = view(b, n);
    assert_int_equal(tl_mqtt_parse_disconnect(&pkt), TL_MQTT_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
