/*
 * The I/O loop: wake, send a command, poll for its completion, read and
 * check the response, idle; with bounded recovery from bus faults.
 *
 * Why recovery is split in two: a response damaged on the wire (bad count
 * or CRC) is still in the chip's I/O buffer, so it is first read again (word
 * address 0x00 rewinds the read position) instead of running the command a
 * second time, which for GenKey or Counter would change the chip. If the
 * re-read is damaged too, the chip's own copy is bad and the command is sent
 * again; dev->reexecuted then tells callers that a command which consumes
 * TempKey (Sign, Verify) may have run already. When the command did not
 * arrive (NACK on the write, status 0xFF, 0x11 or 0xEE, no answer in time)
 * it is simply sent again.
 */
#include <string.h>

#include "tl_atca.h"

#define BUS(dev) (*(dev)->bus)

static void delay_ms(tl_atca_device *dev, unsigned ms)
{
    if (BUS(dev)->delay_us)
        BUS(dev)->delay_us(dev->bus, (uint32_t)ms * 1000u);
}

tl_atca_status tl_atca_wake(tl_atca_device *dev)
{
    uint8_t r[4];
    int rc;
    if (!dev || !dev->bus)
        return TL_ATCA_ERR_ARG;
    rc = BUS(dev)->wake(dev->bus, r);
    dev->awake = 0;
    if (rc == TL_BUS_IO)
        return tl_atca__fail(dev, TL_ATCA_ERR_BUS);
    if (rc != TL_BUS_OK)
        return tl_atca__fail(dev, TL_ATCA_ERR_NO_WAKE);
    if (r[0] == TL_ATCA_WAKE_OK_0 && r[1] == TL_ATCA_WAKE_OK_1 &&
        r[2] == TL_ATCA_WAKE_OK_2 && r[3] == TL_ATCA_WAKE_OK_3) {
        dev->awake = 1;
        return TL_ATCA_OK;
    }
    /* 04 07 C4 40: the chip woke but its power-on self-test failed. */
    if (r[0] == 0x04 && r[1] == TL_ATCA_ST_SELFTEST && r[2] == 0xC4 && r[3] == 0x40) {
        dev->last_chip_status = TL_ATCA_ST_SELFTEST;
        return tl_atca__fail(dev, TL_ATCA_ERR_SELFTEST);
    }
    return tl_atca__fail(dev, TL_ATCA_ERR_NO_WAKE);
}

/* Send a one-byte word address (idle or sleep); a few tries, since a
 * lost idle only costs power, the next command wakes the chip anyway. */
static tl_atca_status word_address(tl_atca_device *dev, uint8_t wa)
{
    int i;
    for (i = 0; i < 3; i++) {
        int rc = BUS(dev)->write(dev->bus, &wa, 1);
        if (rc == TL_BUS_OK)
            break;
        if (rc == TL_BUS_IO)
            return tl_atca__fail(dev, TL_ATCA_ERR_BUS);
    }
    /* Either way the chip needs a wake before the next command: an idle or
     * sleeping chip ignores the bus, and waking an awake chip is harmless. */
    dev->awake = 0;
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_idle(tl_atca_device *dev)
{
    /* Every command ends in idle already; an idle chip would only NACK. */
    if (!dev->awake)
        return TL_ATCA_OK;
    return word_address(dev, TL_ATCA_WA_IDLE);
}

tl_atca_status tl_atca_sleep(tl_atca_device *dev)
{
    /* An idle chip ignores the bus until woken. */
    if (!dev->awake) {
        tl_atca_status st = tl_atca_wake(dev);
        if (st != TL_ATCA_OK)
            return st;
    }
    return word_address(dev, TL_ATCA_WA_SLEEP);
}

/* Longest a command may take: the model's table, or for an undetected model
 * the slower of the two, so detection itself never times out. */
static unsigned budget_ms(tl_atca_model model, uint8_t op)
{
    unsigned ms = tl_atca_exec_ms(model, op);
    if (model == TL_ATCA_MODEL_UNKNOWN) {
        unsigned a = tl_atca_exec_ms(TL_ATCA_MODEL_508A, op);
        unsigned b = tl_atca_exec_ms(TL_ATCA_MODEL_608A, op);
        ms = a > b ? a : b;
    }
    if (ms == 0)
        ms = 250;   /* unknown opcode: the slowest documented command */
    return ms + TL_ATCA_POLL_MARGIN_MS;
}

/*
 * Poll for and read one response into raw. NACKs are the chip being busy
 * until the budget runs out (TL_ATCA_ERR_TIMEOUT); a damaged response is
 * re-read once (costing one of *tries), then TL_ATCA_ERR_BAD_CRC.
 */
static tl_atca_status read_response(tl_atca_device *dev, unsigned budget,
                                     uint8_t raw[TL_ATCA_RSP_MAX], size_t *rawlen,
                                     unsigned *tries)
{
    unsigned elapsed = TL_ATCA_POLL_FIRST_MS, damaged = 0;
    const uint8_t reset = TL_ATCA_WA_RESET;
    delay_ms(dev, TL_ATCA_POLL_FIRST_MS);
    for (;;) {
        int rc = BUS(dev)->write(dev->bus, &reset, 1);
        if (rc == TL_BUS_OK)
            rc = BUS(dev)->read(dev->bus, raw, 1);
        if (rc == TL_BUS_OK && raw[0] >= 4 && raw[0] <= TL_ATCA_RSP_MAX)
            rc = BUS(dev)->read(dev->bus, raw + 1, (size_t)raw[0] - 1);
        else if (rc == TL_BUS_OK)
            rc = 1;   /* count byte out of bounds: damaged, read again */
        if (rc == TL_BUS_IO)
            return TL_ATCA_ERR_BUS;
        if (rc == TL_BUS_NACK) {
            if (elapsed >= budget)
                return TL_ATCA_ERR_TIMEOUT;
            delay_ms(dev, TL_ATCA_POLL_EVERY_MS);
            elapsed += TL_ATCA_POLL_EVERY_MS;
            continue;
        }
        if (rc == TL_BUS_OK) {
            uint8_t crc[2];
            tl_atca_crc(raw, (size_t)raw[0] - 2, crc);
            if (crc[0] == raw[raw[0] - 2] && crc[1] == raw[raw[0] - 1]) {
                *rawlen = raw[0];
                return TL_ATCA_OK;
            }
        }
        /* Damaged: in transit (read again) or in the chip (resend). */
        if (++damaged > 1)
            return TL_ATCA_ERR_BAD_CRC;
        dev->retries++;
        if (++*tries > dev->max_retries)
            return TL_ATCA_ERR_RETRIES;
    }
}

tl_atca_status tl_atca_execute_var(tl_atca_device *dev, uint8_t opcode, uint8_t p1,
                                   uint16_t p2, const uint8_t *data, size_t dlen,
                                   uint8_t *rsp, size_t cap, size_t *got)
{
    uint8_t pkt[1 + TL_ATCA_CMD_MAX];
    uint8_t raw[TL_ATCA_RSP_MAX];
    size_t n, rawlen = 0;
    unsigned tries = 0, budget;
    tl_atca_status st = TL_ATCA_OK;

    if (got)
        *got = 0;
    if (!dev || !dev->bus)
        return TL_ATCA_ERR_ARG;
    pkt[0] = TL_ATCA_WA_COMMAND;
    n = tl_atca_build_packet(pkt + 1, sizeof pkt - 1, opcode, p1, p2, data, dlen);
    if (!n || (cap && !rsp))
        return tl_atca__fail(dev, TL_ATCA_ERR_ARG);
    budget = budget_ms(dev->model, opcode);
    dev->reexecuted = 0;

    for (;; dev->retries++, tries++) {
        int rc;
        uint8_t chip = 0;
        size_t dl = 0;
        if (tries > dev->max_retries) {
            tl_atca_idle(dev);
            return tl_atca__fail(dev, TL_ATCA_ERR_RETRIES);
        }
        if (!dev->awake) {
            st = tl_atca_wake(dev);
            if (st == TL_ATCA_ERR_BUS || st == TL_ATCA_ERR_SELFTEST)
                return st;
            if (st != TL_ATCA_OK) {
                /* An awake chip ignores the pulse and the read returns its
                 * I/O buffer: idle it so the next pulse really wakes it. */
                word_address(dev, TL_ATCA_WA_IDLE);
                continue;
            }
        }
        rc = BUS(dev)->write(dev->bus, pkt, n + 1);
        if (rc == TL_BUS_IO)
            return tl_atca__fail(dev, TL_ATCA_ERR_BUS);
        if (rc == TL_BUS_NACK) {
            /* We woke it, yet it does not listen: the watchdog put it back
             * to sleep (or the bus glitched). Wake and resend. */
            dev->awake = 0;
            continue;
        }
        st = read_response(dev, budget, raw, &rawlen, &tries);
        if (st == TL_ATCA_ERR_BUS || st == TL_ATCA_ERR_RETRIES) {
            if (st == TL_ATCA_ERR_RETRIES)
                tl_atca_idle(dev);
            return tl_atca__fail(dev, st);
        }
        if (st == TL_ATCA_ERR_TIMEOUT || st == TL_ATCA_ERR_BAD_CRC) {
            /* Timed out: it may have fallen asleep mid-command. Damaged in
             * the chip: only running it again gives a good response. Either
             * way the command may have run once already. */
            dev->reexecuted = 1;
            if (st == TL_ATCA_ERR_TIMEOUT)
                dev->awake = 0;
            continue;
        }
        st = tl_atca_parse_response(raw, rawlen, rsp, cap, &dl, &chip);
        if (rawlen == 4)
            dev->last_chip_status = chip;
        if (st == TL_ATCA_ERR_AFTER_WAKE || st == TL_ATCA_ERR_WATCHDOG) {
            /* The chip slept and woke (0x11), or is about to (0xEE): the
             * command was not run. Start over from a fresh wake. */
            if (st == TL_ATCA_ERR_WATCHDOG)
                word_address(dev, TL_ATCA_WA_SLEEP);
            dev->awake = 0;
            continue;
        }
        if (st == TL_ATCA_ERR_CHIP_COMM)
            continue;   /* the chip got a damaged command: send it again */
        tl_atca_idle(dev);
        if (st != TL_ATCA_OK)
            return tl_atca__fail(dev, st);
        dev->commands++;
        if (got)
            *got = dl;
        return TL_ATCA_OK;
    }
}

tl_atca_status tl_atca_execute(tl_atca_device *dev, uint8_t opcode, uint8_t p1,
                               uint16_t p2, const uint8_t *data, size_t dlen,
                               uint8_t *rsp, size_t rsp_len)
{
    size_t got = 0;
    tl_atca_status st = tl_atca_execute_var(dev, opcode, p1, p2, data, dlen, rsp,
                                            rsp_len, &got);
    if (st != TL_ATCA_OK)
        return st;
    if (got != rsp_len)
        return tl_atca__fail(dev, TL_ATCA_ERR_BAD_LENGTH);
    return TL_ATCA_OK;
}
