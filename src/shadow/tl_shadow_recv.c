/* Incoming shadow messages: check, tokenize, match, dispatch. */
#include <string.h>

#include "../json/tl_json.h"
#include "tl_shadow_internal.h"

/* Objects nest: documents > current > state > desired > AWS's six levels;
 * metadata mirrors them. Deeper than this is not a shadow document. */
#define MAX_DEPTH 12

typedef struct {
    tl_shadow_client *c;
    const char *js;
    int n;                       /* tokens */
    char what[20];               /* "update/accepted" for on_error */
} msg;

/* The index after token i and everything inside it. */
static int skip(const msg *m, int i)
{
    int end = m->c->tok[i].end;
    for (i++; i < m->n && m->c->tok[i].start < end; i++)
        ;
    return i;
}

/* The value token of member key in object token obj, or -1. */
static int member(const msg *m, int obj, const char *key)
{
    const jsmntok_t *t = m->c->tok;
    size_t klen = strlen(key);
    int i, k;
    if (obj < 0 || t[obj].type != JSMN_OBJECT)
        return -1;
    for (i = obj + 1, k = 0; k < t[obj].size && i + 1 < m->n; k++) {
        if (t[i].type == JSMN_STRING && (size_t)(t[i].end - t[i].start) == klen &&
            memcmp(m->js + t[i].start, key, klen) == 0)
            return i + 1;
        i = skip(m, i + 1);
    }
    return -1;
}

static tl_shadow_span span_of(const msg *m, int i)
{
    tl_shadow_span s = { NULL, 0 };
    if (i >= 0) {
        s.ptr = m->js + m->c->tok[i].start;
        s.len = (size_t)(m->c->tok[i].end - m->c->tok[i].start);
    }
    return s;
}

/* An unsigned integer primitive (version, code). -1: not one. */
static int read_u32(const msg *m, int i, uint32_t *out)
{
    const jsmntok_t *t = &m->c->tok[i];
    uint32_t v = 0;
    int p;
    if (t->type != JSMN_PRIMITIVE || t->end == t->start)
        return -1;
    for (p = t->start; p < t->end; p++) {
        char ch = m->js[p];
        if (ch < '0' || ch > '9' || v > (0xFFFFFFFFu - (uint32_t)(ch - '0')) / 10u)
            return -1;
        v = v * 10u + (uint32_t)(ch - '0');
    }
    *out = v;
    return 0;
}

/* The "version" member of object obj: 0 if absent, -1 if malformed. */
static int version_of(const msg *m, int obj, uint32_t *v)
{
    int i = member(m, obj, "version");
    *v = 0;
    return i < 0 ? 0 : read_u32(m, i, v);
}

static int refuse(msg *m, tl_shadow_status st)
{
    tl_shadow__fail(m->c, st, m->what);
    return 1;
}

/* The pending request this response answers (same token, same action). */
static int find_pending(msg *m, tl_shadow_action a)
{
    tl_shadow_client *c = m->c;
    int i = member(m, 0, "clientToken"), s;
    if (i < 0 || c->tok[i].type != JSMN_STRING)
        return -1;
    /* Tokens longer than ours cannot be ours: -1 from unescape. */
    if (tl_json_unescape(m->js + c->tok[i].start, (size_t)(c->tok[i].end - c->tok[i].start),
                         c->rx_token, sizeof c->rx_token) < 0)
        return -1;
    for (s = 0; s < TL_SHADOW_MAX_PENDING; s++)
        if (c->pending[s].token[0] && c->pending[s].action == (uint8_t)a &&
            strcmp(c->pending[s].token, c->rx_token) == 0)
            return s;
    return -1;
}

static void rejected_text(msg *m, int i)
{
    tl_shadow_client *c = m->c;
    const jsmntok_t *t = &c->tok[i];
    size_t len = (size_t)(t->end - t->start), cut = sizeof c->message - 1;
    if (t->type != JSMN_STRING) {
        memcpy(c->message, "(no message)", 13);
        return;
    }
    if (tl_json_unescape(m->js + t->start, len, c->message, sizeof c->message) >= 0)
        return;
    /* Too long (or \u0000): keep the raw start rather than nothing. */
    if (len < cut)
        cut = len;
    memcpy(c->message, m->js + t->start, cut);
    c->message[cut] = '\0';
}

/* Our request's answer is broken: say so, and end the request with it
 * rather than leave it to time out. */
static int malformed(msg *m, int slot, tl_shadow_response *r)
{
    refuse(m, TL_SHADOW_ERR_JSON);
    r->status = TL_SHADOW_ERR_JSON;
    r->state.ptr = NULL;
    r->state.len = 0;
    tl_shadow__finish(m->c, (size_t)slot, r);
    return 1;
}

static int response(msg *m, tl_shadow_action a, tl_shadow_topic_kind k)
{
    tl_shadow_client *c = m->c;
    tl_shadow_response r;
    uint32_t v = 0;
    int slot = find_pending(m, a), i, dtok = -1;
    if (slot < 0)
        return 1;   /* somebody else's request: not ours to answer */
    memset(&r, 0, sizeof r);
    r.document = span_of(m, 0);
    if (version_of(m, 0, &v) < 0)
        return malformed(m, slot, &r);
    r.version = v;
    if (k == TL_SHADOW_TOPIC_REJECTED) {
        uint32_t code = 0;
        r.status = TL_SHADOW_ERR_REJECTED;
        if ((i = member(m, 0, "code")) >= 0 && read_u32(m, i, &code) == 0 && code < 1000)
            r.code = (int)code;
        c->message[0] = '\0';
        if ((i = member(m, 0, "message")) >= 0)
            rejected_text(m, i);
        r.message = c->message;
        c->last_error = TL_SHADOW_ERR_REJECTED;
        tl_shadow__finish(c, (size_t)slot, &r);
        return 1;
    }
    r.status = TL_SHADOW_OK;
    if ((i = member(m, 0, "state")) >= 0) {
        if (c->tok[i].type != JSMN_OBJECT)
            return malformed(m, slot, &r);
        r.state = span_of(m, i);
        if (a == TL_SHADOW_GET && (dtok = member(m, i, "delta")) >= 0 &&
            c->tok[dtok].type != JSMN_OBJECT)
            return malformed(m, slot, &r);
    }
    c->version = a == TL_SHADOW_DELETE ? 0 : v;
    tl_shadow__finish(c, (size_t)slot, &r);
    if (dtok >= 0 && c->cb.on_delta) {
        tl_shadow_delta d;
        d.state = span_of(m, dtok);
        d.version = v;
        d.from_get = 1;
        c->cb.on_delta(c->cb.user, &d);
    }
    return 1;
}

static int delta(msg *m)
{
    tl_shadow_client *c = m->c;
    tl_shadow_delta d;
    int s = member(m, 0, "state");
    if (s < 0 || c->tok[s].type != JSMN_OBJECT || version_of(m, 0, &d.version) < 0)
        return refuse(m, TL_SHADOW_ERR_JSON);
    if (d.version)
        c->version = d.version;
    d.state = span_of(m, s);
    d.from_get = 0;
    if (c->cb.on_delta)
        c->cb.on_delta(c->cb.user, &d);
    return 1;
}

static int documents(msg *m)
{
    tl_shadow_client *c = m->c;
    int cur = member(m, 0, "current"), s;
    uint32_t v;
    if (cur < 0 || c->tok[cur].type != JSMN_OBJECT || version_of(m, cur, &v) < 0)
        return refuse(m, TL_SHADOW_ERR_JSON);
    s = member(m, cur, "state");
    if (s >= 0 && c->tok[s].type != JSMN_OBJECT)
        return refuse(m, TL_SHADOW_ERR_JSON);
    if (v)
        c->version = v;
    if (c->cb.on_documents)
        c->cb.on_documents(c->cb.user, span_of(m, s), v);
    return 1;
}

int tl_shadow_handle_publish(tl_shadow_client *c, const char *topic, size_t topic_len,
                             const uint8_t *payload, size_t payload_len)
{
    tl_shadow_action a;
    tl_shadow_topic_kind k;
    msg m;
    int n;
    if (!c || !tl_shadow__match_topic(c, topic, topic_len, &a, &k))
        return 0;
    m.c = c;
    m.js = (const char *)payload;
    tl_shadow__suffix(m.what, a, k);
    if (payload_len > TL_SHADOW_PAYLOAD_MAX)
        return refuse(&m, TL_SHADOW_ERR_TOO_BIG);
    if (!payload || tl_json_check(m.js, payload_len, MAX_DEPTH, NULL) != TL_JSON_OK)
        return refuse(&m, TL_SHADOW_ERR_JSON);
    n = tl_json_tokenize(m.js, payload_len, c->tok, TL_SHADOW_MAX_TOKENS, NULL);
    if (n == JSMN_ERROR_NOMEM)
        return refuse(&m, TL_SHADOW_ERR_TOO_BIG);
    if (n < 1 || c->tok[0].type != JSMN_OBJECT)
        return refuse(&m, TL_SHADOW_ERR_JSON);
    m.n = n;
    if (k == TL_SHADOW_TOPIC_DELTA)
        return delta(&m);
    if (k == TL_SHADOW_TOPIC_DOCUMENTS)
        return documents(&m);
    return response(&m, a, k);
}
