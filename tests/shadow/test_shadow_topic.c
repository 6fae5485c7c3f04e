/* Shadow topics and names, checked against the cloud's own topic parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "shadow/tl_shadow.h"
/* Both headers in one file: the device and cloud names must not clash. */
#include "cloud/tl_aws_topic.h"

static void test_build(void **s)
{
    char out[TL_SHADOW_TOPIC_MAX + 1];
    (void)s;
    assert_int_equal(tl_shadow_build_topic("dev", NULL, TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_REQUEST,
                                           out, sizeof out), 29);
    assert_string_equal(out, "$aws/things/dev/shadow/update");
    assert_true(tl_shadow_build_topic("dev", "", TL_SHADOW_GET, TL_SHADOW_TOPIC_ACCEPTED, out,
                                      sizeof out) > 0);
    assert_string_equal(out, "$aws/things/dev/shadow/get/accepted");
    assert_true(tl_shadow_build_topic("dev", "cfg", TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_DOCUMENTS,
                                      out, sizeof out) > 0);
    assert_string_equal(out, "$aws/things/dev/shadow/name/cfg/update/documents");
    assert_true(tl_shadow_build_topic("a:b_c-9", "x", TL_SHADOW_DELETE, TL_SHADOW_TOPIC_REJECTED,
                                      out, sizeof out) > 0);
    assert_string_equal(out, "$aws/things/a:b_c-9/shadow/name/x/delete/rejected");
    /* delta and documents exist for update only */
    assert_int_equal(tl_shadow_build_topic("dev", NULL, TL_SHADOW_GET, TL_SHADOW_TOPIC_DELTA,
                                           out, sizeof out), -1);
    assert_int_equal(tl_shadow_build_topic("dev", NULL, TL_SHADOW_DELETE,
                                           TL_SHADOW_TOPIC_DOCUMENTS, out, sizeof out), -1);
    /* the buffer must hold the topic and its NUL */
    assert_int_equal(tl_shadow_build_topic("dev", NULL, TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                                           out, 26), -1);
    assert_int_equal(tl_shadow_build_topic("dev", NULL, TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                                           out, 27), 26);
}

static void test_limits(void **s)
{
    char thing[TL_SHADOW_THING_MAX + 2], name[TL_SHADOW_NAME_MAX + 2];
    char out[TL_SHADOW_TOPIC_MAX + 1];
    long n;
    (void)s;
    memset(thing, 'T', sizeof thing - 1);
    thing[TL_SHADOW_THING_MAX] = '\0';
    memset(name, 'n', sizeof name - 1);
    name[TL_SHADOW_NAME_MAX] = '\0';
    assert_true(tl_shadow_thing_name_valid(thing, TL_SHADOW_THING_MAX));
    assert_true(tl_shadow_name_valid(name, TL_SHADOW_NAME_MAX));
    /* The longest topic there is stays within AWS's 256 bytes and 7 slashes. */
    n = tl_shadow_build_topic(thing, name, TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_DOCUMENTS, out,
                              sizeof out);
    assert_int_equal(n, 234);
    assert_int_equal(tl_mqtt_check_topic_name(out, (size_t)n, &(tl_mqtt_options){ 1 }),
                     TL_MQTT_OK);
    thing[TL_SHADOW_THING_MAX] = 'T';
    thing[TL_SHADOW_THING_MAX + 1] = '\0';
    name[TL_SHADOW_NAME_MAX] = 'n';
    name[TL_SHADOW_NAME_MAX + 1] = '\0';
    assert_false(tl_shadow_thing_name_valid(thing, strlen(thing)));
    assert_false(tl_shadow_name_valid(name, strlen(name)));
    assert_int_equal(tl_shadow_build_topic(thing, NULL, TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                                           out, sizeof out), -1);
    assert_int_equal(tl_shadow_build_topic("dev", name, TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                                           out, sizeof out), -1);
    /* MQTT wildcards, slashes and the like are not name characters */
    assert_false(tl_shadow_thing_name_valid("a/b", 3));
    assert_false(tl_shadow_thing_name_valid("a+", 2));
    assert_false(tl_shadow_thing_name_valid("#", 1));
    assert_false(tl_shadow_thing_name_valid("", 0));
    assert_false(tl_shadow_name_valid("a b", 3));
    assert_int_equal(tl_shadow_build_topic("de/v", NULL, TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                                           out, sizeof out), -1);
    assert_int_equal(tl_shadow_build_topic("dev", "c+", TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                                           out, sizeof out), -1);
}

/* Every topic the device builds is one the local cloud parses back. */
static void test_cloud_agrees(void **s)
{
    static const char *const shadows[] = { NULL, "cfg" };
    char out[TL_SHADOW_TOPIC_MAX + 1];
    unsigned a, k, i;
    int checked = 0;
    (void)s;
    for (i = 0; i < 2; i++)
        for (a = TL_SHADOW_GET; a <= TL_SHADOW_DELETE; a++)
            for (k = TL_SHADOW_TOPIC_REQUEST; k <= TL_SHADOW_TOPIC_DOCUMENTS; k++) {
                tl_shadow_topic t;
                long n = tl_shadow_build_topic("dev-1", shadows[i], (tl_shadow_action)a,
                                               (tl_shadow_topic_kind)k, out, sizeof out);
                if (n < 0)
                    continue;
                assert_int_equal(tl_aws_shadow_topic_parse(out, &t), 1);
                assert_string_equal(t.thing, "dev-1");
                assert_string_equal(t.shadow, shadows[i] ? shadows[i] : "");
                assert_int_equal((int)t.op, (int)a);        /* same order: get update delete */
                assert_int_equal((int)t.suffix, (int)k);    /* none accepted rejected delta docs */
                checked++;
            }
    assert_int_equal(checked, 2 * (3 + 5 + 3));
}

static void test_status_texts(void **s)
{
    (void)s;
    assert_string_equal(tl_shadow_status_name(TL_SHADOW_ERR_TOO_BIG), "ERR_TOO_BIG");
    assert_string_equal(tl_shadow_status_text(TL_SHADOW_OK), "success");
    assert_string_equal(tl_shadow_status_name((tl_shadow_status)999), "UNKNOWN");
    assert_string_equal(tl_shadow_action_name(TL_SHADOW_DELETE), "delete");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_cloud_agrees),
        cmocka_unit_test(test_status_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
