/* Reading members of JSON object spans (what the agent does with a delta). */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "shadow/tl_shadow.h"

static tl_shadow_span sp(const char *s)
{
    tl_shadow_span v = { s, strlen(s) };
    return v;
}

static const char *doc =
    " { \"led\" : \"on\", \"interval\":30, \"neg\":-12, \"frac\":1.5, \"exp\":1e3,"
    "\"on\":true, \"off\":false, \"nil\":null, \"arr\":[1,{\"led\":\"x\"},\"]\"],"
    "\"obj\":{\"led\":\"inner\",\"s\":\"}\"}, \"esc\":\"a\\\"b\\u00e9\", \"z\\u0000\":1,"
    "\"nul\":\"a\\u0000b\", \"led2\":\"x\" } ";

static void test_strings(void **s)
{
    char out[16];
    (void)s;
    assert_int_equal(tl_shadow_json_str(sp(doc), "led", out, sizeof out), TL_SHADOW_OK);
    assert_string_equal(out, "on");   /* the top level, not arr[1].led or obj.led */
    assert_int_equal(tl_shadow_json_str(sp(doc), "esc", out, sizeof out), TL_SHADOW_OK);
    assert_string_equal(out, "a\"b\xc3\xa9");
    assert_int_equal(tl_shadow_json_str(sp(doc), "esc", out, 4), TL_SHADOW_ERR_TOO_BIG);
    assert_int_equal(tl_shadow_json_str(sp(doc), "nul", out, sizeof out), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_str(sp(doc), "interval", out, sizeof out), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_str(sp(doc), "nil", out, sizeof out), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_str(sp(doc), "missing", out, sizeof out),
                     TL_SHADOW_ERR_NOT_FOUND);
    assert_int_equal(tl_shadow_json_str(sp(doc), "le", out, sizeof out), TL_SHADOW_ERR_NOT_FOUND);
    assert_int_equal(tl_shadow_json_str(sp(doc), "led2", out, sizeof out), TL_SHADOW_OK);
    assert_string_equal(out, "x");
}

static void test_numbers_and_bools(void **s)
{
    char big[64];
    long n;
    int b;
    (void)s;
    assert_int_equal(tl_shadow_json_long(sp(doc), "interval", &n), TL_SHADOW_OK);
    assert_int_equal(n, 30);
    assert_int_equal(tl_shadow_json_long(sp(doc), "neg", &n), TL_SHADOW_OK);
    assert_int_equal(n, -12);
    assert_int_equal(tl_shadow_json_long(sp(doc), "frac", &n), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_long(sp(doc), "exp", &n), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_long(sp(doc), "led", &n), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_long(sp(doc), "on", &n), TL_SHADOW_ERR_TYPE);
    snprintf(big, sizeof big, "{\"max\":%ld,\"min\":%ld}", LONG_MAX, LONG_MIN);
    assert_int_equal(tl_shadow_json_long(sp(big), "max", &n), TL_SHADOW_OK);
    assert_true(n == LONG_MAX);
    assert_int_equal(tl_shadow_json_long(sp(big), "min", &n), TL_SHADOW_OK);
    assert_true(n == LONG_MIN);
    assert_int_equal(tl_shadow_json_long(sp("{\"x\":99999999999999999999}"), "x", &n),
                     TL_SHADOW_ERR_TOO_BIG);
    assert_int_equal(tl_shadow_json_bool(sp(doc), "on", &b), TL_SHADOW_OK);
    assert_int_equal(b, 1);
    assert_int_equal(tl_shadow_json_bool(sp(doc), "off", &b), TL_SHADOW_OK);
    assert_int_equal(b, 0);
    assert_int_equal(tl_shadow_json_bool(sp(doc), "nil", &b), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_bool(sp(doc), "interval", &b), TL_SHADOW_ERR_TYPE);
}

static void test_objects(void **s)
{
    tl_shadow_span o, v;
    char out[16];
    (void)s;
    assert_int_equal(tl_shadow_json_object(sp(doc), "obj", &o), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_json_str(o, "led", out, sizeof out), TL_SHADOW_OK);
    assert_string_equal(out, "inner");
    assert_int_equal(tl_shadow_json_str(o, "s", out, sizeof out), TL_SHADOW_OK);
    assert_string_equal(out, "}");
    assert_int_equal(tl_shadow_json_object(sp(doc), "arr", &o), TL_SHADOW_ERR_TYPE);
    assert_int_equal(tl_shadow_json_find(sp(doc), "arr", &v), TL_SHADOW_OK);
    assert_int_equal(v.len, strlen("[1,{\"led\":\"x\"},\"]\"]"));
    /* keys are compared raw: an escaped key is not found under its value */
    assert_int_equal(tl_shadow_json_find(sp(doc), "z", &v), TL_SHADOW_ERR_NOT_FOUND);
    assert_int_equal(tl_shadow_json_find(sp("{}"), "a", &v), TL_SHADOW_ERR_NOT_FOUND);
}

static void test_malformed(void **s)
{
    static const char *const bad[] = {
        "", "[]", "\"x\"", "{", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1} x", "{'a':1}",
        "{\"a\":01}", "{\"a\":\"\x01\"}", "{\"a\":\"\xff\"}",
    };
    tl_shadow_span v;
    size_t i;
    (void)s;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tl_shadow_json_find(sp(bad[i]), "a", &v), TL_SHADOW_ERR_JSON);
    v.ptr = NULL;
    v.len = 3;
    assert_int_equal(tl_shadow_json_find(v, "a", &v), TL_SHADOW_ERR_ARGUMENT);
    /* a span cut inside the text is refused, not read past its end */
    assert_int_equal(tl_shadow_json_find((tl_shadow_span){ "{\"a\":1}", 6 }, "a", &v),
                     TL_SHADOW_ERR_JSON);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_numbers_and_bools),
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
