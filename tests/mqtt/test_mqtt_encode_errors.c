/* tl_mqtt serializers: every field error, with its specific status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

static const tl_mqtt_options aws = { 1 };

static void test_connect_errors(void **state)
{
    static char big[70000];
    uint8_t b[256];
    size_t n;
    tl_mqtt_connect c, ok;
    tl_mqtt_options plain = { 0 };
    (void)state;
    memset(big, 'x', sizeof big);
    memset(&ok, 0, sizeof ok);
    ok.client_id = str("dev");
    ok.clean_session = 1;
    ok.keep_alive = 60;
#define CONNECT_FAILS(opt, st) \
    assert_int_equal(tl_mqtt_encode_connect(&c, opt, b, sizeof b, &n), st)
    c = ok; c.client_id.ptr = big; c.client_id.len = 129;
    CONNECT_FAILS(&aws, TL_MQTT_ERR_CLIENT_ID);
    CONNECT_FAILS(&plain, TL_MQTT_OK);
    c.client_id.len = 128;
    CONNECT_FAILS(&aws, TL_MQTT_OK);
    c = ok; c.client_id = str(""); c.clean_session = 0;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_CLIENT_ID);
    c.clean_session = 1;
    CONNECT_FAILS(NULL, TL_MQTT_OK);
    c = ok; c.client_id = str("a\xC3");
    CONNECT_FAILS(NULL, TL_MQTT_ERR_UTF8);
    c.client_id.ptr = "a\0b"; c.client_id.len = 3;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_UTF8);
    c = ok; c.keep_alive = 29;
    CONNECT_FAILS(&aws, TL_MQTT_ERR_KEEP_ALIVE);
    CONNECT_FAILS(NULL, TL_MQTT_OK);
    c.keep_alive = 1201;
    CONNECT_FAILS(&aws, TL_MQTT_ERR_KEEP_ALIVE);
    c.keep_alive = 0;
    CONNECT_FAILS(&aws, TL_MQTT_ERR_KEEP_ALIVE);
    CONNECT_FAILS(&plain, TL_MQTT_OK);
    c.keep_alive = 30;
    CONNECT_FAILS(&aws, TL_MQTT_OK);
    c.keep_alive = 1200;
    CONNECT_FAILS(&aws, TL_MQTT_OK);
    c = ok; c.will_qos = 1;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_WILL);
    c = ok; c.will_retain = 1;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_WILL);
    c = ok; c.has_will = 1; c.will_topic = str("w/+");
    CONNECT_FAILS(NULL, TL_MQTT_ERR_TOPIC_WILDCARD);
    c.will_topic = str("");
    CONNECT_FAILS(NULL, TL_MQTT_ERR_TOPIC_EMPTY);
    c.will_topic = str("w"); c.will_qos = 2;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_QOS2_UNSUPPORTED);
    c.will_qos = 3;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_QOS);
    c.will_qos = 0; c.will_message.ptr = (const uint8_t *)big; c.will_message.len = 65536;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_STRING_TOO_LONG);
    c.will_message.ptr = NULL; c.will_message.len = 1;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_ARGUMENT);
    c = ok; c.has_password = 1;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_CREDENTIALS);
    c.has_username = 1; c.username.ptr = big; c.username.len = 65536;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_STRING_TOO_LONG);
    c.username.len = 65535; c.password.ptr = (const uint8_t *)big; c.password.len = 65535;
    CONNECT_FAILS(NULL, TL_MQTT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 1 + 3 + 10 + 5 + 65537 + 65537);
#undef CONNECT_FAILS
}

static void test_publish_errors(void **state)
{
    static char topic[300];
    uint8_t b[512];
    size_t n;
    tl_mqtt_publish p, ok;
    (void)state;
    memset(topic, 'a', sizeof topic);
    memset(&ok, 0, sizeof ok);
    ok.topic = str("t");
#define PUBLISH_FAILS(opt, st) \
    assert_int_equal(tl_mqtt_encode_publish(&p, opt, b, sizeof b, &n), st)
    p = ok; p.qos = 3;
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_QOS);
    p.qos = 2; p.packet_id = 1;
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_QOS2_UNSUPPORTED);
    p = ok; p.dup = 1;
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_DUP_QOS0);
    p = ok; p.qos = 1;
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_PACKET_ID);
    p = ok; p.topic = str("a/#");
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_TOPIC_WILDCARD);
    p.topic = str("+");
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_TOPIC_WILDCARD);
    p.topic = str("");
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_TOPIC_EMPTY);
    p.topic = str("\xED\xA0\x80");
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_UTF8);
    p.topic.ptr = topic; p.topic.len = 257;
    PUBLISH_FAILS(&aws, TL_MQTT_ERR_TOPIC_TOO_LONG);
    PUBLISH_FAILS(NULL, TL_MQTT_OK);
    p.topic.len = 256;
    PUBLISH_FAILS(&aws, TL_MQTT_OK);
    p.topic = str("a/b/c/d/e/f/g/h/i");
    PUBLISH_FAILS(&aws, TL_MQTT_ERR_TOPIC_LEVELS);
    PUBLISH_FAILS(NULL, TL_MQTT_OK);
    p.topic = str("a/b/c/d/e/f/g/h");
    PUBLISH_FAILS(&aws, TL_MQTT_OK);
    p.topic = str("$aws/rules/myrule/a/b/c/d/e/f/g/h");
    PUBLISH_FAILS(&aws, TL_MQTT_OK);
    p = ok; p.payload_len = 1;
    PUBLISH_FAILS(NULL, TL_MQTT_ERR_ARGUMENT);
#undef PUBLISH_FAILS
}

static void test_subscribe_errors(void **state)
{
    uint8_t b[512];
    size_t n, i;
    tl_mqtt_subscribe s;
    tl_mqtt_unsubscribe u;
    tl_mqtt_suback a;
    tl_mqtt_connack c;
    (void)state;
    memset(&s, 0, sizeof s);
    s.packet_id = 7;
    for (i = 0; i < TL_MQTT_MAX_FILTERS; i++)
        s.filters[i].filter = str("x/+/y");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_NO_FILTERS);
    s.count = TL_MQTT_MAX_FILTERS + 1;
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n),
                     TL_MQTT_ERR_TOO_MANY_FILTERS);
    s.count = 8;
    assert_int_equal(tl_mqtt_encode_subscribe(&s, &aws, b, sizeof b, &n), TL_MQTT_OK);
    s.packet_id = 0;
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_PACKET_ID);
    s.packet_id = 7;
    s.filters[3].filter = str("a/b#");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_TOPIC_FILTER);
    s.filters[3].filter = str("a/#/b");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_TOPIC_FILTER);
    s.filters[3].filter = str("a+");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_TOPIC_FILTER);
    s.filters[3].filter = str("");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_TOPIC_EMPTY);
    s.filters[3].filter = str("+/+/+/+/+/+/+/+/#");
    assert_int_equal(tl_mqtt_encode_subscribe(&s, &aws, b, sizeof b, &n), TL_MQTT_ERR_TOPIC_LEVELS);
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_OK);
    s.filters[3].qos = 2;
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n),
                     TL_MQTT_ERR_QOS2_UNSUPPORTED);
    s.filters[3].qos = 3;
    assert_int_equal(tl_mqtt_encode_subscribe(&s, NULL, b, sizeof b, &n), TL_MQTT_ERR_QOS);

    memset(&u, 0, sizeof u);
    u.packet_id = 1;
    assert_int_equal(tl_mqtt_encode_unsubscribe(&u, NULL, b, sizeof b, &n), TL_MQTT_ERR_NO_FILTERS);
    u.count = 1;
    u.filters[0] = str("#/a");
    assert_int_equal(tl_mqtt_encode_unsubscribe(&u, NULL, b, sizeof b, &n),
                     TL_MQTT_ERR_TOPIC_FILTER);

    memset(&a, 0, sizeof a);
    a.packet_id = 1;
    a.count = 1;
    a.codes[0] = 3;
    assert_int_equal(tl_mqtt_encode_suback(&a, b, sizeof b, &n), TL_MQTT_ERR_RETURN_CODE);
    a.codes[0] = 0x81;
    assert_int_equal(tl_mqtt_encode_suback(&a, b, sizeof b, &n), TL_MQTT_ERR_RETURN_CODE);
    assert_int_equal(tl_mqtt_encode_puback(0, b, sizeof b, &n), TL_MQTT_ERR_PACKET_ID);
    assert_int_equal(tl_mqtt_encode_unsuback(0, b, sizeof b, &n), TL_MQTT_ERR_PACKET_ID);
    c.session_present = 0;
    c.return_code = 6;
    assert_int_equal(tl_mqtt_encode_connack(&c, b, sizeof b, &n), TL_MQTT_ERR_RETURN_CODE);
    c.session_present = 1;
    c.return_code = 1;
    assert_int_equal(tl_mqtt_encode_connack(&c, b, sizeof b, &n), TL_MQTT_ERR_SESSION_PRESENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_errors),
        cmocka_unit_test(test_publish_errors),
        cmocka_unit_test(test_subscribe_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
