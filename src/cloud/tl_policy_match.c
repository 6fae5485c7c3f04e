/*
 * tl_policy wildcard matching and the table of known actions.
 *
 * The matcher is the classic greedy one with a single backtrack point: on
 * a mismatch it only retries from the most recent `*`, letting that star
 * swallow one more character. Earlier stars never need revisiting (any
 * extension they could make, the later star can make too), so the work is
 * bounded by length(subject) * length(pattern): "a*a*a*a*a*b" against a
 * long run of 'a's stays fast instead of the exponential blow-up of a
 * recursive matcher that retries every star.
 */
#include <string.h>

#include "tl_policy_internal.h"

/* A position in a piece list: piece index and byte offset within it. */
typedef struct {
    size_t i, off;
} cursor;

typedef struct {
    const tl_policy__piece *p;
    size_t np;
    const char *text;
    const tl_policy__vars *vars;
} pattern;

static const char *piece_text(const pattern *pt, size_t i, size_t *len)
{
    const tl_policy__piece *pc = &pt->p[i];
    if (pc->kind == TL_POLICY__LIT) {
        *len = pc->len;
        return pt->text + pc->off;
    }
    /* VAR: the evaluator only gets here when every variable has a value.
     * Anything else (a SEP never reaches here) reads as empty text. */
    if (pc->kind != TL_POLICY__VAR || pt->vars == NULL || pt->vars->val[pc->off] == NULL) {
        *len = 0;
        return "";
    }
    *len = pt->vars->len[pc->off];
    return pt->vars->val[pc->off];
}

/* Skip text pieces that have no bytes left (an empty variable value). */
static void settle(const pattern *pt, cursor *c)
{
    while (c->i < pt->np) {
        size_t len;
        uint8_t k = pt->p[c->i].kind;
        if (k == TL_POLICY__STAR || k == TL_POLICY__QMARK)
            return;
        (void)piece_text(pt, c->i, &len);
        if (c->off < len)
            return;
        c->i++;
        c->off = 0;
    }
}

static void advance(const pattern *pt, cursor *c)
{
    uint8_t k = pt->p[c->i].kind;
    if (k == TL_POLICY__STAR || k == TL_POLICY__QMARK) {
        c->i++;
        c->off = 0;
    } else {
        c->off++;
    }
    settle(pt, c);
}

/* Bytes of the UTF-8 character at s: `?` stands for one character, not one
 * byte, so that a topic with non-ASCII text matches the way AWS counts. */
static size_t utf8_len(const char *s, size_t n)
{
    unsigned char b = (unsigned char)s[0];
    size_t want = b >= 0xF0 && b <= 0xF7 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    size_t k = 1;
    if (b >= 0xF8)
        want = 1;
    while (k < want && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
        k++;
    return k;
}

int tl_policy__utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        size_t want = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3
                    : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        if (want == 0 || utf8_len(s + i, n - i) != want)
            return 0;
        i += want;
    }
    return 1;
}

static int same(char a, char b, int fold)
{
    if (fold) {
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
    }
    return a == b;
}

int tl_policy__match(const tl_policy__piece *p, size_t np, const char *text,
                     const tl_policy__vars *vars, const char *s, size_t n,
                     int fold)
{
    pattern pt = { p, np, text, vars };
    cursor c = { 0, 0 }, star = { 0, 0 };
    int have_star = 0;
    size_t si = 0, star_si = 0;

    settle(&pt, &c);
    while (si < n) {
        if (c.i < np) {
            uint8_t k = p[c.i].kind;
            if (k == TL_POLICY__STAR) {
                /* Let the star match nothing for now; remember where. */
                have_star = 1;
                advance(&pt, &c);
                star = c;
                star_si = si;
                continue;
            }
            if (k == TL_POLICY__QMARK) {
                si += utf8_len(s + si, n - si);
                advance(&pt, &c);
                continue;
            }
            {
                size_t len;
                const char *t = piece_text(&pt, c.i, &len);
                if (same(t[c.off], s[si], fold)) {
                    si++;
                    advance(&pt, &c);
                    continue;
                }
            }
        }
        if (!have_star)
            return 0;
        /* Mismatch: the last star takes one more character and we retry
         * (whole characters, so `?` never starts inside one). */
        star_si += utf8_len(s + star_si, n - star_si);
        si = star_si;
        c = star;
    }
    while (c.i < np && p[c.i].kind == TL_POLICY__STAR)
        advance(&pt, &c);
    return c.i == np;
}

int tl_policy__compile_plain(const char *s, size_t len, tl_policy__piece *out,
                             size_t cap)
{
    size_t i, n = 0;
    for (i = 0; i < len; i++) {
        uint8_t k = s[i] == '*' ? TL_POLICY__STAR : s[i] == '?' ? TL_POLICY__QMARK
                                                                : TL_POLICY__LIT;
        if (k == TL_POLICY__STAR && n > 0 && out[n - 1].kind == TL_POLICY__STAR)
            continue;
        if (k == TL_POLICY__LIT && n > 0 && out[n - 1].kind == TL_POLICY__LIT) {
            out[n - 1].len++;
            continue;
        }
        if (n == cap)
            return -1;
        out[n].kind = k;
        out[n].off = (uint16_t)i;
        out[n].len = 1;
        n++;
    }
    return (int)n;
}

static const char *const var_names[TL_POLICY__VAR_COUNT] = {
    "iot:ClientId",
    "iot:Connection.Thing.ThingName",
    "iot:Connection.Thing.ThingTypeName",
    "iot:Connection.Thing.IsAttached",
};

int tl_policy__var_lookup(const char *name, size_t len)
{
    int v;
    size_t i;
    for (v = 0; v < TL_POLICY__VAR_COUNT; v++) {
        const char *k = var_names[v];
        if (strlen(k) != len)
            continue;
        for (i = 0; i < len; i++) {
            char a = k[i], b = name[i];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                break;
        }
        if (i == len) /* IAM: context key names are case-insensitive */
            return v;
    }
    return -1;
}

/* Indexed by tl_policy_action. */
static const char *const action_names[TL_POLICY_ACTION__COUNT] = {
    "iot:Connect",
    "iot:Publish",
    "iot:Subscribe",
    "iot:Receive",
    "iot:RetainPublish",
    "iot:DeleteConnection",
    "iot:GetRetainedMessage",
    "iot:ListRetainedMessages",
    "iot:GetThingShadow",
    "iot:UpdateThingShadow",
    "iot:DeleteThingShadow",
    "iot:ListNamedShadowsForThing",
};

uint32_t tl_policy__action_mask(const char *pattern_text, size_t len)
{
    /* Room for any pattern that can match a name of ~30 characters. */
    tl_policy__piece pc[128];
    uint32_t mask = 0;
    int np, a;
    if (len > 1000)
        return 0;
    np = tl_policy__compile_plain(pattern_text, len, pc, sizeof pc / sizeof pc[0]);
    if (np < 0)
        return 0;
    for (a = 0; a < TL_POLICY_ACTION__COUNT; a++) {
        if (tl_policy__match(pc, (size_t)np, pattern_text, NULL, action_names[a],
                             strlen(action_names[a]), 1))
            mask |= UINT32_C(1) << a;
    }
    return mask;
}

const char *tl_policy_action_name(tl_policy_action action)
{
    if ((unsigned)action >= TL_POLICY_ACTION__COUNT)
        return NULL;
    return action_names[action];
}

int tl_policy_action_from_name(const char *name)
{
    int a;
    size_t i;
    if (name == NULL)
        return -1;
    for (a = 0; a < TL_POLICY_ACTION__COUNT; a++) {
        const char *k = action_names[a];
        for (i = 0; k[i] != '\0' && same(k[i], name[i], 1); i++)
            ;
        if (k[i] == '\0' && name[i] == '\0')
            return a;
    }
    return -1;
}
