/* Reading members of a JSON object span (checked first, then scanned). */
#include <limits.h>
#include <string.h>

#include "../json/tl_json.h"
#include "tl_shadow.h"

/* Deep enough for any shadow document; deeper text is refused. */
#define SPAN_MAX_DEPTH 32

static size_t ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The index after the string whose opening quote is at i. */
static size_t end_of_string(const char *s, size_t len, size_t i)
{
    for (i++; i < len && s[i] != '"'; i++)
        if (s[i] == '\\')
            i++;
    return i + 1;
}

/* The index after the value starting at i (the text is valid JSON). */
static size_t end_of_value(const char *s, size_t len, size_t i)
{
    unsigned depth = 0;
    if (s[i] == '"')
        return end_of_string(s, len, i);
    if (s[i] != '{' && s[i] != '[') {
        while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
               s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            i++;
        return i;
    }
    for (; i < len; i++) {
        if (s[i] == '"')
            i = end_of_string(s, len, i) - 1;
        else if (s[i] == '{' || s[i] == '[')
            depth++;
        else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
            return i + 1;
    }
    return i;
}

tl_shadow_status tl_shadow_json_find(tl_shadow_span obj, const char *key, tl_shadow_span *value)
{
    const char *s = obj.ptr;
    size_t len = obj.len, klen, i;
    if (!s || !key || !value)
        return TL_SHADOW_ERR_ARGUMENT;
    klen = strlen(key);
    i = ws(s, len, 0);
    if (i == len || s[i] != '{' || tl_json_check(s, len, SPAN_MAX_DEPTH, NULL) != TL_JSON_OK)
        return TL_SHADOW_ERR_JSON;
    i = ws(s, len, i + 1);
    while (i < len && s[i] == '"') {
        size_t k = i + 1, kend = end_of_string(s, len, i), v;
        i = ws(s, len, kend);          /* at the colon */
        v = ws(s, len, i + 1);
        i = end_of_value(s, len, v);
        if (kend - 1 - k == klen && memcmp(s + k, key, klen) == 0) {
            value->ptr = s + v;
            value->len = i - v;
            return TL_SHADOW_OK;
        }
        i = ws(s, len, i);
        if (i < len && s[i] == ',')
            i = ws(s, len, i + 1);
    }
    return TL_SHADOW_ERR_NOT_FOUND;
}

tl_shadow_status tl_shadow_json_str(tl_shadow_span obj, const char *key, char *out, size_t cap)
{
    tl_shadow_span v;
    tl_shadow_status st = tl_shadow_json_find(obj, key, &v);
    long n;
    if (st != TL_SHADOW_OK)
        return st;
    if (!out || cap == 0)
        return TL_SHADOW_ERR_ARGUMENT;
    if (v.ptr[0] != '"')
        return TL_SHADOW_ERR_TYPE;
    n = tl_json_unescape(v.ptr + 1, v.len - 2, out, cap);
    if (n == -1)
        return TL_SHADOW_ERR_TOO_BIG;
    return n < 0 ? TL_SHADOW_ERR_TYPE : TL_SHADOW_OK;
}

tl_shadow_status tl_shadow_json_long(tl_shadow_span obj, const char *key, long *out)
{
    tl_shadow_span v;
    tl_shadow_status st = tl_shadow_json_find(obj, key, &v);
    unsigned long mag = 0, limit;
    size_t i = 0;
    int neg;
    if (st != TL_SHADOW_OK)
        return st;
    if (!out)
        return TL_SHADOW_ERR_ARGUMENT;
    neg = v.ptr[0] == '-';
    i = (size_t)neg;
    if (i == v.len || v.ptr[i] < '0' || v.ptr[i] > '9')
        return TL_SHADOW_ERR_TYPE;
    limit = neg ? (unsigned long)LONG_MAX + 1ul : (unsigned long)LONG_MAX;
    for (; i < v.len; i++) {
        unsigned d;
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return TL_SHADOW_ERR_TYPE;   /* a fraction or an exponent */
        d = (unsigned)(v.ptr[i] - '0');
        if (mag > (limit - d) / 10u)
            return TL_SHADOW_ERR_TOO_BIG;
        mag = mag * 10u + d;
    }
    if (neg)
        *out = mag ? -(long)(mag - 1u) - 1 : 0;
    else
        *out = (long)mag;
    return TL_SHADOW_OK;
}

tl_shadow_status tl_shadow_json_bool(tl_shadow_span obj, const char *key, int *out)
{
    tl_shadow_span v;
    tl_shadow_status st = tl_shadow_json_find(obj, key, &v);
    if (st != TL_SHADOW_OK)
        return st;
    if (!out)
        return TL_SHADOW_ERR_ARGUMENT;
    if (v.len == 4 && memcmp(v.ptr, "true", 4) == 0)
        *out = 1;
    else if (v.len == 5 && memcmp(v.ptr, "false", 5) == 0)
        *out = 0;
    else
        return TL_SHADOW_ERR_TYPE;
    return TL_SHADOW_OK;
}

tl_shadow_status tl_shadow_json_object(tl_shadow_span obj, const char *key,
                                       tl_shadow_span *out)
{
    tl_shadow_span v;
    tl_shadow_status st = tl_shadow_json_find(obj, key, &v);
    if (st != TL_SHADOW_OK)
        return st;
    if (!out)
        return TL_SHADOW_ERR_ARGUMENT;
    if (v.ptr[0] != '{')
        return TL_SHADOW_ERR_TYPE;
    *out = v;
    return TL_SHADOW_OK;
}
