/* In-process bus over a tl_emu, with a virtual clock. */
#include "tl_bus_emu_local.h"

#define SELF(ctx) ((tl_bus_emu_local *)(void *)(ctx))

static int map(int rc)
{
    return rc == TL_EMU_ACK ? TL_BUS_OK : TL_BUS_NACK;
}

static int el_wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    tl_bus_emu_local *b = SELF(ctx);
    /* The wake pulse and tWHI take time on a real bus, so on this clock too. */
    b->now_us += 1560;
    return map(tl_emu_wake(b->emu, resp));
}

static int el_write(const tl_bus_class **ctx, const uint8_t *data, size_t len)
{
    return map(tl_emu_write(SELF(ctx)->emu, data, len));
}

static int el_read(const tl_bus_class **ctx, uint8_t *data, size_t len)
{
    return map(tl_emu_read(SELF(ctx)->emu, data, len));
}

static void el_delay(const tl_bus_class **ctx, uint32_t us)
{
    SELF(ctx)->now_us += us;
}

static const tl_bus_class emu_local_class = { el_wake, el_write, el_read, el_delay };

void tl_bus_emu_local_init(tl_bus_emu_local *b, tl_emu *e)
{
    b->vtable = &emu_local_class;
    b->emu = e;
    b->now_us = 0;
}

uint64_t tl_bus_emu_local_clock(void *arg)
{
    return ((tl_bus_emu_local *)arg)->now_us;
}
