/* Schema lookup, typed values and validation of single values. */
#include <string.h>

#include "tl_config.h"
#include "tl_config_internal.h"
#include "../json/tl_json.h"

/*
 * The schema as the device code reads it, packed: names and defaults are
 * runs of NUL-terminated strings in key order (no pointers to store), the
 * types and bounds plain arrays.
 */
static const char key_names[] =
#define TL_CONFIG__NAME(id, name, type, def, min, max, desc) name "\0"
    TL_CONFIG_KEYS(TL_CONFIG__NAME);
#undef TL_CONFIG__NAME
static const char key_defaults[] =
#define TL_CONFIG__DEF(id, name, type, def, min, max, desc) def "\0"
    TL_CONFIG_KEYS(TL_CONFIG__DEF);
#undef TL_CONFIG__DEF
const uint8_t tl_config__types[TL_CFG__COUNT] = {
#define TL_CONFIG__TYPE(id, name, type, def, min, max, desc) TL_CFG_##type,
    TL_CONFIG_KEYS(TL_CONFIG__TYPE)
#undef TL_CONFIG__TYPE
};
static const long key_bounds[TL_CFG__COUNT][2] = {
#define TL_CONFIG__BOUNDS(id, name, type, def, min, max, desc) { min, max },
    TL_CONFIG_KEYS(TL_CONFIG__BOUNDS)
#undef TL_CONFIG__BOUNDS
};

/* The k-th string of a run. */
static const char *nth(const char *s, int k)
{
    while (k-- > 0)
        s += strlen(s) + 1;
    return s;
}

int tl_config_find(const char *name)
{
    const char *s = key_names;
    int k;
    for (k = 0; k < TL_CFG__COUNT; k++, s += strlen(s) + 1)
        if (strcmp(s, name) == 0)
            return k;
    return -1;
}

/* Levenshtein distance of two short strings; longer ones count as far. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[MAXLEN + 1];
    if (la > MAXLEN || lb > MAXLEN)
        return (size_t)-1;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *tl_config_suggest(const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, limit;
    int k;
    for (k = 0; k < TL_CFG__COUNT; k++) {
        size_t d = edit_distance(name, nth(key_names, k));
        if (d < best_d) {
            best_d = d;
            best = nth(key_names, k);
        }
    }
    /* A third of the name's length, at least 2 edits: catches typos and
     * missing separators without suggesting unrelated keys. */
    limit = strlen(name) / 3;
    if (limit < 2)
        limit = 2;
    return best_d <= limit ? best : NULL;
}

static size_t str_offset(tl_config_key k)
{
    size_t off = 0;
    int i;
    for (i = 0; i < (int)k; i++)
        if (tl_config__types[i] == TL_CFG_STR)
            off += (size_t)key_bounds[i][1] + 1;
    return off;
}

tl_config_status tl_config__err_key(tl_config_error *err, tl_config_status st,
                                    const char *key)
{
    if (!err)
        return st;
    err->status = st;
    err->key[0] = '\0';
    if (key) {
        strncpy(err->key, key, sizeof err->key - 1);
        err->key[sizeof err->key - 1] = '\0';
    }
    err->message[0] = '\0';
    return st;
}

#if TL_CONFIG_MESSAGES
tl_config_status tl_config__err(tl_config_error *err, tl_config_status st,
                                const char *key, const char *m1, const char *m2,
                                const char *m3)
{
    size_t n = sizeof err->message - 1;
    if (!err)
        return st;
    tl_config__err_key(err, st, key);
    strncat(err->message, m1 ? m1 : "", n);
    strncat(err->message, m2 ? m2 : "", n - strlen(err->message));
    strncat(err->message, m3 ? m3 : "", n - strlen(err->message));
    return st;
}
#endif

#if TL_CONFIG_MESSAGES
tl_config_status tl_config__unknown(tl_config_error *err, const char *name)
{
    const char *hint = tl_config_suggest(name);
    tl_config__err(err, TL_CONFIG_ERR_UNKNOWN_KEY, name, "unknown key",
                   hint ? " (did you mean " : NULL, hint);
    if (hint && err)
        strncat(err->message, "?)", sizeof err->message - 1 - strlen(err->message));
    return TL_CONFIG_ERR_UNKNOWN_KEY;
}
#endif

/* Decimal text of v; only error messages need it. */
static void format_long(long v, char *out, size_t cap)
{
    char tmp[24];
    size_t n = 0, i;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < sizeof tmp - 1);
    if (v < 0)
        tmp[n++] = '-';
    if (cap == 0)
        return;
    for (i = 0; i < n && i + 1 < cap; i++)
        out[i] = tmp[n - 1 - i];
    out[i] = '\0';
}

/* Strict decimal integer: optional '-', digits, nothing else. */
static int parse_long(const char *s, size_t len, long *out)
{
    size_t i = 0;
    unsigned long v = 0;
    unsigned neg = 0;
    if (len > 0 && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == len)
        return -1;
    for (; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        /* Beyond LONG_MAX (or -LONG_MIN, one more) without dividing at
         * run time: both end in ...7 and ...8. */
        if (v > (unsigned long)TL_CONFIG__LONG_MAX / 10 ||
            (v == (unsigned long)TL_CONFIG__LONG_MAX / 10 &&
             d > (unsigned)(TL_CONFIG__LONG_MAX % 10) + neg))
            return -2;
        v = v * 10 + d;
    }
    *out = neg ? (long)(0UL - v) : (long)v;
    return 0;
}

/* The error of a value of key k that tl_config__put refused. */
static tl_config_status put_error(tl_config_key k, tl_config_status st, tl_config_error *err)
{
    const char *name = nth(key_names, k);
#if TL_CONFIG_MESSAGES
    char range[64];
    switch (st) {
    case TL_CONFIG_ERR_TYPE:
        return tl_config__err(err, st, name, tl_config__types[k] == TL_CFG_INT
                              ? "expected an integer"
                              : "expected a boolean (true or false)", NULL, NULL);
    case TL_CONFIG_ERR_RANGE:
        format_long(key_bounds[k][0], range, 24);
        strcat(range, "..");
        format_long(key_bounds[k][1], range + strlen(range), 24);
        return tl_config__err(err, st, name, "value out of range (allowed: ", range, ")");
    case TL_CONFIG_ERR_TOO_LONG:
        format_long(key_bounds[k][1], range, 24);
        return tl_config__err(err, st, name, "string too long (at most ", range, " bytes)");
    default:
        return tl_config__err(err, st, name, "string is not valid UTF-8 text", NULL, NULL);
    }
#else
    return tl_config__err(err, st, name, NULL, NULL, NULL);
#endif
}

tl_config_status tl_config__put(tl_config *cfg, tl_config_key k, const char *text,
                                size_t len, tl_config_layer layer,
                                tl_config_error *err)
{
    /* The text forms of a boolean; the index's low bit is the value. */
    static const char *const bools[] = { "false", "true", "0", "1" };
    const long *bounds = key_bounds[k];
    tl_config_status st = TL_CONFIG_OK;
    long v = 0;
    int r;

    switch (tl_config__types[k]) {
    case TL_CFG_STR:
        if (len > (size_t)bounds[1])
            st = TL_CONFIG_ERR_TOO_LONG;
        else if (memchr(text, '\0', len) || !tl_json_utf8_valid(text, len))
            st = TL_CONFIG_ERR_ENCODING;
        break;
    case TL_CFG_INT:
        r = parse_long(text, len, &v);
        if (r == -1)
            st = TL_CONFIG_ERR_TYPE;
        else if (r == -2 || v < bounds[0] || v > bounds[1])
            st = TL_CONFIG_ERR_RANGE;
        break;
    default:
        for (r = 0; r < 4 && !(strlen(bools[r]) == len && memcmp(text, bools[r], len) == 0);
             r++)
            ;
        if (r == 4)
            st = TL_CONFIG_ERR_TYPE;
        v = r & 1;
        break;
    }
    if (st != TL_CONFIG_OK)
        return put_error(k, st, err);
    if (!cfg)
        return st;
    if (tl_config__types[k] == TL_CFG_STR) {
        char *dst = cfg->strpool + str_offset(k);
        memcpy(dst, text, len);
        dst[len] = '\0';
    } else {
        cfg->ival[k] = v;
    }
    cfg->layer[k] = (uint8_t)layer;
    return TL_CONFIG_OK;
}

tl_config_status tl_config_set(tl_config *cfg, const char *name,
                               const char *value, tl_config_layer layer,
                               tl_config_error *err)
{
    int k = tl_config_find(name);
    if (k < 0)
        return tl_config__unknown(err, name);
    return tl_config__put(cfg, (tl_config_key)k, value, strlen(value), layer, err);
}

tl_config_status tl_config_set_assignment(tl_config *cfg, const char *assignment,
                                          tl_config_layer layer,
                                          tl_config_error *err)
{
    char name[80];
    const char *eq = strchr(assignment, '=');
    size_t n;
    if (!eq || eq == assignment) {
        tl_config__err(err, TL_CONFIG_ERR_SYNTAX, assignment,
                       "expected KEY=VALUE", NULL, NULL);
        return TL_CONFIG_ERR_SYNTAX;
    }
    n = (size_t)(eq - assignment);
    if (n >= sizeof name) {
        tl_config__err(err, TL_CONFIG_ERR_UNKNOWN_KEY, NULL, "unknown key (name too long)",
                       NULL, NULL);
        return TL_CONFIG_ERR_UNKNOWN_KEY;
    }
    memcpy(name, assignment, n);
    name[n] = '\0';
    return tl_config_set(cfg, name, eq + 1, layer, err);
}

void tl_config_init(tl_config *cfg)
{
    const char *def = key_defaults;
    int k;
    memset(cfg, 0, sizeof *cfg);
    for (k = 0; k < TL_CFG__COUNT; k++, def += strlen(def) + 1) {
        /* Defaults are checked by the unit tests; here they just apply. */
        (void)tl_config__put(cfg, (tl_config_key)k, def, strlen(def),
                             TL_CFG_LAYER_DEFAULT, NULL);
    }
}

const char *tl_config_str(const tl_config *cfg, tl_config_key k)
{
    if ((unsigned)k >= (unsigned)TL_CFG__COUNT || tl_config__types[k] != TL_CFG_STR)
        return "";
    return cfg->strpool + str_offset(k);
}

long tl_config_int(const tl_config *cfg, tl_config_key k)
{
    if ((unsigned)k >= (unsigned)TL_CFG__COUNT)
        return 0;
    return cfg->ival[k];
}

int tl_config_bool(const tl_config *cfg, tl_config_key k)
{
    return tl_config_int(cfg, k) != 0;
}

tl_config_layer tl_config_layer_of(const tl_config *cfg, tl_config_key k)
{
    if ((unsigned)k >= (unsigned)TL_CFG__COUNT)
        return TL_CFG_LAYER_DEFAULT;
    return (tl_config_layer)cfg->layer[k];
}

int tl_config_format(const tl_config *cfg, tl_config_key k, char *out,
                     size_t cap)
{
    const char *s;
    if (cap == 0 || (unsigned)k >= (unsigned)TL_CFG__COUNT)
        return -1;
    switch (tl_config__types[k]) {
    case TL_CFG_INT:
        format_long(cfg->ival[k], out, cap);
        return 0;
    case TL_CFG_BOOL:
        s = cfg->ival[k] ? "true" : "false";
        break;
    default:
        s = tl_config_str(cfg, k);
        break;
    }
    if (strlen(s) >= cap)
        return -1;
    strcpy(out, s);
    return 0;
}
