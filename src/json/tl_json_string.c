/* JSON string decoding and encoding into caller buffers. */
#include <string.h>

#include "tl_json.h"

/* The value of the 4 hex digits at s[i], or -1. */
static long read_u4(const char *s, size_t len, size_t i)
{
    long v = 0;
    size_t end = i + 4;
    if (end > len)
        return -1;
    for (; i < end; i++) {
        int ch = (unsigned char)s[i];
        if (ch >= '0' && ch <= '9') {
            ch -= '0';
        } else {
            ch |= 0x20;   /* ASCII lower case */
            if (ch < 'a' || ch > 'f')
                return -1;
            ch -= 'a' - 10;
        }
        v = (v << 4) | ch;
    }
    return v;
}

long tl_json_unescape(const char *s, size_t len, char *out, size_t cap)
{
    /* The one-character escapes and what they stand for. */
    static const char esc[] = "\"\\/bfnrt";
    static const char val[] = "\"\\/\b\f\n\r\t";
    size_t i = 0, o = 0, n, k;
    if (cap == 0)
        return -1;
    while (i < len) {
        unsigned long cp = (unsigned char)s[i++];
        n = 1;
        if (cp == '\\') {
            const char *e;
            if (i == len)
                return -1;
            if (s[i] == 'u') {
                long u = read_u4(s, len, i + 1), lo;
                if (u < 0)
                    return -1;
                i += 5;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    /* A high surrogate must pair with a low one. */
                    lo = (i + 1 < len && s[i] == '\\' && s[i + 1] == 'u')
                             ? read_u4(s, len, i + 2) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        u = 0xFFFD;
                    } else {
                        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                } else if (u >= 0xDC00 && u <= 0xDFFF) {
                    u = 0xFFFD; /* lone low surrogate */
                }
                if (u == 0)
                    return -2;
                cp = (unsigned long)u;
                n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            } else if (s[i] != '\0' && (e = strchr(esc, s[i])) != NULL) {
                cp = (unsigned char)val[e - esc];
                i++;
            } else {
                return -1;
            }
        }
        if (o + n >= cap)
            return -1;
        /* UTF-8: 6 bits per continuation byte from the end, then the lead
         * byte, which carries the length (0xC0, 0xE0, 0xF0 for 2, 3, 4). */
        for (k = n; --k > 0; cp >>= 6)
            out[o + k] = (char)(0x80 | (cp & 0x3F));
        out[o] = (char)(n == 1 ? cp : (0xF00u >> n) | cp);
        o += n;
    }
    out[o] = '\0';
    return (long)o;
}

long tl_json_escape(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (cap < 3)
        return -1;
    out[o++] = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char tmp[6];
        size_t n, k;
        if (ch == '"' || ch == '\\') {
            tmp[0] = '\\'; tmp[1] = (char)ch; n = 2;
        } else if (ch == '\n') {
            tmp[0] = '\\'; tmp[1] = 'n'; n = 2;
        } else if (ch == '\t') {
            tmp[0] = '\\'; tmp[1] = 't'; n = 2;
        } else if (ch == '\r') {
            tmp[0] = '\\'; tmp[1] = 'r'; n = 2;
        } else if (ch < 0x20) {
            tmp[0] = '\\'; tmp[1] = 'u'; tmp[2] = '0'; tmp[3] = '0';
            tmp[4] = hex[ch >> 4]; tmp[5] = hex[ch & 15]; n = 6;
        } else {
            tmp[0] = (char)ch; n = 1;
        }
        if (o + n + 2 > cap)
            return -1;
        for (k = 0; k < n; k++)
            out[o++] = tmp[k];
    }
    out[o++] = '"';
    out[o] = '\0';
    return (long)o;
}
