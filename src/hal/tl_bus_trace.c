/* The tracing bus wrapper and its line format. */
#include "tl_bus_trace.h"

#define SELF(ctx) ((tl_bus_trace *)(void *)(ctx))
#define INNER(t) (*(t)->inner)

static int tr_wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    tl_bus_trace *t = SELF(ctx);
    int rc = INNER(t)->wake(t->inner, resp);
    t->fn(t->arg, 'K', resp, rc == TL_BUS_OK ? 4 : 0, rc);
    return rc;
}

static int tr_write(const tl_bus_class **ctx, const uint8_t *data, size_t len)
{
    tl_bus_trace *t = SELF(ctx);
    int rc = INNER(t)->write(t->inner, data, len);
    t->fn(t->arg, 'W', data, len, rc);
    return rc;
}

static int tr_read(const tl_bus_class **ctx, uint8_t *data, size_t len)
{
    tl_bus_trace *t = SELF(ctx);
    int rc = INNER(t)->read(t->inner, data, len);
    t->fn(t->arg, 'R', data, rc == TL_BUS_OK ? len : 0, rc);
    return rc;
}

static void tr_delay(const tl_bus_class **ctx, uint32_t us)
{
    tl_bus_trace *t = SELF(ctx);
    if (INNER(t)->delay_us)
        INNER(t)->delay_us(t->inner, us);
}

static const tl_bus_class trace_class = { tr_wake, tr_write, tr_read, tr_delay };

void tl_bus_trace_init(tl_bus_trace *t, const tl_bus_class **inner, tl_bus_trace_fn fn,
                       void *arg)
{
    t->vtable = &trace_class;
    t->inner = inner;
    t->fn = fn;
    t->arg = arg;
}

typedef struct {
    char *out;
    size_t cap, len;
} sb;

static void put_c(sb *b, char c)
{
    if (b->len + 1 < b->cap)
        b->out[b->len++] = c;
}

static void put_line(sb *b, char op, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    put_c(b, op);
    for (i = 0; i < len; i++) {
        put_c(b, ' ');
        put_c(b, hex[data[i] >> 4]);
        put_c(b, hex[data[i] & 15]);
    }
    put_c(b, '\n');
}

size_t tl_bus_trace_format(char op, const uint8_t *data, size_t len, int rc, char *out,
                           size_t cap)
{
    sb b;
    b.out = out;
    b.cap = cap;
    b.len = 0;
    if (op == 'K') {
        put_line(&b, 'K', data, 0);
        if (rc == TL_BUS_OK)
            put_line(&b, 'R', data, len);
    } else if (op == 'W' || rc == TL_BUS_OK) {
        put_line(&b, op, data, len);
    }
    if (rc == TL_BUS_NACK) {
        put_c(&b, 'N'); put_c(&b, 'A'); put_c(&b, 'C'); put_c(&b, 'K'); put_c(&b, '\n');
    } else if (rc != TL_BUS_OK) {
        put_c(&b, 'I'); put_c(&b, 'O'); put_c(&b, '\n');
    }
    if (cap)
        out[b.len] = '\0';
    return b.len;
}
