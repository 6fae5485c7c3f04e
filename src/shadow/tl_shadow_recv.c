/* Incoming shadow messages: check, tokenize, match, dispatch. */
#include <string.h>

#include "../json/tl_json.h"
#include "tl_shadow_internal.h"

/* Objects nest: documents > current > state > desired > AWS's six levels;
 * metadata mirrors them. Deeper than this is not a shadow document. */
#define MAX_DEPTH 12

/* The members a shadow message may have that the client reads. */
enum { K_TOKEN, K_VERSION, K_CODE, K_MESSAGE, K_STATE, K_DELTA, K_CURRENT, K_COUNT };
static const char *const key_names[K_COUNT] = {
    "clientToken", "version", "code", "message", "state", "delta", "current"
};

typedef struct {
    tl_shadow_client *c;
    const char *js;
    int n;                       /* tokens */
    int top[K_COUNT];            /* the top-level object's members */
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

/*
 * One pass over the members of object token obj: at[k] is the value token
 * of member key_names[k] (the first one if repeated), or -1. Returns -1 if
 * obj is not an object token (at[] all -1 then), else 0.
 */
static int members(const msg *m, int obj, int at[K_COUNT])
{
    const jsmntok_t *t = m->c->tok;
    int i, k, n;
    for (k = 0; k < K_COUNT; k++)
        at[k] = -1;
    if (obj < 0 || t[obj].type != JSMN_OBJECT)
        return -1;
    for (i = obj + 1, n = 0; n < t[obj].size && i + 1 < m->n; n++) {
        size_t len = (size_t)(t[i].end - t[i].start);
        for (k = 0; k < K_COUNT; k++)
            if (at[k] < 0 && t[i].type == JSMN_STRING && len == strlen(key_names[k]) &&
                memcmp(m->js + t[i].start, key_names[k], len) == 0)
                at[k] = i + 1;
        i = skip(m, i + 1);
    }
    return 0;
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

/* Is token i (-1: absent) there and not an object? */
static int not_object(const msg *m, int i)
{
    return i >= 0 && m->c->tok[i].type != JSMN_OBJECT;
}

/* An unsigned integer primitive (version, code) at token i: 0 if absent
 * (i < 0), -1 if not such a number. */
static int read_u32(const msg *m, int i, uint32_t *out)
{
    const jsmntok_t *t = &m->c->tok[i < 0 ? 0 : i];
    uint32_t v = 0;
    int p;
    *out = 0;
    if (i < 0)
        return 0;
    if (t->type != JSMN_PRIMITIVE || t->end == t->start)
        return -1;
    for (p = t->start; p < t->end; p++) {
        unsigned d = (unsigned)(m->js[p] - '0');
        /* Beyond 4294967295 without dividing at run time. */
        if (d > 9 || v > 429496729u || (v == 429496729u && d > 5))
            return -1;
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

static int refuse(msg *m, tl_shadow_status st)
{
    tl_shadow__fail(m->c, st, m->what);
    return 1;
}

/* A message too big to read. A GET's answer is not left to time out (and
 * the GET sent again by a caller in a loop): its token unread, it ends every
 * GET waiting, as their answers would be the same document. */
static int too_big(msg *m, tl_shadow_action a)
{
    if (a == TL_SHADOW_GET)
        tl_shadow__end(m->c, TL_SHADOW_ERR_TOO_BIG, a);
    return refuse(m, TL_SHADOW_ERR_TOO_BIG);
}

/* The pending request this response answers (same token, same action). */
static int find_pending(msg *m, tl_shadow_action a)
{
    tl_shadow_client *c = m->c;
    int i = m->top[K_TOKEN], s;
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

static int response(msg *m, tl_shadow_action a, tl_shadow_topic_kind k)
{
    tl_shadow_client *c = m->c;
    tl_shadow_response r;
    uint32_t v, code;
    int slot = find_pending(m, a), sub[K_COUNT], st = m->top[K_STATE], dtok = -1;
    int bad;
    if (slot < 0)
        return 1;   /* somebody else's request: not ours to answer */
    memset(&r, 0, sizeof r);
    r.document = span_of(m, 0);
    bad = read_u32(m, m->top[K_VERSION], &v) < 0;
    r.version = v;
    if (!bad && k == TL_SHADOW_TOPIC_REJECTED) {
        r.status = TL_SHADOW_ERR_REJECTED;
        if (read_u32(m, m->top[K_CODE], &code) == 0 && code < 1000)
            r.code = (int)code;
        c->message[0] = '\0';
        if (m->top[K_MESSAGE] >= 0)
            rejected_text(m, m->top[K_MESSAGE]);
        r.message = c->message;
        c->last_error = TL_SHADOW_ERR_REJECTED;
    } else if (!bad) {
        bad = not_object(m, st);
        r.state = span_of(m, st);
        if (!bad && a == TL_SHADOW_GET && members(m, st, sub) == 0) {
            dtok = sub[K_DELTA];
            bad = not_object(m, dtok);
        }
        if (!bad)
            c->version = a == TL_SHADOW_DELETE ? 0 : v;
    }
    if (bad) {
        /* Our request's answer is broken: say so, and end the request
         * with it rather than leave it to time out. */
        refuse(m, TL_SHADOW_ERR_JSON);
        r.status = TL_SHADOW_ERR_JSON;
        r.state.ptr = NULL;
        r.state.len = 0;
        dtok = -1;
    }
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
    int s = m->top[K_STATE];
    if (s < 0 || not_object(m, s) || read_u32(m, m->top[K_VERSION], &d.version) < 0)
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
    int cur[K_COUNT];
    uint32_t v;
    if (members(m, m->top[K_CURRENT], cur) < 0 || read_u32(m, cur[K_VERSION], &v) < 0 ||
        not_object(m, cur[K_STATE]))
        return refuse(m, TL_SHADOW_ERR_JSON);
    if (v)
        c->version = v;
    if (c->cb.on_documents)
        c->cb.on_documents(c->cb.user, span_of(m, cur[K_STATE]), v);
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
    /* Too big here, or for the MQTT client (on_dropped: no payload). */
    if (payload_len > TL_SHADOW_PAYLOAD_MAX || (!payload && payload_len))
        return too_big(&m, a);
    if (!payload || tl_json_check(m.js, payload_len, MAX_DEPTH, NULL) != TL_JSON_OK)
        return refuse(&m, TL_SHADOW_ERR_JSON);
    n = tl_json_tokenize(m.js, payload_len, c->tok, TL_SHADOW_MAX_TOKENS, NULL);
    if (n == JSMN_ERROR_NOMEM)
        return too_big(&m, a);
    if (n < 1 || c->tok[0].type != JSMN_OBJECT)
        return refuse(&m, TL_SHADOW_ERR_JSON);
    m.n = n;
    members(&m, 0, m.top);
    if (k == TL_SHADOW_TOPIC_DELTA)
        return delta(&m);
    if (k == TL_SHADOW_TOPIC_DOCUMENTS)
        return documents(&m);
    return response(&m, a, k);
}
