/* tl_mqtt validation: UTF-8, topic names and filters, AWS limits, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mqtt_test_util.h"

static const tl_mqtt_options aws = { 1 };

static void test_utf8(void **state)
{
    static const struct { const char *s; size_t len; int ok; } cases[] = {
        { "", 0, 1 }, { "abc", 3, 1 }, { "\xC3\xA9", 2, 1 }, { "\xE2\x82\xAC", 3, 1 },
        { "\xF4\x8F\xBF\xBF", 4, 1 },   /* U+10FFFF */
        { "\xEF\xBF\xBF", 3, 1 },       /* U+FFFF: a non-character, allowed */
        { "\x7F\x01", 2, 1 },           /* controls: discouraged, allowed */
        { "\xED\x9F\xBF", 3, 1 },       /* U+D7FF */
        { "\xEE\x80\x80", 3, 1 },       /* U+E000 */
        { "a\0b", 3, 0 },               /* U+0000 */
        { "\xC0\x80", 2, 0 },           /* overlong U+0000 */
        { "\xC1\xBF", 2, 0 },
        { "\xE0\x80\xAF", 3, 0 },       /* overlong */
        { "\xF0\x80\x80\xAF", 4, 0 },
        { "\xED\xA0\x80", 3, 0 },       /* U+D800 */
        { "\xED\xBF\xBF", 3, 0 },       /* U+DFFF */
        { "\xF4\x90\x80\x80", 4, 0 },   /* U+110000 */
        { "\xF5\x80\x80\x80", 4, 0 },
        { "\xC3", 1, 0 },               /* truncated */
        { "\xE2\x82", 2, 0 },
        { "\x80", 1, 0 },               /* lone continuation */
        { "\xC3\x28", 2, 0 },
        { "\xFF", 1, 0 },
    };
    static char big[65536];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (tl_mqtt_utf8_valid(cases[i].s, cases[i].len) != cases[i].ok)
            fail_msg("case %zu", i);
        assert_int_equal(tl_mqtt_check_string(cases[i].s, cases[i].len),
                         cases[i].ok ? TL_MQTT_OK : TL_MQTT_ERR_UTF8);
    }
    memset(big, 'x', sizeof big);
    assert_int_equal(tl_mqtt_check_string(big, 65535), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_check_string(big, 65536), TL_MQTT_ERR_STRING_TOO_LONG);
    assert_int_equal(tl_mqtt_check_string(NULL, 0), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_check_string(NULL, 1), TL_MQTT_ERR_ARGUMENT);
}

static tl_mqtt_status name(const char *s, const tl_mqtt_options *o)
{
    return tl_mqtt_check_topic_name(s, strlen(s), o);
}

static tl_mqtt_status filter(const char *s, const tl_mqtt_options *o)
{
    return tl_mqtt_check_topic_filter(s, strlen(s), o);
}

static void test_names_and_filters(void **state)
{
    static const char *const good_filters[] = {
        "#", "+", "+/+", "/+", "sport/#", "a//b", "/", "+/tennis/#", "sport/tennis/player1",
        "$SYS/#", "a/+/c", "//", "+/#",
    };
    static const char *const bad_filters[] = {
        "sport/tennis#", "sport/tennis/#/ranking", "sport+", "a/b+", "##", "+a", "a/+b/c",
        "#/", "a/#/", "++",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof good_filters / sizeof good_filters[0]; i++)
        if (filter(good_filters[i], NULL) != TL_MQTT_OK)
            fail_msg("filter %s refused", good_filters[i]);
    for (i = 0; i < sizeof bad_filters / sizeof bad_filters[0]; i++)
        if (filter(bad_filters[i], NULL) != TL_MQTT_ERR_TOPIC_FILTER)
            fail_msg("filter %s accepted", bad_filters[i]);
    assert_int_equal(filter("", NULL), TL_MQTT_ERR_TOPIC_EMPTY);
    assert_int_equal(name("", NULL), TL_MQTT_ERR_TOPIC_EMPTY);
    assert_int_equal(name("a/+", NULL), TL_MQTT_ERR_TOPIC_WILDCARD);
    assert_int_equal(name("#", NULL), TL_MQTT_ERR_TOPIC_WILDCARD);
    assert_int_equal(name("a#b", NULL), TL_MQTT_ERR_TOPIC_WILDCARD);
    assert_int_equal(name("/", NULL), TL_MQTT_OK);
    assert_int_equal(name("a b/\xC3\xA9", NULL), TL_MQTT_OK);
    assert_int_equal(name("$aws/things/x/shadow/get", &aws), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_check_topic_name("a\0b", 3, NULL), TL_MQTT_ERR_UTF8);
}

static void test_aws_limits(void **state)
{
    static char t[600];
    size_t p;
    (void)state;
    memset(t, 'a', sizeof t);
    assert_int_equal(tl_mqtt_check_topic_name(t, 256, &aws), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_check_topic_name(t, 257, &aws), TL_MQTT_ERR_TOPIC_TOO_LONG);
    assert_int_equal(tl_mqtt_check_topic_filter(t, 257, &aws), TL_MQTT_ERR_TOPIC_TOO_LONG);
    assert_int_equal(tl_mqtt_check_topic_name(t, 257, NULL), TL_MQTT_OK);
    /* "$aws/rules/<rule>/" is not counted. */
    p = strlen("$aws/rules/my_rule/");
    memcpy(t, "$aws/rules/my_rule/", p);
    assert_int_equal(tl_mqtt_check_topic_name(t, p + 256, &aws), TL_MQTT_OK);
    assert_int_equal(tl_mqtt_check_topic_name(t, p + 257, &aws), TL_MQTT_ERR_TOPIC_TOO_LONG);
    memcpy(t, "$AWS/Rules/my_rule/", p);
    assert_int_equal(tl_mqtt_check_topic_name(t, p + 256, &aws), TL_MQTT_OK);
    assert_int_equal(name("a/b/c/d/e/f/g/h", &aws), TL_MQTT_OK);
    assert_int_equal(name("a/b/c/d/e/f/g/h/i", &aws), TL_MQTT_ERR_TOPIC_LEVELS);
    assert_int_equal(name("////////", &aws), TL_MQTT_ERR_TOPIC_LEVELS);
    assert_int_equal(name("///////", &aws), TL_MQTT_OK);
    assert_int_equal(name("$aws/rules/r/a/b/c/d/e/f/g/h", &aws), TL_MQTT_OK);
    assert_int_equal(name("$aws/rules/r/a/b/c/d/e/f/g/h/i", &aws), TL_MQTT_ERR_TOPIC_LEVELS);
    /* Without a rule name there is no prefix to skip. */
    assert_int_equal(name("$aws/rules//a/b/c/d/e/f", &aws), TL_MQTT_ERR_TOPIC_LEVELS);
    assert_int_equal(name("$aws/things/t/shadow/name/n/update/accepted", &aws), TL_MQTT_OK);
    assert_int_equal(filter("$aws/things/+/shadow/name/+/update/#", &aws), TL_MQTT_OK);
    assert_int_equal(filter("a/b/c/d/e/f/g/h/#", &aws), TL_MQTT_ERR_TOPIC_LEVELS);
}

static void test_matching(void **state)
{
    static const struct { const char *f, *t; int m; } cases[] = {
        { "sport/tennis/player1/#", "sport/tennis/player1", 1 },
        { "sport/tennis/player1/#", "sport/tennis/player1/ranking", 1 },
        { "sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", 1 },
        { "sport/tennis/player1/#", "sport/tennis/player2", 0 },
        { "sport/#", "sport", 1 },
        { "#", "sport/tennis", 1 },
        { "#", "/", 1 },
        { "sport/tennis/+", "sport/tennis/player1", 1 },
        { "sport/tennis/+", "sport/tennis/player1/ranking", 0 },
        { "sport/+", "sport", 0 },
        { "sport/+", "sport/", 1 },
        { "+/+", "/finance", 1 },
        { "/+", "/finance", 1 },
        { "+", "/finance", 0 },
        { "+", "finance", 1 },
        { "#", "$SYS/monitor", 0 },
        { "+/monitor/Clients", "$SYS/monitor/Clients", 0 },
        { "$SYS/#", "$SYS/monitor/Clients", 1 },
        { "$SYS/monitor/+", "$SYS/monitor/Clients", 1 },
        { "$aws/things/+/shadow/#", "$aws/things/t1/shadow/update/delta", 1 },
        { "a/b", "a/b", 1 },
        { "a/b", "a/b/", 0 },
        { "a/b", "a", 0 },
        { "a/b", "a/bc", 0 },
        { "a/", "a/", 1 },
        { "a/", "a", 0 },
        { "a//b", "a//b", 1 },
        { "a/+/b", "a//b", 1 },
        { "a/#", "a/", 1 },
        { "a/+/#", "a/x", 1 },
        { "a/+/#", "a", 0 },
        { "A/b", "a/b", 0 },
        { "a/#/b", "a/x/b", 0 },    /* invalid filter */
        { "a/b", "a/+", 0 },        /* invalid topic */
        { "", "", 0 },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int m = tl_mqtt_topic_matches(cases[i].f, strlen(cases[i].f), cases[i].t,
                                      strlen(cases[i].t));
        if (m != cases[i].m)
            fail_msg("'%s' vs '%s': got %d", cases[i].f, cases[i].t, m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_names_and_filters),
        cmocka_unit_test(test_aws_limits),
        cmocka_unit_test(test_matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
