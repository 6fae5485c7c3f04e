/*
 * The bus side of the chip: sleep/idle/awake, the I/O buffer and its read
 * position, execution time and watchdog (with a clock), injected faults.
 *
 * Read position: reads continue where the previous one stopped and wrap at
 * the end of the output, as the chip's I/O buffer does; a write of word
 * address 0x00 rewinds it.
 */
#include <string.h>

#include "tl_emu_internal.h"

static uint64_t now(const tl_emu *e)
{
    return e->now_us ? e->now_us(e->now_arg) : 0;
}

static void go_to_sleep(tl_emu *e)
{
    tl_emu__clear_volatile(e);
    e->state = TL_EMU__ASLEEP;
}

/* The watchdog runs only while awake (idle stops it) and only with a clock. */
static void watchdog(tl_emu *e)
{
    uint64_t limit;
    if (!e->now_us || e->state != TL_EMU__AWAKE)
        return;
    limit = (e->ee.config[TL_ATCA_CFG_CHIP_MODE] & 0x04) ? TL_EMU__WDT_LONG_US
                                                           : TL_EMU__WDT_SHORT_US;
    if (now(e) - e->wake_us >= limit)
        go_to_sleep(e);
}

static int busy(const tl_emu *e)
{
    return e->now_us && now(e) < e->busy_until_us;
}

/* One draw in [0, 1) from the fault generator. */
static int draw(tl_emu *e, double rate)
{
    double u;
    if (rate <= 0)
        return 0;
    u = (double)(tl_emu__splitmix(&e->fault_rng) >> 11) * (1.0 / 9007199254740992.0);
    return u < rate;
}

static void read_io(tl_emu *e, uint8_t *out, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        if (e->io_len == 0) {
            out[i] = 0xFF;     /* nothing to send: the bus floats high */
            continue;
        }
        if (e->io_pos >= e->io_len)
            e->io_pos = 0;
        out[i] = e->io[e->io_pos++];
    }
}

int tl_emu_wake(tl_emu *e, uint8_t resp[4])
{
    watchdog(e);
    if (e->state == TL_EMU__AWAKE) {
        /* An awake chip ignores the pulse; the host's read gets whatever
         * the I/O buffer holds next. */
        if (busy(e))
            return TL_EMU_NACK;
        read_io(e, resp, 4);
        return TL_EMU_ACK;
    }
    e->state = TL_EMU__AWAKE;
    e->wake_us = now(e);
    e->busy_until_us = 0;
    e->io[0] = TL_ATCA_WAKE_OK_0;
    e->io[1] = TL_ATCA_WAKE_OK_1;
    e->io[2] = TL_ATCA_WAKE_OK_2;
    e->io[3] = TL_ATCA_WAKE_OK_3;
    e->io_len = 4;
    e->io_pos = 0;
    read_io(e, resp, 4);
    return TL_EMU_ACK;
}

static void run_command(tl_emu *e, const uint8_t *pkt, size_t n)
{
    int fault = draw(e, e->crc_rate);
    int as_bad_crc = fault && (tl_emu__splitmix(&e->fault_rng) & 1);

    if (as_bad_crc) {
        tl_emu__set_status(e->io, TL_ATCA_ST_COMM);
        e->io_len = 4;
    } else {
        e->io_len = tl_emu_execute(e, pkt, n, e->io);
        if (fault)
            e->io[e->io_len - 1] ^= 0x5A;   /* corrupt the response CRC */
    }
    e->io_pos = 0;
    /* A packet the chip rejected at framing costs no execution time. */
    if (e->now_us && !(e->io_len == 4 && e->io[1] == TL_ATCA_ST_COMM) && n >= 2)
        e->busy_until_us = now(e) + 1000u * (uint64_t)tl_atca_exec_ms(e->model, pkt[1]);
}

int tl_emu_write(tl_emu *e, const uint8_t *data, size_t len)
{
    watchdog(e);
    if (e->state != TL_EMU__AWAKE || busy(e))
        return TL_EMU_NACK;
    if (len == 0)
        return TL_EMU_ACK;
    if (draw(e, e->nack_rate))
        return TL_EMU_NACK;
    switch (data[0]) {
    case TL_ATCA_WA_RESET:
        e->io_pos = 0;
        return TL_EMU_ACK;
    case TL_ATCA_WA_SLEEP:
        go_to_sleep(e);
        return TL_EMU_ACK;
    case TL_ATCA_WA_IDLE:
        /* Idle keeps TempKey, the RNG state and the SHA context. */
        e->state = TL_EMU__IDLE;
        e->io_len = 0;
        e->io_pos = 0;
        return TL_EMU_ACK;
    case TL_ATCA_WA_COMMAND:
        run_command(e, data + 1, len - 1);
        return TL_EMU_ACK;
    default:
        return TL_EMU_NACK;
    }
}

int tl_emu_read(tl_emu *e, uint8_t *out, size_t len)
{
    watchdog(e);
    if (e->state != TL_EMU__AWAKE || busy(e))
        return TL_EMU_NACK;
    if (draw(e, e->nack_rate))
        return TL_EMU_NACK;
    read_io(e, out, len);
    return TL_EMU_ACK;
}
