/* The shadow client against a recording fake of the MQTT layer: requests,
 * clientToken matching, rejected responses, delta, documents, versions,
 * limits and hostile documents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "shadow/tl_shadow.h"

typedef struct {
    /* the fake MQTT layer */
    uint32_t now;
    int publish_rc, subscribe_rc;
    int npub;
    char topic[300], payload[16384];
    int nsub;
    char filters[8][300];
    size_t nfilters;
    /* what the application saw */
    int nresp, ndelta, ndocs, nerr;
    tl_shadow_response resp;
    char resp_token[80], resp_msg[200], resp_state[2048];
    char delta_state[2048];
    uint32_t delta_version, docs_version;
    int delta_from_get;
    tl_shadow_status err;
    char err_what[64];
    int chain_get;              /* on_response sends another GET */
    /* the client */
    tl_shadow_client c;
    char tx[TL_SHADOW_STATE_MAX + 256];
} fixture;

static int f_publish(void *ctx, const char *topic, size_t tlen, const uint8_t *p, size_t len,
                     uint8_t qos)
{
    fixture *f = ctx;
    (void)qos;
    if (f->publish_rc)
        return f->publish_rc;
    f->npub++;
    snprintf(f->topic, sizeof f->topic, "%.*s", (int)tlen, topic);
    snprintf(f->payload, sizeof f->payload, "%.*s", (int)len, (const char *)p);
    return 0;
}

static int f_subscribe(void *ctx, const tl_mqtt_filter *fl, size_t n, uint16_t *id)
{
    fixture *f = ctx;
    size_t i;
    if (f->subscribe_rc)
        return f->subscribe_rc;
    f->nsub++;
    f->nfilters = n;
    for (i = 0; i < n && i < 8; i++) {
        snprintf(f->filters[i], sizeof f->filters[i], "%.*s", (int)fl[i].filter.len,
                 fl[i].filter.ptr);
        assert_int_equal(fl[i].qos, 1);
    }
    *id = (uint16_t)(40 + f->nsub);
    return 0;
}

static uint32_t f_now(void *ctx)
{
    return ((fixture *)ctx)->now;
}

static void on_response(void *user, const tl_shadow_response *r)
{
    fixture *f = user;
    f->nresp++;
    f->resp = *r;
    snprintf(f->resp_token, sizeof f->resp_token, "%s", r->client_token);
    snprintf(f->resp_msg, sizeof f->resp_msg, "%s", r->message);
    snprintf(f->resp_state, sizeof f->resp_state, "%.*s", (int)r->state.len,
             r->state.ptr ? r->state.ptr : "");
    if (f->chain_get) {
        f->chain_get = 0;
        assert_int_equal(tl_shadow_get(&f->c, NULL), TL_SHADOW_OK);
    }
}

static void on_delta(void *user, const tl_shadow_delta *d)
{
    fixture *f = user;
    f->ndelta++;
    snprintf(f->delta_state, sizeof f->delta_state, "%.*s", (int)d->state.len, d->state.ptr);
    f->delta_version = d->version;
    f->delta_from_get = d->from_get;
}

static void on_documents(void *user, tl_shadow_span cur, uint32_t version)
{
    fixture *f = user;
    (void)cur;
    f->ndocs++;
    f->docs_version = version;
}

static void on_error(void *user, tl_shadow_status st, const char *what)
{
    fixture *f = user;
    f->nerr++;
    f->err = st;
    snprintf(f->err_what, sizeof f->err_what, "%s", what);
}

static fixture fx;

static tl_shadow_status start(const char *shadow)
{
    tl_shadow_config cfg = { "dev", shadow, "dev", 100, 5000, 0 };
    tl_shadow_io io = { f_publish, f_subscribe, f_now, &fx };
    tl_shadow_callbacks cb = { on_response, on_delta, on_documents, on_error, &fx };
    memset(&fx, 0, sizeof fx);
    fx.now = 0xFFFFF000u;   /* the clock wraps during the tests */
    return tl_shadow_init(&fx.c, &cfg, &io, &cb, fx.tx, sizeof fx.tx);
}

static int setup(void **s)
{
    (void)s;
    return start(NULL) == TL_SHADOW_OK ? 0 : -1;
}

/* Feed a message on the classic shadow's topic ".../shadow/<sfx>". */
static int feed(const char *sfx, const char *payload)
{
    char topic[300];
    snprintf(topic, sizeof topic, "$aws/things/dev/shadow/%s", sfx);
    return tl_shadow_handle_publish(&fx.c, topic, strlen(topic), (const uint8_t *)payload,
                                    strlen(payload));
}

static void test_init_arguments(void **s)
{
    tl_shadow_config cfg = { "dev", NULL, NULL, 0, 0, 0 };
    tl_shadow_io io = { f_publish, f_subscribe, f_now, &fx };
    tl_shadow_client c;
    char tx[TL_SHADOW_TX_MIN];
    (void)s;
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx - 1), TL_SHADOW_ERR_ARGUMENT);
    cfg.thing = "bad/thing";
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_ERR_ARGUMENT);
    cfg.thing = "dev";
    cfg.shadow = "bad name";
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_ERR_ARGUMENT);
    cfg.shadow = NULL;
    cfg.token_prefix = "quote\"";
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_ERR_ARGUMENT);
    cfg.token_prefix = "0123456789012345678901234567890123456789012345678";   /* 49 */
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_ERR_ARGUMENT);
    cfg.token_prefix = NULL;
    cfg.qos = 2;
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_ERR_ARGUMENT);
    cfg.qos = 1;
    io.now_ms = NULL;
    assert_int_equal(tl_shadow_init(&c, &cfg, &io, NULL, tx, sizeof tx), TL_SHADOW_ERR_ARGUMENT);
}

static void test_connect_subscribes_then_resyncs(void **s)
{
    uint8_t ok[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
    (void)s;
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_OK);
    assert_int_equal(fx.nsub, 1);
    assert_int_equal(fx.nfilters, 8);
    assert_string_equal(fx.filters[0], "$aws/things/dev/shadow/get/accepted");
    assert_string_equal(fx.filters[4], "$aws/things/dev/shadow/update/delta");
    assert_string_equal(fx.filters[6], "$aws/things/dev/shadow/delete/rejected");
    assert_string_equal(fx.filters[7], "$aws/things/dev/shadow/update/documents");
    assert_int_equal(fx.npub, 0);   /* the GET waits for the SUBACK */
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 99, ok, 8), 0);
    assert_int_equal(fx.npub, 0);
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 41, ok, 8), 1);
    assert_int_equal(fx.npub, 1);
    assert_string_equal(fx.topic, "$aws/things/dev/shadow/get");
    assert_string_equal(fx.payload, "{\"clientToken\":\"dev-100\"}");
    assert_int_equal(tl_shadow_pending(&fx.c), 1);
    /* the answer brings the version and the desired state missed meanwhile */
    assert_int_equal(feed("get/accepted",
        "{\"state\":{\"desired\":{\"led\":\"on\"},\"reported\":{\"led\":\"off\"},"
        "\"delta\":{\"led\":\"on\"}},\"metadata\":{},\"version\":7,\"timestamp\":1,"
        "\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_OK);
    assert_int_equal(fx.resp.action, TL_SHADOW_GET);
    assert_true(fx.resp.resync);
    assert_int_equal(fx.resp.version, 7);
    assert_string_equal(fx.resp_token, "dev-100");
    assert_int_equal(tl_shadow_version(&fx.c), 7);
    assert_int_equal(fx.ndelta, 1);
    assert_string_equal(fx.delta_state, "{\"led\":\"on\"}");
    assert_true(fx.delta_from_get);
    assert_int_equal(tl_shadow_pending(&fx.c), 0);
}

/* Without on_documents, update/documents (two whole documents, the largest
 * messages) is not subscribed: seven filters, and seven codes expected. */
static void test_documents_only_with_on_documents(void **s)
{
    tl_shadow_config cfg = { "dev", NULL, "dev", 100, 5000, 0 };
    tl_shadow_io io = { f_publish, f_subscribe, f_now, &fx };
    tl_shadow_callbacks cb = { on_response, on_delta, NULL, on_error, &fx };
    uint8_t ok[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
    size_t i;
    (void)s;
    assert_int_equal(tl_shadow_init(&fx.c, &cfg, &io, &cb, fx.tx, sizeof fx.tx), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_OK);
    assert_int_equal(fx.nfilters, 7);
    for (i = 0; i < 7; i++)
        assert_null(strstr(fx.filters[i], "documents"));
    assert_string_equal(fx.filters[4], "$aws/things/dev/shadow/update/delta");
    /* eight codes do not answer a SUBSCRIBE of seven */
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 41, ok, 8), 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_SUBSCRIBE);
    assert_int_equal(fx.npub, 0);
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 42, ok, 7), 1);
    assert_int_equal(fx.npub, 1);   /* the resync GET */
    assert_int_equal(tl_shadow_last_error(&fx.c), TL_SHADOW_OK);
}

/* A message the MQTT client dropped as larger than its receive buffer
 * (on_dropped: payload NULL, the size it had). */
static int feed_dropped(const char *sfx, size_t len)
{
    char topic[300];
    snprintf(topic, sizeof topic, "$aws/things/dev/shadow/%s", sfx);
    return tl_shadow_handle_publish(&fx.c, topic, strlen(topic), NULL, len);
}

/* The resync GET's answer is too big: the GET ends at once with ERR_TOO_BIG
 * and on_error names it; nothing is sent again, not even at the timeout. */
static void test_dropped_get_answer(void **s)
{
    uint8_t ok[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
    (void)s;
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 41, ok, 8), 1);
    assert_int_equal(fx.npub, 1);
    assert_int_equal(feed_dropped("get/accepted", 5000), 1);
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_TOO_BIG);
    assert_int_equal(fx.resp.action, TL_SHADOW_GET);
    assert_true(fx.resp.resync);
    assert_string_equal(fx.resp_token, "dev-100");
    assert_string_equal(fx.resp_msg, "");
    assert_int_equal(fx.resp.document.len, 0);
    assert_int_equal(fx.nerr, 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_TOO_BIG);
    assert_string_equal(fx.err_what, "get/accepted");
    assert_int_equal(tl_shadow_last_error(&fx.c), TL_SHADOW_ERR_TOO_BIG);
    assert_int_equal(tl_shadow_pending(&fx.c), 0);
    fx.now += 60000;
    tl_shadow_poll(&fx.c);
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(fx.npub, 1);   /* no GET again by itself */
    /* Another one (somebody else's GET, or ours again): nothing waits now. */
    assert_int_equal(feed_dropped("get/accepted", 5000), 1);
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(fx.nerr, 2);
    assert_int_equal(fx.npub, 1);
}

/* Every waiting GET ends, but not one a callback sends meanwhile; other
 * requests wait on; a dropped delta or update answer is an on_error. */
static void test_dropped_messages(void **s)
{
    static char many[TL_SHADOW_MAX_TOKENS * 8 + 64];
    size_t o, i;
    (void)s;
    assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_report(&fx.c, "{\"a\":1}", 7, NULL), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_OK);
    fx.chain_get = 1;
    assert_int_equal(feed_dropped("get/rejected", 3000), 1);
    assert_int_equal(fx.nresp, 2);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_TOO_BIG);
    assert_string_equal(fx.err_what, "get/rejected");
    assert_int_equal(tl_shadow_pending(&fx.c), 2);   /* the update, the new GET */
    assert_int_equal(fx.npub, 4);
    assert_int_equal(feed_dropped("update/accepted", 3000), 1);
    assert_int_equal(fx.nresp, 2);
    assert_string_equal(fx.err_what, "update/accepted");
    assert_int_equal(tl_shadow_pending(&fx.c), 2);
    assert_int_equal(feed_dropped("update/delta", 3000), 1);
    assert_int_equal(fx.ndelta, 0);
    assert_int_equal(fx.err, TL_SHADOW_ERR_TOO_BIG);
    assert_string_equal(fx.err_what, "update/delta");
    assert_int_equal(fx.nerr, 3);
    /* A GET answer with more tokens than the context holds ends the GET
     * the same way. */
    o = (size_t)sprintf(many, "{\"state\":{");
    for (i = 0; i < TL_SHADOW_MAX_TOKENS / 2; i++)
        o += (size_t)sprintf(many + o, "%s\"k%zu\":1", i ? "," : "", i);
    sprintf(many + o, "},\"clientToken\":\"dev-103\"}");
    assert_int_equal(feed("get/accepted", many), 1);
    assert_int_equal(fx.nresp, 3);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_TOO_BIG);
    assert_string_equal(fx.resp_token, "dev-103");
    assert_int_equal(tl_shadow_pending(&fx.c), 1);   /* the update */
    assert_int_equal(fx.nerr, 4);
}

static void test_subscription_refused(void **s)
{
    uint8_t codes[8] = { 1, 1, 1, 0x80, 1, 1, 1, 1 };
    (void)s;
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 41, codes, 8), 1);
    assert_int_equal(fx.nerr, 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_SUBSCRIBE);
    assert_int_equal(fx.npub, 0);
    assert_int_equal(tl_shadow_last_error(&fx.c), TL_SHADOW_ERR_SUBSCRIBE);
    /* the SUBACK is consumed: a repeat is not ours */
    assert_int_equal(tl_shadow_handle_suback(&fx.c, 41, codes, 8), 0);
    fx.subscribe_rc = 5;
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_ERR_MQTT);
    assert_int_equal(tl_shadow_mqtt_error(&fx.c), 5);
}

static void test_rejected_get(void **s)
{
    char tok[TL_SHADOW_TOKEN_MAX + 1];
    (void)s;
    assert_int_equal(tl_shadow_get(&fx.c, tok), TL_SHADOW_OK);
    assert_string_equal(tok, "dev-100");
    assert_int_equal(feed("get/rejected",
        "{\"code\":404,\"message\":\"No shadow exists with name: 'dev'\",\"timestamp\":5,"
        "\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_REJECTED);
    assert_int_equal(fx.resp.code, 404);
    assert_string_equal(fx.resp_msg, "No shadow exists with name: 'dev'");
    assert_int_equal(tl_shadow_last_error(&fx.c), TL_SHADOW_ERR_REJECTED);
}

static void test_update_and_version_conflict(void **s)
{
    const char *state = "{\"reported\":{\"led\":\"on\",\"n\":3}}";
    (void)s;
    assert_int_equal(tl_shadow_update(&fx.c, state, strlen(state), 7, NULL), TL_SHADOW_OK);
    assert_string_equal(fx.topic, "$aws/things/dev/shadow/update");
    assert_string_equal(fx.payload, "{\"state\":{\"reported\":{\"led\":\"on\",\"n\":3}},"
                                    "\"clientToken\":\"dev-100\",\"version\":7}");
    assert_int_equal(feed("update/rejected",
        "{\"code\":409,\"message\":\"Version conflict\",\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_REJECTED);
    assert_int_equal(fx.resp.action, TL_SHADOW_UPDATE);
    assert_int_equal(fx.resp.code, 409);
    assert_string_equal(fx.resp_msg, "Version conflict");
    /* report wraps the object, and without a version */
    assert_int_equal(tl_shadow_report(&fx.c, "{\"led\":\"on\"}", 12, NULL), TL_SHADOW_OK);
    assert_string_equal(fx.payload, "{\"state\":{\"reported\":{\"led\":\"on\"}},"
                                    "\"clientToken\":\"dev-101\"}");
    assert_int_equal(feed("update/accepted",
        "{\"state\":{\"reported\":{\"led\":\"on\"}},\"metadata\":{},\"version\":8,"
        "\"clientToken\":\"dev-101\"}"), 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_OK);
    assert_int_equal(fx.resp.version, 8);
    assert_string_equal(fx.resp_state, "{\"reported\":{\"led\":\"on\"}}");
    assert_int_equal(tl_shadow_version(&fx.c), 8);
}

static void test_foreign_tokens_ignored(void **s)
{
    (void)s;
    assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_OK);
    /* another client's token, no token, a token over 64 bytes, the right
     * token on another action's topic: none of them answers our GET */
    assert_int_equal(feed("get/accepted", "{\"state\":{},\"version\":3,\"clientToken\":\"x-100\"}"), 1);
    assert_int_equal(feed("get/accepted", "{\"state\":{},\"version\":3}"), 1);
    assert_int_equal(feed("get/rejected", "{\"code\":404,\"clientToken\":"
        "\"dev-100dev-100dev-100dev-100dev-100dev-100dev-100dev-100dev-100dev-100\"}"), 1);
    assert_int_equal(feed("update/accepted", "{\"state\":{},\"version\":3,\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(feed("get/accepted", "{\"state\":{},\"version\":3,\"clientToken\":7}"), 1);
    assert_int_equal(fx.nresp, 0);
    assert_int_equal(fx.nerr, 0);
    assert_int_equal(tl_shadow_version(&fx.c), 0);
    assert_int_equal(tl_shadow_pending(&fx.c), 1);
    /* an escaped but equal token is ours */
    assert_int_equal(feed("get/accepted", "{\"state\":{},\"version\":4,\"clientToken\":\"dev\\u002d100\"}"), 1);
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(tl_shadow_version(&fx.c), 4);
}

static void test_delta_and_documents(void **s)
{
    tl_shadow_span st;
    long n;
    (void)s;
    assert_int_equal(feed("update/delta",
        "{\"version\":12,\"timestamp\":1,\"state\":{\"interval\":30,\"led\":true},"
        "\"metadata\":{\"interval\":{\"timestamp\":1}}}"), 1);
    assert_int_equal(fx.ndelta, 1);
    assert_false(fx.delta_from_get);
    assert_int_equal(fx.delta_version, 12);
    assert_int_equal(tl_shadow_version(&fx.c), 12);
    st.ptr = fx.delta_state;
    st.len = strlen(fx.delta_state);
    assert_int_equal(tl_shadow_json_long(st, "interval", &n), TL_SHADOW_OK);
    assert_int_equal(n, 30);
    assert_int_equal(feed("update/documents",
        "{\"previous\":{\"state\":{},\"version\":12},\"current\":{\"state\":{\"desired\":"
        "{\"a\":1}},\"metadata\":{},\"version\":13},\"timestamp\":2}"), 1);
    assert_int_equal(fx.ndocs, 1);
    assert_int_equal(fx.docs_version, 13);
    assert_int_equal(tl_shadow_version(&fx.c), 13);
    /* the first update of a new shadow has "previous": null */
    assert_int_equal(feed("update/documents",
        "{\"previous\":null,\"current\":{\"state\":{},\"version\":1},\"timestamp\":2}"), 1);
    assert_int_equal(tl_shadow_version(&fx.c), 1);
    /* a delta without state, documents without current, a bad version */
    assert_int_equal(feed("update/delta", "{\"version\":14}"), 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_JSON);
    assert_string_equal(fx.err_what, "update/delta");
    assert_int_equal(feed("update/documents", "{\"previous\":null}"), 1);
    assert_int_equal(feed("update/delta", "{\"version\":-1,\"state\":{}}"), 1);
    assert_int_equal(feed("update/delta", "{\"version\":1.5,\"state\":{}}"), 1);
    assert_int_equal(feed("update/delta", "{\"version\":99999999999,\"state\":{}}"), 1);
    assert_int_equal(fx.nerr, 5);
    assert_int_equal(fx.ndelta, 1);
    assert_int_equal(tl_shadow_version(&fx.c), 1);
}

static void test_delete_resets_version(void **s)
{
    (void)s;
    assert_int_equal(feed("update/delta", "{\"version\":5,\"state\":{\"x\":1}}"), 1);
    assert_int_equal(tl_shadow_delete(&fx.c, NULL), TL_SHADOW_OK);
    assert_string_equal(fx.topic, "$aws/things/dev/shadow/delete");
    assert_int_equal(feed("delete/accepted", "{\"version\":5,\"timestamp\":3,\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_OK);
    assert_int_equal(fx.resp.action, TL_SHADOW_DELETE);
    assert_int_equal(tl_shadow_version(&fx.c), 0);
}

static void test_hostile_messages(void **s)
{
    static char big[TL_SHADOW_PAYLOAD_MAX + 2];
    static char many[TL_SHADOW_MAX_TOKENS * 8];
    size_t o, i;
    (void)s;
    assert_int_equal(feed("update/delta", "{\"state\":{\"a\":1,}}"), 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_JSON);
    assert_int_equal(feed("update/delta", "[1]"), 1);
    assert_int_equal(feed("update/delta", ""), 1);
    assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_OK);
    assert_int_equal(feed("get/accepted", "{\"state\":\"x\",\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(fx.nerr, 4);
    /* our request ends with the error instead of timing out */
    assert_int_equal(fx.nresp, 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_JSON);
    assert_int_equal(tl_shadow_pending(&fx.c), 0);
    assert_int_equal(tl_shadow_handle_publish(&fx.c, "$aws/things/dev/shadow/update/delta", 35,
                                              NULL, 0), 1);
    assert_int_equal(fx.nerr, 5);
    /* larger than the payload limit */
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    assert_int_equal(feed("update/delta", big), 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_TOO_BIG);
    /* more tokens than the context holds */
    o = (size_t)sprintf(many, "{\"state\":{");
    for (i = 0; i < TL_SHADOW_MAX_TOKENS / 2; i++)
        o += (size_t)sprintf(many + o, "%s\"k%zu\":1", i ? "," : "", i);
    sprintf(many + o, "}}");
    fx.err = TL_SHADOW_OK;
    assert_int_equal(feed("update/delta", many), 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_TOO_BIG);
    /* too deep */
    assert_int_equal(feed("update/delta", "{\"state\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":"
                                          "{\"g\":{\"h\":{\"i\":{\"j\":{\"k\":{\"l\":1}}}}}}}}}}}}}"), 1);
    assert_int_equal(fx.err, TL_SHADOW_ERR_JSON);
    assert_int_equal(fx.ndelta, 0);
    assert_int_equal(tl_shadow_last_error(&fx.c), TL_SHADOW_ERR_JSON);
}

static void test_other_topics(void **s)
{
    (void)s;
    assert_int_equal(tl_shadow_handle_publish(&fx.c, "things/dev/telemetry", 20,
                                              (const uint8_t *)"{}", 2), 0);
    assert_int_equal(feed("update", "{}"), 0);              /* a request, not a response */
    assert_int_equal(feed("get/delta", "{}"), 0);
    assert_int_equal(feed("update/accepted/x", "{}"), 0);
    assert_int_equal(feed("name/cfg/update/delta", "{\"state\":{}}"), 0);
    assert_int_equal(tl_shadow_handle_publish(&fx.c, "$aws/things/dev2/shadow/update/delta", 36,
                                              (const uint8_t *)"{}", 2), 0);
    assert_int_equal(tl_shadow_handle_publish(&fx.c, "$aws/things/de/shadow/update/delta", 34,
                                              (const uint8_t *)"{}", 2), 0);
    assert_int_equal(fx.nerr + fx.ndelta, 0);
}

static void test_named_shadow(void **s)
{
    const char *t = "$aws/things/dev/shadow/name/cfg/update/delta";
    (void)s;
    assert_int_equal(start("cfg"), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_OK);
    assert_string_equal(fx.topic, "$aws/things/dev/shadow/name/cfg/get");
    assert_int_equal(feed("update/delta", "{\"state\":{}}"), 0);   /* the classic one */
    assert_int_equal(tl_shadow_handle_publish(&fx.c, t, strlen(t),
                                              (const uint8_t *)"{\"version\":2,\"state\":{}}", 24), 1);
    assert_int_equal(fx.ndelta, 1);
    assert_int_equal(tl_shadow_version(&fx.c), 2);
    assert_int_equal(tl_shadow_on_connect(&fx.c), TL_SHADOW_OK);
    assert_string_equal(fx.filters[7], "$aws/things/dev/shadow/name/cfg/update/documents");
}

static void test_bad_updates(void **s)
{
    static char big[TL_SHADOW_STATE_MAX + 2];
    (void)s;
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    big[sizeof big - 2] = '}';
    assert_int_equal(tl_shadow_update(&fx.c, big, strlen(big), 0, NULL), TL_SHADOW_ERR_TOO_BIG);
    assert_int_equal(tl_shadow_update(&fx.c, "[]", 2, 0, NULL), TL_SHADOW_ERR_JSON);
    assert_int_equal(tl_shadow_update(&fx.c, "{\"a\":}", 6, 0, NULL), TL_SHADOW_ERR_JSON);
    assert_int_equal(tl_shadow_update(&fx.c, "{} {}", 5, 0, NULL), TL_SHADOW_ERR_JSON);
    assert_int_equal(tl_shadow_report(&fx.c, "\"x\"", 3, NULL), TL_SHADOW_ERR_JSON);
    assert_int_equal(fx.npub, 0);
    assert_int_equal(tl_shadow_pending(&fx.c), 0);
    /* exactly the limit is fine */
    big[sizeof big - 2] = ' ';
    big[sizeof big - 3] = '}';
    assert_int_equal(tl_shadow_update(&fx.c, big, TL_SHADOW_STATE_MAX, 0, NULL), TL_SHADOW_OK);
}

static void test_busy_timeout_and_publish_failure(void **s)
{
    int i;
    (void)s;
    for (i = 0; i < TL_SHADOW_MAX_PENDING; i++)
        assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_OK);
    assert_int_equal(tl_shadow_get(&fx.c, NULL), TL_SHADOW_ERR_BUSY);
    fx.now += 4999;
    tl_shadow_poll(&fx.c);
    assert_int_equal(fx.nresp, 0);
    fx.now += 1;        /* wraps past zero */
    fx.chain_get = 1;   /* a callback may send the next request */
    tl_shadow_poll(&fx.c);
    assert_int_equal(fx.nresp, TL_SHADOW_MAX_PENDING);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_TIMEOUT);
    assert_int_equal(fx.resp.document.len, 0);
    assert_int_equal(tl_shadow_pending(&fx.c), 1);
    assert_int_equal(tl_shadow_last_error(&fx.c), TL_SHADOW_ERR_TIMEOUT);
    /* a refused publish leaves nothing pending */
    fx.publish_rc = 3;
    assert_int_equal(tl_shadow_delete(&fx.c, NULL), TL_SHADOW_ERR_MQTT);
    assert_int_equal(tl_shadow_mqtt_error(&fx.c), 3);
    assert_int_equal(tl_shadow_pending(&fx.c), 1);
}

static void test_rejected_shapes(void **s)
{
    static char longmsg[600];
    (void)s;
    assert_int_equal(tl_shadow_update(&fx.c, "{}", 2, 0, NULL), TL_SHADOW_OK);
    /* no code, no message: still ends the request, not a silent timeout */
    assert_int_equal(feed("update/rejected", "{\"clientToken\":\"dev-100\"}"), 1);
    assert_int_equal(fx.resp.status, TL_SHADOW_ERR_REJECTED);
    assert_int_equal(fx.resp.code, 0);
    assert_string_equal(fx.resp_msg, "");
    assert_int_equal(tl_shadow_update(&fx.c, "{}", 2, 0, NULL), TL_SHADOW_OK);
    memset(longmsg, 0, sizeof longmsg);
    strcpy(longmsg, "{\"code\":400,\"clientToken\":\"dev-101\",\"message\":\"");
    memset(longmsg + strlen(longmsg), 'm', 400);
    strcat(longmsg, "\"}");
    assert_int_equal(feed("update/rejected", longmsg), 1);
    assert_int_equal(fx.resp.code, 400);
    assert_int_equal(strlen(fx.resp_msg), TL_SHADOW_MESSAGE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init_arguments, setup),
        cmocka_unit_test_setup(test_connect_subscribes_then_resyncs, setup),
        cmocka_unit_test_setup(test_subscription_refused, setup),
        cmocka_unit_test_setup(test_documents_only_with_on_documents, setup),
        cmocka_unit_test_setup(test_dropped_get_answer, setup),
        cmocka_unit_test_setup(test_dropped_messages, setup),
        cmocka_unit_test_setup(test_rejected_get, setup),
        cmocka_unit_test_setup(test_update_and_version_conflict, setup),
        cmocka_unit_test_setup(test_foreign_tokens_ignored, setup),
        cmocka_unit_test_setup(test_delta_and_documents, setup),
        cmocka_unit_test_setup(test_delete_resets_version, setup),
        cmocka_unit_test_setup(test_hostile_messages, setup),
        cmocka_unit_test_setup(test_other_topics, setup),
        cmocka_unit_test_setup(test_named_shadow, setup),
        cmocka_unit_test_setup(test_bad_updates, setup),
        cmocka_unit_test_setup(test_busy_timeout_and_publish_failure, setup),
        cmocka_unit_test_setup(test_rejected_shapes, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
