/*
 * Strict RFC 8259 grammar check. A recursive descent parser that builds
 * nothing: recursion depth is bounded by max_depth, so stack use is bounded.
 */
#include <string.h>

#include "tl_json.h"

typedef struct {
    const char *js;
    size_t len;
    size_t pos;
    unsigned max_depth;
    tl_json_error err;
} checker;

/* Without messages the sentences never reach the binary, and fail() takes
 * no sentence at all (one argument less at each of its many calls). */
#if TL_JSON_MESSAGES
static int fail(checker *c, tl_json_status st, const char *what)
{
    c->err.status = st;
    c->err.offset = c->pos;
    c->err.what = what;
    return -1;
}
#define MSG(text) (text)
#else
static int fail_at(checker *c, tl_json_status st)
{
    c->err.status = st;
    c->err.offset = c->pos;
    return -1;
}
#define MSG(text) ""
#define fail(c, st, what) fail_at((c), (st))
#endif

static int at_end(const checker *c) { return c->pos >= c->len; }
static char peek(const checker *c) { return c->js[c->pos]; }

static void skip_ws(checker *c)
{
    while (!at_end(c)) {
        char ch = peek(c);
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
        c->pos++;
    }
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

static int is_hex(char ch)
{
    char lower = (char)(ch | 0x20);   /* 'A'..'F' become 'a'..'f' */
    return is_digit(ch) || (lower >= 'a' && lower <= 'f');
}

static int check_literal(checker *c, const char *word)
{
    for (; *word; word++, c->pos++) {
        if (at_end(c))
            return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside a literal");
        if (peek(c) != *word)
            return fail(c, TL_JSON_ERR_SYNTAX, "invalid literal (expected true, false or null)");
    }
    return 0;
}

static int check_digits(checker *c, const char *what)
{
    (void)what;   /* unused without messages */
    if (at_end(c))
        return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside a number");
    if (!is_digit(peek(c)))
        return fail(c, TL_JSON_ERR_SYNTAX, what);
    while (!at_end(c) && is_digit(peek(c)))
        c->pos++;
    return 0;
}

static int check_number(checker *c)
{
    if (peek(c) == '-')
        c->pos++;
    if (!at_end(c) && peek(c) == '0') {
        c->pos++;
        if (!at_end(c) && is_digit(peek(c)))
            return fail(c, TL_JSON_ERR_SYNTAX, "leading zeros are not allowed in numbers");
    } else if (check_digits(c, MSG("expected a digit")) < 0) {
        return -1;
    }
    if (!at_end(c) && peek(c) == '.') {
        c->pos++;
        if (check_digits(c, MSG("expected a digit after the decimal point")) < 0)
            return -1;
    }
    if (!at_end(c) && (peek(c) == 'e' || peek(c) == 'E')) {
        c->pos++;
        if (!at_end(c) && (peek(c) == '+' || peek(c) == '-'))
            c->pos++;
        if (check_digits(c, MSG("expected a digit in the exponent")) < 0)
            return -1;
    }
    return 0;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    size_t need, i;
    unsigned long cp;

    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF) { need = 2; cp = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { need = 3; cp = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { need = 4; cp = b & 0x07; }
    else return 0;
    if (n < need)
        return 0;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0; /* overlong or beyond Unicode */
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0; /* UTF-16 surrogate */
    return need;
}

int tl_json_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = utf8_seq((const unsigned char *)s + i, len - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

static int check_string(checker *c)
{
    c->pos++; /* opening quote */
    for (;;) {
        unsigned char ch;
        if (at_end(c))
            return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside a string");
        ch = (unsigned char)peek(c);
        if (ch == '"') {
            c->pos++;
            return 0;
        }
        if (ch < 0x20)
            return fail(c, TL_JSON_ERR_SYNTAX, "control character in string (escape it)");
        if (ch == '\\') {
            c->pos++;
            if (at_end(c))
                return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside a string");
            if (peek(c) == 'u') {
                int i;
                c->pos++;
                for (i = 0; i < 4; i++, c->pos++) {
                    if (at_end(c))
                        return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside a string");
                    if (!is_hex(peek(c)))
                        return fail(c, TL_JSON_ERR_SYNTAX, "\\u must be followed by 4 hex digits");
                }
            } else if (peek(c) != '\0' && strchr("\"\\/bfnrt", peek(c))) {
                c->pos++;
            } else {
                return fail(c, TL_JSON_ERR_SYNTAX, "invalid escape in string");
            }
            continue;
        }
        {
            size_t k = utf8_seq((const unsigned char *)c->js + c->pos, c->len - c->pos);
            if (k == 0)
                return fail(c, TL_JSON_ERR_UTF8, "invalid UTF-8 in string");
            c->pos += k;
        }
    }
}

static int check_value(checker *c, unsigned depth);

/* Objects and arrays share the loop; only the member syntax differs. */
static int check_container(checker *c, unsigned depth, char close)
{
    if (depth >= c->max_depth)
        return fail(c, TL_JSON_ERR_DEPTH, "nesting too deep");
    c->pos++;
    skip_ws(c);
    if (!at_end(c) && peek(c) == close) {
        c->pos++;
        return 0;
    }
    for (;;) {
        skip_ws(c);
        if (close == '}') {
            if (at_end(c))
                return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside an object");
            if (peek(c) != '"')
                return fail(c, TL_JSON_ERR_SYNTAX, "expected a quoted member name");
            if (check_string(c) < 0)
                return -1;
            skip_ws(c);
            if (at_end(c))
                return fail(c, TL_JSON_ERR_TRUNCATED, "document ends inside an object");
            if (peek(c) != ':')
                return fail(c, TL_JSON_ERR_SYNTAX, "expected ':' after member name");
            c->pos++;
        }
        if (check_value(c, depth + 1) < 0)
            return -1;
        skip_ws(c);
        if (at_end(c))
            return fail(c, TL_JSON_ERR_TRUNCATED,
                        close == '}' ? "document ends inside an object"
                                     : "document ends inside an array");
        if (peek(c) == close) {
            c->pos++;
            return 0;
        }
        if (peek(c) != ',')
            return fail(c, TL_JSON_ERR_SYNTAX,
                        close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        c->pos++;
    }
}

static int check_value(checker *c, unsigned depth)
{
    skip_ws(c);
    if (at_end(c))
        return fail(c, TL_JSON_ERR_TRUNCATED, "expected a value");
    switch (peek(c)) {
    case '{': return check_container(c, depth, '}');
    case '[': return check_container(c, depth, ']');
    case '"': return check_string(c);
    case 't': return check_literal(c, "true");
    case 'f': return check_literal(c, "false");
    case 'n': return check_literal(c, "null");
    default:
        if (peek(c) == '-' || is_digit(peek(c)))
            return check_number(c);
        return fail(c, TL_JSON_ERR_SYNTAX, "expected a value");
    }
}

tl_json_status tl_json_check(const char *js, size_t len, unsigned max_depth,
                             tl_json_error *err)
{
    checker c;
    c.js = js;
    c.len = len;
    c.pos = 0;
    c.max_depth = max_depth;
    c.err.status = TL_JSON_OK;
    c.err.offset = 0;
    c.err.what = "";
    if (check_value(&c, 0) == 0) {
        skip_ws(&c);
        if (!at_end(&c))
            fail(&c, TL_JSON_ERR_SYNTAX, "unexpected text after the document");
    }
    if (err)
        *err = c.err;
    return c.err.status;
}

void tl_json_line_col(const char *js, size_t len, size_t offset,
                      unsigned *line, unsigned *col)
{
    size_t i;
    unsigned l = 1, k = 1;
    for (i = 0; i < offset && i < len; i++) {
        if (js[i] == '\n') {
            l++;
            k = 1;
        } else {
            k++;
        }
    }
    *line = l;
    *col = k;
}
