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

/* Every escape and each UTF-8 length at its boundaries; broken escapes are
 * refused, lone surrogates become U+FFFD. */
static void test_unescape_edges(void **state)
{
    static const struct {
        const char *in;
        long n;
        const char *out;
    } cases[] = {
        { "\\\"\\\\\\/\\b\\f\\n\\r\\t", 8, "\"\\/\b\f\n\r\t" },
        { "\\u007f\\u0080", 3, "\x7f\xc2\x80" },
        { "\\u07FF\\u0800", 5, "\xdf\xbf\xe0\xa0\x80" },
        { "\\uFfFf", 3, "\xef\xbf\xbf" },
        { "\\uDBFF\\uDFFF", 4, "\xf4\x8f\xbf\xbf" },
        { "\\ud83dx", 4, "\xef\xbf\xbdx" },          /* high surrogate alone */
        { "\\ude00", 3, "\xef\xbf\xbd" },            /* low surrogate alone */
        { "\\ud83d\\u0041", 4, "\xef\xbf\xbd" "A" },  /* high, then no low */
        { "\\u12g4", -1, NULL },
        { "\\u123", -1, NULL },
        { "\\x", -1, NULL },
        { "a\\", -1, NULL },
    };
    char out[32];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long n = tl_json_unescape(cases[i].in, strlen(cases[i].in), out, sizeof out);
        assert_int_equal(n, cases[i].n);
        if (cases[i].out)
            assert_memory_equal(out, cases[i].out, (size_t)n + 1);
    }
    /* A 4-byte character needs room for all 4 bytes and the NUL. */
    assert_int_equal(tl_json_unescape("\\ud83d\\ude00", 12, out, 4), -1);
    assert_int_equal(tl_json_unescape("\\ud83d\\ude00", 12, out, 5), 4);
}

static void test_tokenize(void **state)
{
    const char *doc = "{\"a\": [1, true], \"b\": {\"c\": \"d\"}}";
    jsmntok_t tok[16];
    size_t stop = 0;
    (void)state;
    /* {  "a"  [  1  true  "b"  {  "c"  "d" } */
    assert_int_equal(tl_json_tokenize(doc, strlen(doc), tok, 16, &stop), 9);
    assert_int_equal(tok[0].type, JSMN_OBJECT);
    assert_int_equal(tok[0].size, 2);
    assert_int_equal(tok[2].type, JSMN_ARRAY);
    assert_int_equal(tok[2].size, 2);
    assert_int_equal(tok[4].type, JSMN_PRIMITIVE);
    assert_int_equal(tok[8].type, JSMN_STRING);
    assert_memory_equal(doc + tok[8].start, "d", 1);
    assert_int_equal(stop, strlen(doc));
    /* Too few tokens: NOMEM, and where it stopped. */
    assert_int_equal(tl_json_tokenize(doc, strlen(doc), tok, 4, &stop), JSMN_ERROR_NOMEM);
    assert_true(stop > 0 && stop < strlen(doc));
    /* Strict mode: a bare top-level number is not a complete document. */
    assert_true(tl_json_tokenize("5", 1, tok, 16, NULL) < 0);
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
        cmocka_unit_test(test_unescape_edges),
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
