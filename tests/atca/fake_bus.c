#include "fake_bus.h"

#define SELF(ctx) ((fake_bus *)(void *)(ctx))

static int f_wake(const tl_bus_class **ctx, uint8_t resp[4])
{
    fake_bus *f = SELF(ctx);
    f->wakes++;
    if (f->wake_fail > 0) {
        f->wake_fail--;
        return TL_BUS_NACK;
    }
    memcpy(resp, f->wake_rsp, 4);
    return TL_BUS_OK;
}

static int f_write(const tl_bus_class **ctx, const uint8_t *d, size_t n)
{
    fake_bus *f = SELF(ctx);
    switch (d[0]) {
    case TL_ATCA_WA_COMMAND:
        if (f->nack_cmd_writes > 0) {
            f->nack_cmd_writes--;
            return TL_BUS_NACK;
        }
        f->cmd_writes++;
        memcpy(f->last_cmd, d, n);
        f->last_cmd_len = n;
        if (f->cmd_writes > 1 && f->cur + 1 < f->nrsp)
            f->cur++;
        f->busy_left = f->busy_reads;
        f->rpos = 0;
        return TL_BUS_OK;
    case TL_ATCA_WA_RESET:
        f->resets++;
        f->rpos = 0;
        return TL_BUS_OK;
    case TL_ATCA_WA_IDLE:
        f->idles++;
        return TL_BUS_OK;
    case TL_ATCA_WA_SLEEP:
        f->sleeps++;
        return TL_BUS_OK;
    default:
        return TL_BUS_NACK;
    }
}

static int f_read(const tl_bus_class **ctx, uint8_t *d, size_t n)
{
    fake_bus *f = SELF(ctx);
    const uint8_t *r = f->rsp[f->cur];
    size_t len = f->rsp_len[f->cur], i;
    f->reads++;
    if (f->busy_forever)
        return TL_BUS_NACK;
    if (f->busy_left > 0) {
        f->busy_left--;
        return TL_BUS_NACK;
    }
    for (i = 0; i < n; i++)
        d[i] = f->rpos + i < len ? r[f->rpos + i] : 0xFF;
    f->rpos += n;
    if (f->rpos >= len && f->corrupt_reads > 0) {
        f->corrupt_reads--;
        d[n - 1] ^= 0x5A;
    }
    return TL_BUS_OK;
}

static void f_delay(const tl_bus_class **ctx, uint32_t us)
{
    SELF(ctx)->delay_us += us;
}

static const tl_bus_class fake_class = { f_wake, f_write, f_read, f_delay };

void fake_init(fake_bus *f)
{
    memset(f, 0, sizeof *f);
    f->vtable = &fake_class;
    f->wake_rsp[0] = 0x04;
    f->wake_rsp[1] = 0x11;
    f->wake_rsp[2] = 0x33;
    f->wake_rsp[3] = 0x43;
}

void fake_push(fake_bus *f, const uint8_t *data, size_t len, uint8_t status)
{
    uint8_t *r = f->rsp[f->nrsp];
    size_t n = data ? len : 1;
    r[0] = (uint8_t)(n + 3);
    if (data)
        memcpy(r + 1, data, len);
    else
        r[1] = status;
    tl_atca_crc(r, n + 1, r + n + 1);
    f->rsp_len[f->nrsp] = n + 3;
    f->nrsp++;
}
