/* Config documents: loading (checked, all-or-nothing) and writing JSON. */
#include <string.h>

#include "tl_config.h"
#include "tl_config_internal.h"
#include "../json/tl_json.h"

typedef struct {
    const char *js;
    size_t len;
    const jsmntok_t *tok;
    int ntok;
    tl_config *apply;          /* NULL while validating */
    tl_config_layer layer;
    uint8_t seen[TL_CFG__COUNT];
    tl_config_error *err;
} loader;

/* Position an error that err already describes (from tl_config__*). */
static tl_config_status locate(loader *ld, size_t offset, tl_config_status st)
{
    if (ld->err)
        tl_json_line_col(ld->js, ld->len, offset, &ld->err->line,
                         &ld->err->column);
    return st;
}

static tl_config_status (fail_at)(loader *ld, size_t offset, tl_config_status st,
                                  const char *key, const char *m1,
                                  const char *m2)
{
    (void)m1, (void)m2;   /* unused without messages */
    return locate(ld, offset, tl_config__err(ld->err, st, key, m1, m2, NULL));
}
#if !TL_CONFIG_MESSAGES
#define fail_at(ld, offset, st, key, m1, m2) (fail_at)((ld), (offset), (st), (key), NULL, NULL)
#endif

/* Offset of a token for messages: strings point at their opening quote. */
static size_t tok_pos(const jsmntok_t *t)
{
    return (size_t)t->start - (t->type == JSMN_STRING ? 1 : 0);
}

#if TL_CONFIG_MESSAGES
static const char *kind_of(const loader *ld, const jsmntok_t *t)
{
    char c = ld->js[t->start];
    switch (t->type) {
    case JSMN_OBJECT: return "an object";
    case JSMN_ARRAY: return "an array";
    case JSMN_STRING: return "a string";
    default:
        if (c == 't' || c == 'f') return "a boolean";
        if (c == 'n') return "null";
        return "a number";
    }
}
#endif

static tl_config_status load_value(loader *ld, tl_config_key k, const char *path,
                                   const jsmntok_t *v)
{
    const char *text = ld->js + v->start;
    size_t tlen = (size_t)(v->end - v->start), i;
    int is_bool = v->type == JSMN_PRIMITIVE && (text[0] == 't' || text[0] == 'f');
    char buf[260]; /* longer than any key allows: see tl_config_keys.h */
    tl_config_status st;

    if (v->type == JSMN_PRIMITIVE && text[0] == 'n')
        return fail_at(ld, tok_pos(v), TL_CONFIG_ERR_TYPE, path,
                       "null is not a value (remove the key to use the default)",
                       NULL);
    switch (tl_config__types[k]) {
    case TL_CFG_STR: {
        long n;
        if (v->type != JSMN_STRING)
            return fail_at(ld, tok_pos(v), TL_CONFIG_ERR_TYPE, path,
                           "expected a string, got ", kind_of(ld, v));
        n = tl_json_unescape(text, tlen, buf, sizeof buf);
        if (n == -2)
            return fail_at(ld, tok_pos(v), TL_CONFIG_ERR_ENCODING, path,
                           "string contains a NUL character", NULL);
        text = buf;
        tlen = n < 0 ? sizeof buf : (size_t)n; /* longer than any key allows */
        break;
    }
    case TL_CFG_INT:
        if (v->type != JSMN_PRIMITIVE || is_bool)
            return fail_at(ld, tok_pos(v), TL_CONFIG_ERR_TYPE, path,
                           "expected an integer, got ", kind_of(ld, v));
        for (i = 0; i < tlen; i++)
            if (text[i] == '.' || text[i] == 'e' || text[i] == 'E')
                return fail_at(ld, tok_pos(v), TL_CONFIG_ERR_TYPE, path,
                               "expected an integer, got a number with a fraction or exponent",
                               NULL);
        break;
    default:
        if (!is_bool)
            return fail_at(ld, tok_pos(v), TL_CONFIG_ERR_TYPE, path,
                           "expected a boolean (true or false), got ", kind_of(ld, v));
        break;
    }
    st = tl_config__put(ld->apply, k, text, tlen, ld->layer, ld->err);
    return st == TL_CONFIG_OK ? st : locate(ld, tok_pos(v), st);
}

/*
 * Walk the object at token *idx whose members are named under prefix.
 * Advances *idx past the object.
 */
static tl_config_status load_object(loader *ld, int *idx, const char *prefix,
                                    size_t plen)
{
    const jsmntok_t *obj = &ld->tok[*idx];
    int members = obj->size, m;
    (*idx)++;
    for (m = 0; m < members; m++) {
        const jsmntok_t *kt = &ld->tok[*idx];
        const jsmntok_t *vt = &ld->tok[*idx + 1];
        char path[96];
        long n;
        int k;
        tl_config_status st;

        memcpy(path, prefix, plen);
        if (plen)
            path[plen++] = '.';
        n = tl_json_unescape(ld->js + kt->start, (size_t)(kt->end - kt->start),
                             path + plen, sizeof path - plen);
        if (plen)
            plen--;
        if (n < 0)
            return fail_at(ld, tok_pos(kt), TL_CONFIG_ERR_UNKNOWN_KEY, NULL,
                           "unknown key (name too long)", NULL);
        *idx += 2;
        if (vt->type == JSMN_OBJECT) {
            int sub = *idx - 1;
            st = load_object(ld, &sub, path, strlen(path));
            if (st != TL_CONFIG_OK)
                return st;
            *idx = sub;
            continue;
        }
        k = tl_config_find(path);
        if (k < 0)
            return locate(ld, tok_pos(kt), tl_config__unknown(ld->err, path));
        if (vt->type == JSMN_ARRAY)
            return fail_at(ld, tok_pos(vt), TL_CONFIG_ERR_TYPE, path,
                           "arrays are not allowed here", NULL);
        if (ld->seen[k]++)
            return fail_at(ld, tok_pos(kt), TL_CONFIG_ERR_DUPLICATE, path,
                           "key appears twice in the document", NULL);
        st = load_value(ld, (tl_config_key)k, path, vt);
        if (st != TL_CONFIG_OK)
            return st;
    }
    return TL_CONFIG_OK;
}

tl_config_status tl_config_load_json(tl_config *cfg, const char *json,
                                     size_t len, tl_config_layer layer,
                                     tl_config_error *err)
{
    jsmntok_t tok[TL_CONFIG_MAX_TOKENS];
    tl_json_error jerr;
    loader ld;
    size_t stop;
    int n = 0, idx;
    tl_config_status st;
    const char *why, *what = NULL;   /* the message, if messages are on */

    memset(&ld, 0, sizeof ld);
    ld.js = json;
    ld.len = len;
    ld.err = err;
    ld.layer = layer;
    if (err)
        memset(err, 0, sizeof *err);

    /* The document as a whole: one error, at one place. */
    st = TL_CONFIG_ERR_SYNTAX;
    why = "malformed JSON: ";
    if (tl_json_check(json, len, TL_CONFIG_MAX_DEPTH, &jerr) != TL_JSON_OK) {
        if (jerr.status == TL_JSON_ERR_DEPTH)
            st = TL_CONFIG_ERR_TOO_BIG;
        stop = jerr.offset;
        what = jerr.what;
    } else if ((n = tl_json_tokenize(json, len, tok, TL_CONFIG_MAX_TOKENS, &stop)) ==
               JSMN_ERROR_NOMEM) {
        st = TL_CONFIG_ERR_TOO_BIG;
        why = "document has too many values for this device";
    } else if (n < 1) {
        why = "malformed JSON";
    } else if (tok[0].type != JSMN_OBJECT) {
        st = TL_CONFIG_ERR_TYPE;
        why = "a config document must be a JSON object";
        stop = tok_pos(&tok[0]);
    } else {
        st = TL_CONFIG_OK;
    }
    (void)why, (void)what;   /* unused without messages */
    if (st != TL_CONFIG_OK)
        return fail_at(&ld, stop, st, NULL, why, what);
    ld.tok = tok;
    ld.ntok = n;

    /* Pass 1 validates everything; pass 2 applies. */
    for (;;) {
        idx = 0;
        st = load_object(&ld, &idx, "", 0);
        if (st != TL_CONFIG_OK || ld.apply)
            return st;
        memset(ld.seen, 0, sizeof ld.seen);
        ld.apply = cfg;
    }
}

/* Append text to out at *pos; -1 once out is full. */
static int put(char *out, size_t cap, size_t *pos, const char *s, size_t n)
{
    if (*pos + n + 1 > cap)
        return -1;
    memcpy(out + *pos, s, n);
    *pos += n;
    out[*pos] = '\0';
    return 0;
}

static int puts_(char *out, size_t cap, size_t *pos, const char *s)
{
    return put(out, cap, pos, s, strlen(s));
}

long tl_config_write_json(const tl_config *cfg, tl_config_layer min_layer,
                          char *out, size_t cap)
{
    size_t pos = 0, seclen = 0;
    const char *section = NULL;
    int k, first_sec = 1, first_key = 1;
    char val[600];

    if (cap == 0 || puts_(out, cap, &pos, "{") < 0)
        return -1;
    for (k = 0; k < TL_CFG__COUNT; k++) {
        const tl_config_schema_entry *e = tl_config_schema((tl_config_key)k);
        const char *dot = strchr(e->name, '.');
        size_t sl = dot ? (size_t)(dot - e->name) : 0;
        char name[96];

        if (cfg->layer[k] < (uint8_t)min_layer)
            continue;
        if (!section || sl != seclen || strncmp(section, e->name, sl) != 0) {
            if (section && puts_(out, cap, &pos, "\n  }") < 0)
                return -1;
            if (puts_(out, cap, &pos, first_sec ? "\n  \"" : ",\n  \"") < 0 ||
                put(out, cap, &pos, e->name, sl) < 0 ||
                puts_(out, cap, &pos, "\": {") < 0)
                return -1;
            section = e->name;
            seclen = sl;
            first_sec = 0;
            first_key = 1;
        }
        if (tl_json_escape(e->name + sl + 1, name, sizeof name) < 0)
            return -1;
        if (e->type == TL_CFG_STR) {
            if (tl_json_escape(tl_config_str(cfg, (tl_config_key)k), val, sizeof val) < 0)
                return -1;
        } else if (tl_config_format(cfg, (tl_config_key)k, val, sizeof val) < 0) {
            return -1;
        }
        if (puts_(out, cap, &pos, first_key ? "\n    " : ",\n    ") < 0 ||
            puts_(out, cap, &pos, name) < 0 || puts_(out, cap, &pos, ": ") < 0 ||
            puts_(out, cap, &pos, val) < 0)
            return -1;
        first_key = 0;
    }
    if (section && puts_(out, cap, &pos, "\n  }") < 0)
        return -1;
    if (puts_(out, cap, &pos, section ? "\n}\n" : "}\n") < 0)
        return -1;
    return (long)pos;
}
