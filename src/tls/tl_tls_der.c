/*
 * The strict DER reader of tl_tls_crl.c (see tl_tls_der.h): definite,
 * minimal lengths only, single-byte tags, every length checked against what
 * is left before it is used.
 */
#include <string.h>

#include "tl_tls_der.h"

/* Take one element tagged `tag` off the front of *in: its content in *body,
 * the whole element in *whole (either may be NULL). -1 on bad DER. */
int tl_tls__der_take(tl_tls__span *in, unsigned tag, tl_tls__span *body, tl_tls__span *whole)
{
    const unsigned char *p = in->p;
    size_t n = in->len, len, hl, i, k;
    if (n < 2 || p[0] != tag)
        return -1;
    if (p[1] < 0x80) {
        len = p[1];
        hl = 2;
    } else {
        k = p[1] & 0x7Fu;   /* 0 would be BER's indefinite length */
        if (k == 0 || k > 3 || n < 2 + k || p[2] == 0)
            return -1;
        for (len = 0, i = 0; i < k; i++)
            len = (len << 8) | p[2 + i];
        if (len < 0x80)
            return -1;      /* DER wants the short form */
        hl = 2 + k;
    }
    if (len > n - hl)
        return -1;
    if (body) {
        body->p = p + hl;
        body->len = len;
    }
    if (whole) {
        whole->p = p;
        whole->len = hl + len;
    }
    in->p += hl + len;
    in->len -= hl + len;
    return 0;
}

int tl_tls__der_peek(const tl_tls__span *in, unsigned tag)
{
    return in->len > 0 && in->p[0] == tag;
}

static int two_digits(const unsigned char *p, unsigned *v)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    *v = (unsigned)(p[0] - '0') * 10u + (unsigned)(p[1] - '0');
    return 0;
}

/* Days from 0000-01-01 (proleptic Gregorian), as BearSSL counts them, for
 * years 1..9999 (H. Hinnant's days_from_civil, shifted). */
static uint32_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    unsigned yy = m <= 2 ? y - 1 : y;
    unsigned era = yy / 400, yoe = yy - era * 400;
    unsigned doy = (153u * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint32_t)era * 146097u + doe + 60u;
}

/* A UTCTime or GeneralizedTime in RFC 5280's form (seconds, "Z"). */
int tl_tls__der_time(tl_tls__span *in, uint32_t *days, uint32_t *secs)
{
    static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    tl_tls__span t;
    unsigned y, c, mo, d, h, mi, s;
    const unsigned char *p;
    if (tl_tls__der_peek(in, 0x17)) {
        if (tl_tls__der_take(in, 0x17, &t, NULL) || t.len != 13 || two_digits(t.p, &y))
            return -1;
        y += y < 50 ? 2000 : 1900;
        p = t.p + 2;
    } else {
        if (tl_tls__der_take(in, 0x18, &t, NULL) || t.len != 15 || two_digits(t.p, &c) ||
            two_digits(t.p + 2, &y))
            return -1;
        y += c * 100;
        p = t.p + 4;
    }
    if (two_digits(p, &mo) || two_digits(p + 2, &d) || two_digits(p + 4, &h) ||
        two_digits(p + 6, &mi) || two_digits(p + 8, &s) || p[10] != 'Z')
        return -1;
    if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 59)
        return -1;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return -1;
    *days = days_from_civil(y, mo, d);
    *secs = (uint32_t)(h * 3600u + mi * 60u + s);
    return 0;
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension; notes a critical one. */
int tl_tls__der_extensions(tl_tls__span in, int *critical)
{
    tl_tls__span all, e, oid, b, v;
    if (tl_tls__der_take(&in, 0x30, &all, NULL) || in.len || all.len == 0)
        return -1;
    while (all.len) {
        if (tl_tls__der_take(&all, 0x30, &e, NULL) || tl_tls__der_take(&e, 0x06, &oid, NULL) ||
            oid.len == 0)
            return -1;
        if (tl_tls__der_peek(&e, 0x01)) {
            if (tl_tls__der_take(&e, 0x01, &b, NULL) || b.len != 1 ||
                (b.p[0] != 0x00 && b.p[0] != 0xFF))
                return -1;
            if (b.p[0] == 0xFF)
                *critical = 1;
        }
        if (tl_tls__der_take(&e, 0x04, &v, NULL) || e.len)
            return -1;
    }
    return 0;
}
