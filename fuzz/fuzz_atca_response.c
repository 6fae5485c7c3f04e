/*
 * libFuzzer target: the driver's response handling. The input is used two
 * ways: as one response packet for tl_atca_parse_response() (every buffer
 * capacity), and as the stream of bytes a hostile chip returns on the bus
 * (wake response, count bytes, responses, NACK decisions) to
 * tl_atca_execute_var(), which must end with a status, never a crash or an
 * overflow, within its retry bound.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "atca/tl_atca_cmd.h"

typedef struct {
    const tl_bus_class *vtable;
    const uint8_t *data;
    size_t len, pos;
    unsigned ops;
} fuzz_bus;

static uint8_t next(fuzz_bus *b)
{
    return b->pos < b->len ? b->data[b->pos++] : 0xFF;
}

static int fb_wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    fuzz_bus *b = (fuzz_bus *)(void *)ctx;
    int i;
    if (next(b) & 1) {
        resp[0] = 0x04; resp[1] = 0x11; resp[2] = 0x33; resp[3] = 0x43;
        return TL_BUS_OK;
    }
    for (i = 0; i < 4; i++)
        resp[i] = next(b);
    return TL_BUS_OK;
}

static int fb_write(const tl_bus_class **ctx, const uint8_t *d, size_t n)
{
    fuzz_bus *b = (fuzz_bus *)(void *)ctx;
    (void)d;
    (void)n;
    b->ops++;
    return (next(b) & 7) == 0 ? TL_BUS_NACK : TL_BUS_OK;
}

static int fb_read(const tl_bus_class **ctx, uint8_t *d, size_t n)
{
    fuzz_bus *b = (fuzz_bus *)(void *)ctx;
    size_t i;
    b->ops++;
    if ((next(b) & 7) == 0)
        return TL_BUS_NACK;
    for (i = 0; i < n; i++)
        d[i] = next(b);
    return TL_BUS_OK;
}

static void fb_delay(const tl_bus_class **ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
}

static const tl_bus_class fuzz_class = { fb_wake, fb_write, fb_read, fb_delay };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[80];
    size_t got, cap;
    uint8_t st;
    fuzz_bus b;
    tl_atca_device dev;

    for (cap = 0; cap <= 72; cap += 8) {
        tl_atca_status r = tl_atca_parse_response(data, size, cap ? out : NULL, cap, &got, &st);
        if (r == TL_ATCA_OK && got > cap)
            __builtin_trap();
    }

    memset(&b, 0, sizeof b);
    b.vtable = &fuzz_class;
    b.data = data;
    b.len = size;
    tl_atca_init(&dev, &b.vtable);
    dev.model = (size && (data[0] & 1)) ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A;
    (void)tl_atca_execute_var(&dev, TL_ATCA_OP_READ, 0x02, 0, NULL, 0, out, 32, &got);
    if (got > 32 || b.ops > 4000)
        __builtin_trap();
    (void)tl_atca_random(&dev, out);
    return 0;
}
