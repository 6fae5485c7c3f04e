/* Fuzz the device Shadow client's receive path: input is "topic\npayload".
 * Three requests (get, update, delete) wait for answers so that token
 * matching runs; every span a callback gets must lie inside the payload and
 * the JSON member readers run on it. Never a crash; a non-shadow topic must
 * not reach any callback. A leading 'D' (after 'N') feeds the message as
 * the MQTT client's on_dropped gives it (no payload, its size): refused
 * through on_error, and a GET answer so refused ends the GET. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shadow/tl_shadow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *payload;
    size_t len;
    int calls;
} fz;

static int f_publish(void *ctx, const char *t, size_t tl, const uint8_t *p, size_t l, uint8_t q)
{
    (void)ctx, (void)t, (void)tl, (void)p, (void)l, (void)q;
    return 0;
}

static int f_subscribe(void *ctx, const tl_mqtt_filter *f, size_t n, uint16_t *id)
{
    (void)ctx, (void)f, (void)n;
    *id = 1;
    return 0;
}

static uint32_t f_now(void *ctx)
{
    (void)ctx;
    return 0;
}

static void check_span(fz *z, tl_shadow_span s)
{
    char out[64];
    long n;
    int b;
    tl_shadow_span v;
    if (!s.ptr)
        return;
    if (s.ptr < (const char *)z->payload || s.ptr + s.len > (const char *)z->payload + z->len)
        abort();
    (void)tl_shadow_json_str(s, "led", out, sizeof out);
    (void)tl_shadow_json_long(s, "interval", &n);
    (void)tl_shadow_json_bool(s, "on", &b);
    if (tl_shadow_json_object(s, "desired", &v) == TL_SHADOW_OK)
        (void)tl_shadow_json_str(v, "led", out, sizeof out);
}

static void on_response(void *user, const tl_shadow_response *r)
{
    fz *z = user;
    z->calls++;
    if (!r->client_token || !r->message || strlen(r->message) > TL_SHADOW_MESSAGE_MAX)
        abort();
    check_span(z, r->state);
}

static void on_delta(void *user, const tl_shadow_delta *d)
{
    fz *z = user;
    z->calls++;
    check_span(z, d->state);
}

static void on_documents(void *user, tl_shadow_span cur, uint32_t version)
{
    fz *z = user;
    (void)version;
    z->calls++;
    check_span(z, cur);
}

static void on_error(void *user, tl_shadow_status st, const char *what)
{
    fz *z = user;
    z->calls++;
    if (st == TL_SHADOW_OK || !what)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tl_shadow_client c;     /* large: keep it off the fuzzer's stack */
    static char tx[TL_SHADOW_TX_MIN];
    const uint8_t *nl = memchr(data, '\n', size);
    tl_shadow_config cfg = { "dev", NULL, "fz", 1, 1000, 0 };
    tl_shadow_io io = { f_publish, f_subscribe, f_now, NULL };
    tl_shadow_callbacks cb = { on_response, on_delta, on_documents, on_error, NULL };
    fz z;
    size_t tlen;
    int r, dropped;
    if (!nl)
        return 0;
    tlen = (size_t)(nl - data);
    /* A first byte 'N' selects the named shadow "cfg". */
    if (tlen && data[0] == 'N') {
        cfg.shadow = "cfg";
        data++, size--, tlen--;
    }
    dropped = tlen && data[0] == 'D';
    if (dropped)
        data++, size--, tlen--;
    memset(&z, 0, sizeof z);
    z.payload = data + tlen + 1;
    z.len = size - tlen - 1;
    cb.user = &z;
    if (tl_shadow_init(&c, &cfg, &io, &cb, tx, sizeof tx) != TL_SHADOW_OK ||
        tl_shadow_get(&c, NULL) != TL_SHADOW_OK ||
        tl_shadow_update(&c, "{\"reported\":{}}", 15, 3, NULL) != TL_SHADOW_OK ||
        tl_shadow_delete(&c, NULL) != TL_SHADOW_OK)
        abort();
    r = tl_shadow_handle_publish(&c, (const char *)data, tlen, dropped ? NULL : z.payload,
                                 z.len);
    if (r != 0 && r != 1)
        abort();
    if (dropped && r == 1 && z.len) {
        /* on_error, and on get/accepted or get/rejected the GET's end. */
        int get = tlen >= 13 && (memcmp(data + tlen - 13, "/get/accepted", 13) == 0 ||
                                 memcmp(data + tlen - 13, "/get/rejected", 13) == 0);
        if (tl_shadow_last_error(&c) != TL_SHADOW_ERR_TOO_BIG || z.calls != 1 + get ||
            tl_shadow_pending(&c) != 3 - (size_t)get)
            abort();
    }
    if (r == 0 && z.calls)
        abort();
    if (r == 1 && tl_shadow_pending(&c) + (size_t)z.calls < 3)
        abort();   /* every request finished went through a callback */
    return 0;
}
