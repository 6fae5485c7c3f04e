/* The shadow client's requests, subscriptions and pending-request table. */
#include <string.h>

#include "../json/tl_json.h"
#include "tl_shadow_internal.h"

#define DEFAULT_TIMEOUT_MS 10000u

void tl_shadow__fail(tl_shadow_client *c, tl_shadow_status st, const char *what)
{
    c->last_error = st;
    if (c->cb.on_error)
        c->cb.on_error(c->cb.user, st, what);
}

tl_shadow_status tl_shadow_init(tl_shadow_client *c, const tl_shadow_config *cfg,
                                const tl_shadow_io *io, const tl_shadow_callbacks *cb,
                                char *tx, size_t tx_cap)
{
    const char *prefix;
    long n;
    if (!c || !cfg || !io || !io->publish || !io->subscribe || !io->now_ms || !tx ||
        tx_cap < TL_SHADOW_TX_MIN || cfg->qos > 1)
        return TL_SHADOW_ERR_ARGUMENT;
    prefix = cfg->token_prefix ? cfg->token_prefix : "tl";
    /* Checks both names; tx holds the topic until c may be written. */
    n = tl_shadow_build_topic(cfg->thing, cfg->shadow, TL_SHADOW_GET, TL_SHADOW_TOPIC_REQUEST,
                              tx, tx_cap);
    if (n < 0 || !tl_shadow__name_ok(prefix, strlen(prefix), TL_SHADOW_PREFIX_MAX, '.'))
        return TL_SHADOW_ERR_ARGUMENT;
    memset(c, 0, sizeof *c);
    c->topic_len = (uint16_t)(n - 3);   /* without "get" */
    memcpy(c->topic, tx, c->topic_len);
    strcpy(c->thing, cfg->thing);   /* both checked for length above */
    strcpy(c->prefix, prefix);
    c->counter = cfg->token_counter;
    c->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->qos = cfg->qos;
    c->io = *io;
    if (cb)
        c->cb = *cb;
    c->tx = tx;
    c->tx_cap = tx_cap;
    return TL_SHADOW_OK;
}

tl_shadow_status tl_shadow_on_connect(tl_shadow_client *c)
{
    tl_mqtt_filter f[8];
    size_t i, o = 0, n;
    int rc;
    if (!c)
        return TL_SHADOW_ERR_ARGUMENT;
    c->subscribed = 0;
    c->sub_waiting = 0;
    /* The filters live in tx until the SUBSCRIBE is encoded: eight topics
     * of at most 234 bytes fit in TL_SHADOW_TX_MIN. */
    for (i = 0; i < TL_SHADOW__SUBS(c); i++) {
        memcpy(c->tx + o, c->topic, c->topic_len);
        n = c->topic_len + tl_shadow__suffix(c->tx + o + c->topic_len,
                                             (tl_shadow_action)tl_shadow__subs[i].action,
                                             (tl_shadow_topic_kind)tl_shadow__subs[i].kind);
        f[i].filter.ptr = c->tx + o;
        f[i].filter.len = n;
        f[i].qos = 1;
        o += n + 1;
    }
    rc = c->io.subscribe(c->io.ctx, f, i, &c->sub_id);
    if (rc != 0) {
        c->mqtt_error = rc;
        tl_shadow__fail(c, TL_SHADOW_ERR_MQTT, "subscribe");
        return TL_SHADOW_ERR_MQTT;
    }
    c->sub_waiting = 1;
    return TL_SHADOW_OK;
}

/* What a request carries besides its clientToken. */
enum { NO_STATE, STATE, STATE_REPORTED };

static tl_shadow_status request(tl_shadow_client *c, tl_shadow_action action, int resync,
                                int shape, const char *body, size_t body_len,
                                uint32_t version, char *token_out);

int tl_shadow_handle_suback(tl_shadow_client *c, uint16_t packet_id, const uint8_t *codes,
                            size_t count)
{
    size_t i;
    if (!c || !c->sub_waiting || packet_id != c->sub_id)
        return 0;
    c->sub_waiting = 0;
    for (i = 0; i < count; i++)
        if (!codes || codes[i] == TL_MQTT_SUBACK_FAILURE)
            break;
    if (count != TL_SHADOW__SUBS(c) || i < count) {
        tl_shadow__fail(c, TL_SHADOW_ERR_SUBSCRIBE, "subscribe");
        return 1;
    }
    c->subscribed = 1;
    c->last_error = TL_SHADOW_OK;
    (void)request(c, TL_SHADOW_GET, 1, NO_STATE, NULL, 0, 0, NULL);
    return 1;
}

/* Decimal digits of v at out (room for 10); returns the count. */
static size_t put_u32(char *out, uint32_t v)
{
    uint32_t t = v;
    size_t n = 1, i;
    while (t >= 10u) {
        t /= 10u;
        n++;
    }
    for (i = n; i-- > 0; v /= 10u)
        out[i] = (char)('0' + v % 10u);
    return n;
}

/* Append s[0..n) to tx at *o; 0 if it does not fit (room kept for a NUL). */
static int append(tl_shadow_client *c, size_t *o, const char *s, size_t n)
{
    if (n >= c->tx_cap - *o)
        return 0;
    memcpy(c->tx + *o, s, n);
    *o += n;
    return 1;
}

/*
 * Build and publish one of
 *   {"clientToken":"T"[,"version":N]}                        NO_STATE
 *   {"state":BODY,"clientToken":"T"[,"version":N]}           STATE
 *   {"state":{"reported":BODY},"clientToken":"T"[,...]}      STATE_REPORTED
 * and register it as pending.
 */
static tl_shadow_status request(tl_shadow_client *c, tl_shadow_action action, int resync,
                                int shape, const char *body, size_t body_len,
                                uint32_t version, char *token_out)
{
    static const char *const heads[] = { "{\"clientToken\":\"", "{\"state\":",
                                         "{\"state\":{\"reported\":" };
    static const char *const mids[] = { "", ",\"clientToken\":\"", "},\"clientToken\":\"" };
    tl_shadow__pending *p = NULL;
    char tail[24];   /* "[,"version":N]} */
    size_t i, o = 0, tlen, n = 1, topic_len;
    int rc;
    for (i = 0; i < TL_SHADOW_MAX_PENDING && !p; i++)
        if (!c->pending[i].token[0])
            p = &c->pending[i];
    if (!p) {
        c->last_error = TL_SHADOW_ERR_BUSY;
        return TL_SHADOW_ERR_BUSY;
    }
    /* The token: "<prefix>-<counter>", at most 48 + 1 + 10 bytes. */
    tlen = strlen(c->prefix);
    memcpy(p->token, c->prefix, tlen);
    p->token[tlen++] = '-';
    tlen += put_u32(p->token + tlen, c->counter++);
    p->token[tlen] = '\0';
    tail[0] = '"';
    if (version) {
        memcpy(tail + 1, ",\"version\":", 11);
        n = 12 + put_u32(tail + 12, version);
    }
    tail[n++] = '}';
    if (!append(c, &o, heads[shape], strlen(heads[shape])) ||
        !append(c, &o, body ? body : "", body_len) ||
        !append(c, &o, mids[shape], strlen(mids[shape])) || !append(c, &o, p->token, tlen) ||
        !append(c, &o, tail, n)) {
        p->token[0] = '\0';
        c->last_error = TL_SHADOW_ERR_TOO_BIG;
        return TL_SHADOW_ERR_TOO_BIG;
    }
    topic_len = c->topic_len + tl_shadow__suffix(c->topic + c->topic_len, action,
                                                 TL_SHADOW_TOPIC_REQUEST);
    p->action = (uint8_t)action;
    p->resync = (uint8_t)resync;
    p->deadline_ms = c->io.now_ms(c->io.ctx) + c->timeout_ms;
    rc = c->io.publish(c->io.ctx, c->topic, topic_len, (const uint8_t *)c->tx, o, c->qos);
    if (rc != 0) {
        p->token[0] = '\0';
        c->mqtt_error = rc;
        c->last_error = TL_SHADOW_ERR_MQTT;
        return TL_SHADOW_ERR_MQTT;
    }
    if (token_out)
        memcpy(token_out, p->token, tlen + 1);
    return TL_SHADOW_OK;
}

tl_shadow_status tl_shadow_get(tl_shadow_client *c, char *token_out)
{
    if (!c)
        return TL_SHADOW_ERR_ARGUMENT;
    return request(c, TL_SHADOW_GET, 0, NO_STATE, NULL, 0, 0, token_out);
}

tl_shadow_status tl_shadow_delete(tl_shadow_client *c, char *token_out)
{
    if (!c)
        return TL_SHADOW_ERR_ARGUMENT;
    return request(c, TL_SHADOW_DELETE, 0, NO_STATE, NULL, 0, 0, token_out);
}

/* A state fragment must be one strict JSON object within the limits. */
static tl_shadow_status check_object(tl_shadow_client *c, const char *js, size_t len,
                                     unsigned depth)
{
    size_t i = 0;
    if (len > TL_SHADOW_STATE_MAX) {
        c->last_error = TL_SHADOW_ERR_TOO_BIG;
        return TL_SHADOW_ERR_TOO_BIG;
    }
    while (i < len && (js[i] == ' ' || js[i] == '\t' || js[i] == '\n' || js[i] == '\r'))
        i++;
    if (i == len || js[i] != '{' || tl_json_check(js, len, depth, NULL) != TL_JSON_OK) {
        c->last_error = TL_SHADOW_ERR_JSON;
        return TL_SHADOW_ERR_JSON;
    }
    return TL_SHADOW_OK;
}

tl_shadow_status tl_shadow_update(tl_shadow_client *c, const char *state, size_t len,
                                  uint32_t version, char *token_out)
{
    tl_shadow_status st;
    if (!c || !state)
        return TL_SHADOW_ERR_ARGUMENT;
    /* state, desired/reported, then AWS's six levels. */
    if ((st = check_object(c, state, len, 8)) != TL_SHADOW_OK)
        return st;
    return request(c, TL_SHADOW_UPDATE, 0, STATE, state, len, version, token_out);
}

tl_shadow_status tl_shadow_report(tl_shadow_client *c, const char *reported, size_t len,
                                  char *token_out)
{
    tl_shadow_status st;
    if (!c || !reported)
        return TL_SHADOW_ERR_ARGUMENT;
    if ((st = check_object(c, reported, len, 7)) != TL_SHADOW_OK)
        return st;
    return request(c, TL_SHADOW_UPDATE, 0, STATE_REPORTED, reported, len, 0, token_out);
}

void tl_shadow__finish(tl_shadow_client *c, size_t i, tl_shadow_response *r)
{
    /* Free the slot first: the callback may send the next request. */
    char token[TL_SHADOW_TOKEN_MAX + 1];
    memcpy(token, c->pending[i].token, sizeof token);
    r->action = (tl_shadow_action)c->pending[i].action;
    r->resync = c->pending[i].resync;
    r->client_token = token;
    if (!r->message)
        r->message = "";
    c->pending[i].token[0] = '\0';
    if (c->cb.on_response)
        c->cb.on_response(c->cb.user, r);
    r->client_token = NULL;   /* token dies here (gcc -Wdangling-pointer) */
}

#if TL_SHADOW_MAX_PENDING > 32
#error "TL_SHADOW_MAX_PENDING: at most 32 (tl_shadow__end's mask)"
#endif

void tl_shadow__end(tl_shadow_client *c, tl_shadow_status st, tl_shadow_action a)
{
    uint32_t now = c->io.now_ms(c->io.ctx), due = 0;
    size_t i;
    /* Chosen before any callback, which may send a request into a slot. */
    for (i = 0; i < TL_SHADOW_MAX_PENDING; i++) {
        const tl_shadow__pending *p = &c->pending[i];
        if (p->token[0] && (st == TL_SHADOW_ERR_TIMEOUT ? (int32_t)(now - p->deadline_ms) >= 0
                                                        : p->action == (uint8_t)a))
            due |= (uint32_t)1 << i;
    }
    for (i = 0; i < TL_SHADOW_MAX_PENDING; i++) {
        if (due >> i & 1u) {
            tl_shadow_response r;
            memset(&r, 0, sizeof r);
            r.status = st;
            c->last_error = st;
            tl_shadow__finish(c, i, &r);
        }
    }
}

void tl_shadow_poll(tl_shadow_client *c)
{
    if (c)
        tl_shadow__end(c, TL_SHADOW_ERR_TIMEOUT, TL_SHADOW_GET);
}

uint32_t tl_shadow_version(const tl_shadow_client *c)
{
    return c ? c->version : 0;
}

size_t tl_shadow_pending(const tl_shadow_client *c)
{
    size_t i, n = 0;
    for (i = 0; c && i < TL_SHADOW_MAX_PENDING; i++)
        n += c->pending[i].token[0] != '\0';
    return n;
}

tl_shadow_status tl_shadow_last_error(const tl_shadow_client *c)
{
    return c ? c->last_error : TL_SHADOW_ERR_ARGUMENT;
}

int tl_shadow_mqtt_error(const tl_shadow_client *c)
{
    return c ? c->mqtt_error : 0;
}
