/* tl_json: strict checking, positions, string coding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "json/tl_json.h"

static tl_json_status chk(const char *s, tl_json_error *e)
{
    return tl_json_check(s, strlen(s), 8, e);
}

static void test_valid_documents(void **state)
{
    static const char *ok[] = {
        "{}", "[]", " {\"a\": 1} ", "{\"a\":[1,2.5,-3e+2,true,false,null]}",
        "\"x\"", "0", "-0.0", "{\"u\":\"\\u00e9\\n\\\"\"}", "{\"k\":\"caf\xc3\xa9\"}",
        "[[[[]]]]", "{\"a\":{\"b\":{}}}",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        tl_json_error e;
        assert_int_equal(chk(ok[i], &e), TL_JSON_OK);
    }
}

typedef struct {
    const char *doc;
    tl_json_status st;
    size_t offset;
    const char *what;
} bad_case;

static void test_invalid_documents(void **state)
{
    static const bad_case bad[] = {
        { "", TL_JSON_ERR_TRUNCATED, 0, "expected a value" },
        { "{\"a\":1,}", TL_JSON_ERR_SYNTAX, 7, "expected a quoted member name" },
        { "{\"a\":1 \"b\":2}", TL_JSON_ERR_SYNTAX, 7, "expected ',' or '}'" },
        { "{\"a\" 1}", TL_JSON_ERR_SYNTAX, 5, "expected ':' after member name" },
        { "[1,2", TL_JSON_ERR_TRUNCATED, 4, "document ends inside an array" },
        { "{\"a\":01}", TL_JSON_ERR_SYNTAX, 6, "leading zeros are not allowed in numbers" },
        { "{\"a\":1.}", TL_JSON_ERR_SYNTAX, 7, "expected a digit after the decimal point" },
        { "{\"a\":tru}", TL_JSON_ERR_SYNTAX, 8, "invalid literal (expected true, false or null)" },
        { "{\"a\":\"\\x\"}", TL_JSON_ERR_SYNTAX, 7, "invalid escape in string" },
        { "{\"a\":\"\\u12g4\"}", TL_JSON_ERR_SYNTAX, 10, "\\u must be followed by 4 hex digits" },
        { "{\"a\":\"\x01\"}", TL_JSON_ERR_SYNTAX, 6, "control character in string (escape it)" },
        { "{\"a\":\"\xc3\x28\"}", TL_JSON_ERR_UTF8, 6, "invalid UTF-8 in string" },
        { "{\"a\":\"\xed\xa0\x80\"}", TL_JSON_ERR_UTF8, 6, "invalid UTF-8 in string" },
        { "{\"a\":\"\xc0\xaf\"}", TL_JSON_ERR_UTF8, 6, "invalid UTF-8 in string" },
        { "{} x", TL_JSON_ERR_SYNTAX, 3, "unexpected text after the document" },
        { "[[[[[[[[[1]]]]]]]]]", TL_JSON_ERR_DEPTH, 8, "nesting too deep" },
        { "{'a':1}", TL_JSON_ERR_SYNTAX, 1, "expected a quoted member name" },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tl_json_error e;
        tl_json_status st = chk(bad[i].doc, &e);
        if (st != bad[i].st || e.offset != bad[i].offset || strcmp(e.what, bad[i].what) != 0)
            fail_msg("case %zu '%s': got status %d offset %zu '%s'", i, bad[i].doc, st,
                     e.offset, e.what);
    }
}

static void test_line_col(void **state)
{
    const char *doc = "{\n  \"a\": 1,\n  \"b\": x\n}";
    tl_json_error e;
    unsigned line, col;
    (void)state;
    assert_int_equal(chk(doc, &e), TL_JSON_ERR_SYNTAX);
    tl_json_line_col(doc, strlen(doc), e.offset, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 8);
}

static void test_unescape(void **state)
{
    char out[32];
    const char *s = "a\\n\\u00e9\\ud83d\\ude00\\\"";
    (void)state;
    assert_int_equal(tl_json_unescape(s, strlen(s), out, sizeof out), 9);
    assert_string_equal(out, "a\n\xc3\xa9\xf0\x9f\x98\x80\"");
    assert_int_equal(tl_json_unescape("abc", 3, out, 3), -1);  /* no room for NUL */
    assert_int_equal(tl_json_unescape("abc", 3, out, 4), 3);
    assert_int_equal(tl_json_unescape("a\\u0000b", 8, out, sizeof out), -2);
}

static void test_escape(void **state)
{
    char out[32];
    (void)state;
    assert_int_equal(tl_json_escape("a\"b\\\n\x01", out, sizeof out), 16);
    assert_string_equal(out, "\"a\\\"b\\\\\\n\\u0001\"");
    assert_int_equal(tl_json_escape("abcdef", out, 8), -1);
    assert_int_equal(tl_json_escape("abcdef", out, 9), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_documents),
        cmocka_unit_test(test_invalid_documents),
        cmocka_unit_test(test_line_col),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
