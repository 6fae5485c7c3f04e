/*
 * The helpers Debian's libgcc for the lx106 lacks (its assembly part:
 * integer division, 64-bit multiply, double multiply), for the lx106 under
 * QEMU. The lx106 has no divide instruction and no 32x32->64 multiply; on
 * an ESP8266 the division helpers come from the boot ROM (esp8266-rom.ld),
 * which QEMU's simulator does not have. Plain shift-and-subtract and 16-bit
 * partial products: the tests need them right, not fast. A zero divisor
 * ends the program as the Cortex-M3 tests' DIV_0_TRP does, with the cause
 * the Xtensa divide instructions raise.
 */
#include <stdint.h>
#include <string.h>

#include "tl_port_lx106sim.h"

uint32_t __udivsi3(uint32_t n, uint32_t d);
uint32_t __umodsi3(uint32_t n, uint32_t d);
int32_t __divsi3(int32_t n, int32_t d);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);
uint64_t __muldi3(uint64_t a, uint64_t b);
double __muldf3(double a, double b);

/* ---- division ---- */

/* n / d and n % d for n of up to `bits` bits. */
static uint64_t udivmod(uint64_t n, uint64_t d, int bits, uint64_t *rem, void *caller)
{
    uint64_t q = 0, r = 0;
    int i;
    if (d == 0)
        tl_port_lx106sim_fault(TL_LX106_EXC_DIVIDE_BY_ZERO, (uint32_t)(uintptr_t)caller, 0, 0);
    for (i = bits - 1; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1u);
        if (r >= d) {
            r -= d;
            q |= (uint64_t)1 << i;
        }
    }
    *rem = r;
    return q;
}

#define CALLER __builtin_return_address(0)

uint32_t __udivsi3(uint32_t n, uint32_t d)
{
    uint64_t r;
    return (uint32_t)udivmod(n, d, 32, &r, CALLER);
}

uint32_t __umodsi3(uint32_t n, uint32_t d)
{
    uint64_t r;
    udivmod(n, d, 32, &r, CALLER);
    return (uint32_t)r;
}

/* Signed: on magnitudes, the quotient truncated toward zero, the remainder
 * with the dividend's sign (C99 6.5.5). */
static uint64_t mag(int64_t v)
{
    return v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
}

int32_t __divsi3(int32_t n, int32_t d)
{
    uint64_t r, q = udivmod(mag(n), mag(d), 32, &r, CALLER);
    return (int32_t)(uint32_t)((n < 0) != (d < 0) ? 0u - q : q);
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    return udivmod(n, d, 64, &r, CALLER);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;
    udivmod(n, d, 64, &r, CALLER);
    return r;
}

int64_t __divdi3(int64_t n, int64_t d)
{
    uint64_t r, q = udivmod(mag(n), mag(d), 64, &r, CALLER);
    return (int64_t)((n < 0) != (d < 0) ? 0u - q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r;
    udivmod(mag(n), mag(d), 64, &r, CALLER);
    return (int64_t)(n < 0 ? 0u - r : r);
}

/* ---- multiplication ---- */

/* a * b in full from 16-bit halves (MULL gives only the low 32 bits). */
static uint64_t mul32(uint32_t a, uint32_t b)
{
    uint32_t ll = (a & 0xFFFFu) * (b & 0xFFFFu), lh = (a & 0xFFFFu) * (b >> 16);
    uint32_t hl = (a >> 16) * (b & 0xFFFFu), hh = (a >> 16) * (b >> 16);
    uint32_t mid = (ll >> 16) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
    uint32_t lo = (ll & 0xFFFFu) | (mid << 16);
    uint32_t hi = hh + (lh >> 16) + (hl >> 16) + (mid >> 16);
    return ((uint64_t)hi << 32) | lo;
}

uint64_t __muldi3(uint64_t a, uint64_t b)
{
    uint32_t cross = (uint32_t)(a >> 32) * (uint32_t)b + (uint32_t)a * (uint32_t)(b >> 32);
    return mul32((uint32_t)a, (uint32_t)b) + ((uint64_t)cross << 32);
}

/* ---- double multiply (IEEE 754 binary64, round to nearest even) ---- */

typedef struct {
    uint64_t hi, lo;
} u128;

static u128 mul64(uint64_t a, uint64_t b)
{
    uint64_t p00 = mul32((uint32_t)a, (uint32_t)b), p01 = mul32((uint32_t)a, (uint32_t)(b >> 32));
    uint64_t p10 = mul32((uint32_t)(a >> 32), (uint32_t)b);
    uint64_t p11 = mul32((uint32_t)(a >> 32), (uint32_t)(b >> 32));
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;   /* < 2^34 */
    u128 r;
    r.lo = (uint32_t)p00 | (mid << 32);
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    return r;
}

/* Bits [n, 127] of v, for n in [1, 127]. */
static uint64_t shr128(u128 v, int n)
{
    if (n >= 64)
        return v.hi >> (n - 64);
    return (v.lo >> n) | (v.hi << (64 - n));
}

/* Whether any of bits [0, n) of v is set, for n in [0, 127]. */
static int low_bits(u128 v, int n)
{
    if (n == 0)
        return 0;
    if (n < 64)
        return (v.lo & (((uint64_t)1 << n) - 1u)) != 0;
    return v.lo != 0 || (v.hi & (((uint64_t)1 << (n - 64)) - 1u)) != 0;
}

#define FRAC_BITS 52
#define HIDDEN ((uint64_t)1 << FRAC_BITS)
#define EXP_MAX 0x7FF
#define INF_BITS ((uint64_t)EXP_MAX << FRAC_BITS)
#define QUIET_NAN ((uint64_t)1 << (FRAC_BITS - 1))

/* The significand with its hidden bit, normalized to [2^52, 2^53), and the
 * biased exponent that goes with it (below 1 for a subnormal). */
static uint64_t unpack(uint64_t bits, int *exp)
{
    uint64_t m = bits & (HIDDEN - 1u);
    *exp = (int)((bits >> FRAC_BITS) & EXP_MAX);
    if (*exp != 0)
        return m | HIDDEN;
    *exp = 1;
    while (!(m & HIDDEN)) {
        m <<= 1;
        --*exp;
    }
    return m;
}

double __muldf3(double a, double b)
{
    uint64_t ua, ub, sign, ma, mb, m, out;
    int ea, eb, e, shift, guard;
    u128 p;
    double r;
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    sign = (ua ^ ub) & ((uint64_t)1 << 63);
    ua &= ~((uint64_t)1 << 63);
    ub &= ~((uint64_t)1 << 63);
    if (ua > INF_BITS || ub > INF_BITS) {                 /* NaN in, NaN out */
        out = (ua > INF_BITS ? ua : ub) | QUIET_NAN;
        sign = 0;
    } else if (ua == INF_BITS || ub == INF_BITS) {
        out = (ua == 0 || ub == 0) ? INF_BITS | QUIET_NAN : INF_BITS;   /* inf * 0: NaN */
    } else if (ua == 0 || ub == 0) {
        out = 0;
    } else {
        ma = unpack(ua, &ea);
        mb = unpack(ub, &eb);
        p = mul64(ma, mb);                                /* in [2^104, 2^106) */
        e = ea + eb - 1023;
        if (p.hi >> (105 - 64))
            e++;                                          /* leading bit at 105 */
        else
            p = (u128){ (p.hi << 1) | (p.lo >> 63), p.lo << 1 };
        /* Keep 53 bits, fewer for a subnormal result; round the rest. */
        shift = e >= 1 ? 53 : 53 + 1 - e;
        if (shift > 106) {
            out = 0;
        } else {
            m = shr128(p, shift);
            guard = (int)(shr128(p, shift - 1) & 1u);
            if (guard && (low_bits(p, shift - 1) || (m & 1u)))
                m++;
            /* The hidden bit adds 1 to the exponent field; a carry out of
             * the significand moves it on, as it should. */
            out = (e >= 1 ? (uint64_t)(e - 1) << FRAC_BITS : 0) + m;
            if (out >= INF_BITS)
                out = INF_BITS;
        }
    }
    out |= sign;
    memcpy(&r, &out, sizeof r);
    return r;
}
