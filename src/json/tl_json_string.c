/* JSON string decoding and encoding into caller buffers. */
#include "tl_json.h"

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static long read_u4(const char *s, size_t len, size_t i)
{
    long v = 0;
    size_t k;
    if (i + 4 > len)
        return -1;
    for (k = 0; k < 4; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = (v << 4) | h;
    }
    return v;
}

static size_t put_utf8(unsigned long cp, char *b)
{
    if (cp < 0x80) { b[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

long tl_json_unescape(const char *s, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    if (cap == 0)
        return -1;
    while (i < len) {
        char tmp[4];
        size_t n = 0, k;
        if (s[i] != '\\') {
            tmp[0] = s[i++];
            n = 1;
        } else {
            char e = (i + 1 < len) ? s[i + 1] : 0;
            i += 2;
            switch (e) {
            case '"': tmp[0] = '"'; n = 1; break;
            case '\\': tmp[0] = '\\'; n = 1; break;
            case '/': tmp[0] = '/'; n = 1; break;
            case 'b': tmp[0] = '\b'; n = 1; break;
            case 'f': tmp[0] = '\f'; n = 1; break;
            case 'n': tmp[0] = '\n'; n = 1; break;
            case 'r': tmp[0] = '\r'; n = 1; break;
            case 't': tmp[0] = '\t'; n = 1; break;
            case 'u': {
                long cp = read_u4(s, len, i);
                if (cp < 0)
                    return -1;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    /* A high surrogate must pair with a low one. */
                    long lo = (i + 1 < len && s[i] == '\\' && s[i + 1] == 'u')
                                  ? read_u4(s, len, i + 2) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        cp = 0xFFFD;
                    else {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        i += 6;
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    cp = 0xFFFD; /* lone low surrogate */
                }
                if (cp == 0)
                    return -2;
                n = put_utf8((unsigned long)cp, tmp);
                break;
            }
            default:
                return -1;
            }
        }
        if (o + n >= cap)
            return -1;
        for (k = 0; k < n; k++)
            out[o++] = tmp[k];
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
