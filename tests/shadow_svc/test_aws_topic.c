/* Shadow topic parsing and building. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cloud/tl_aws_topic.h"

typedef struct {
    const char *topic;
    int result;
    const char *thing, *shadow;
    tl_shadow_op op;
    tl_shadow_suffix suffix;
} topic_case;

static void test_parse(void **s)
{
    static const topic_case cases[] = {
        { "$aws/things/t1/shadow/update", 1, "t1", "", TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_NONE },
        { "$aws/things/t1/shadow/get", 1, "t1", "", TL_SHADOW_OP_GET, TL_SHADOW_SUFFIX_NONE },
        { "$aws/things/t1/shadow/delete/accepted", 1, "t1", "", TL_SHADOW_OP_DELETE, TL_SHADOW_SUFFIX_ACCEPTED },
        { "$aws/things/t1/shadow/update/delta", 1, "t1", "", TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_DELTA },
        { "$aws/things/t1/shadow/update/documents", 1, "t1", "", TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_DOCUMENTS },
        { "$aws/things/a:b_c-9/shadow/name/cfg/get/rejected", 1, "a:b_c-9", "cfg", TL_SHADOW_OP_GET, TL_SHADOW_SUFFIX_REJECTED },
        { "$aws/things/t1/shadow/name/cfg/update", 1, "t1", "cfg", TL_SHADOW_OP_UPDATE, TL_SHADOW_SUFFIX_NONE },
        { "things/t1/shadow/update", 0, NULL, NULL, 0, 0 },
        { "$aws/things/t1/jobs/get", 0, NULL, NULL, 0, 0 },
        { "$aws/things/t1", 0, NULL, NULL, 0, 0 },
        { "$aws/things/", 0, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow/frob", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow/get/delta", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow/update/accepted/x", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow/update/", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t+1/shadow/update", -1, NULL, NULL, 0, 0 },
        { "$aws/things/#/shadow/update", -1, NULL, NULL, 0, 0 },
        { "$aws/things//shadow/update", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow/name//update", -1, NULL, NULL, 0, 0 },
        { "$aws/things/t1/shadow/name/a b/update", -1, NULL, NULL, 0, 0 },
    };
    size_t i;
    (void)s;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tl_shadow_topic t;
        int r = tl_aws_shadow_topic_parse(cases[i].topic, &t);
        if (r != cases[i].result)
            fail_msg("%s: got %d, want %d", cases[i].topic, r, cases[i].result);
        if (r == 1) {
            assert_string_equal(t.thing, cases[i].thing);
            assert_string_equal(t.shadow, cases[i].shadow);
            assert_int_equal(t.op, cases[i].op);
            assert_int_equal(t.suffix, cases[i].suffix);
        }
    }
}

static void test_limits(void **s)
{
    char topic[400], name[200];
    tl_shadow_topic t;
    (void)s;
    memset(name, 'n', 128);
    name[128] = '\0';
    snprintf(topic, sizeof topic, "$aws/things/%s/shadow/get", name);
    assert_int_equal(tl_aws_shadow_topic_parse(topic, &t), 1);
    name[128] = 'n';
    name[129] = '\0';
    snprintf(topic, sizeof topic, "$aws/things/%s/shadow/get", name);
    assert_int_equal(tl_aws_shadow_topic_parse(topic, &t), -1);
    name[64] = '\0';
    snprintf(topic, sizeof topic, "$aws/things/t/shadow/name/%s/get", name);
    assert_int_equal(tl_aws_shadow_topic_parse(topic, &t), 1);
    name[64] = 'n';
    name[65] = '\0';
    snprintf(topic, sizeof topic, "$aws/things/t/shadow/name/%s/get", name);
    assert_int_equal(tl_aws_shadow_topic_parse(topic, &t), -1);
}

static void test_build_round_trip(void **s)
{
    char out[256];
    tl_shadow_topic t;
    (void)s;
    assert_int_equal(tl_aws_shadow_topic_build("dev", "", TL_SHADOW_OP_UPDATE,
                                               TL_SHADOW_SUFFIX_DELTA, out, sizeof out), 0);
    assert_string_equal(out, "$aws/things/dev/shadow/update/delta");
    assert_int_equal(tl_aws_shadow_topic_build("dev", "cfg", TL_SHADOW_OP_GET,
                                               TL_SHADOW_SUFFIX_ACCEPTED, out, sizeof out), 0);
    assert_string_equal(out, "$aws/things/dev/shadow/name/cfg/get/accepted");
    assert_int_equal(tl_aws_shadow_topic_parse(out, &t), 1);
    assert_string_equal(t.shadow, "cfg");
    assert_int_equal(tl_aws_shadow_topic_build("dev", "", TL_SHADOW_OP_GET,
                                               TL_SHADOW_SUFFIX_NONE, out, 10), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_build_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
