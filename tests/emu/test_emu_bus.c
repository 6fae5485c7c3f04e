/* tl_emu bus semantics: wake/sleep/idle, read position, timing, watchdog, faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "emu_util.h"

static const uint8_t wake_ok[4] = { 0x04, 0x11, 0x33, 0x43 };

static uint64_t fake_now;

static uint64_t fake_clock(void *arg)
{
    (void)arg;
    return fake_now;
}

/* W 0x03 + packet. */
static int send_cmd(tl_emu *e, uint8_t op, uint8_t p1, uint16_t p2, const uint8_t *d, size_t n)
{
    uint8_t w[1 + TL_ATCA_CMD_MAX];
    w[0] = TL_ATCA_WA_COMMAND;
    return tl_emu_write(e, w, 1 + emu_packet(w + 1, op, p1, p2, d, n));
}

/* The host's read: W 0x00, R 1 (count), R count-1. Returns the count. */
static size_t get_rsp(tl_emu *e, uint8_t *rsp)
{
    uint8_t reset = TL_ATCA_WA_RESET, crc[2];
    assert_int_equal(tl_emu_write(e, &reset, 1), TL_EMU_ACK);
    assert_int_equal(tl_emu_read(e, rsp, 1), TL_EMU_ACK);
    assert_true(rsp[0] >= 4 && rsp[0] <= TL_ATCA_RSP_MAX);
    assert_int_equal(tl_emu_read(e, rsp + 1, rsp[0] - 1u), TL_EMU_ACK);
    tl_atca_crc(rsp, rsp[0] - 2u, crc);
    assert_memory_equal(crc, rsp + rsp[0] - 2, 2);
    return rsp[0];
}

static void test_wake_sleep_idle(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 1);
    uint8_t w[4], r[TL_ATCA_RSP_MAX], tk[32], wa;
    (void)state;
    /* Asleep: W and R NACK. */
    wa = TL_ATCA_WA_RESET;
    assert_int_equal(tl_emu_write(e, &wa, 1), TL_EMU_NACK);
    assert_int_equal(tl_emu_read(e, r, 4), TL_EMU_NACK);
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    assert_memory_equal(w, wake_ok, 4);
    /* Reading without a command: the 0x11 status packet again. */
    assert_int_equal(get_rsp(e, r), 4);
    assert_memory_equal(r, wake_ok, 4);
    /* Reads continue where the last stopped, wrapping at the end. */
    assert_int_equal(tl_emu_read(e, r, 2), TL_EMU_ACK);
    assert_int_equal(r[0], 0x04);
    assert_int_equal(r[1], 0x11);
    assert_int_equal(tl_emu_read(e, r, 2), TL_EMU_ACK);
    assert_int_equal(r[0], 0x33);
    /* A command and its response. */
    assert_int_equal(send_cmd(e, TL_ATCA_OP_INFO, 0, 0, NULL, 0), TL_EMU_ACK);
    assert_int_equal(get_rsp(e, r), 7);
    assert_int_equal(r[3], 0x50);
    /* Idle keeps TempKey; the idle chip NACKs until woken. */
    memset(tk, 7, sizeof tk);
    assert_int_equal(send_cmd(e, TL_ATCA_OP_NONCE, 3, 0, tk, 32), TL_EMU_ACK);
    assert_int_equal(get_rsp(e, r), 4);
    assert_int_equal(r[1], 0x00);
    wa = TL_ATCA_WA_IDLE;
    assert_int_equal(tl_emu_write(e, &wa, 1), TL_EMU_ACK);
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_NACK);
    assert_int_equal(send_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0), TL_EMU_NACK);
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    assert_memory_equal(w, wake_ok, 4);
    assert_int_equal(send_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0), TL_EMU_ACK);
    assert_int_equal(get_rsp(e, r), 7);
    assert_int_equal(r[2] & 0x80, 0x80);        /* TempKey valid */
    assert_int_equal(r[1] & 0x10, 0x10);        /* from pass-through */
    /* Sleep clears it. */
    wa = TL_ATCA_WA_SLEEP;
    assert_int_equal(tl_emu_write(e, &wa, 1), TL_EMU_ACK);
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_NACK);
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    assert_int_equal(send_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0), TL_EMU_ACK);
    assert_int_equal(get_rsp(e, r), 7);
    assert_int_equal(r[2] & 0x80, 0x00);
    /* Unknown word address: NACK. */
    wa = 0x07;
    assert_int_equal(tl_emu_write(e, &wa, 1), TL_EMU_NACK);
    free(e);
}

static void test_bad_packets_on_bus(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 2);
    uint8_t w[16], r[TL_ATCA_RSP_MAX], wk[4];
    size_t n;
    (void)state;
    assert_int_equal(tl_emu_wake(e, wk), TL_EMU_ACK);
    w[0] = TL_ATCA_WA_COMMAND;
    n = emu_packet(w + 1, TL_ATCA_OP_INFO, 0, 0, NULL, 0);
    w[n] ^= 0x80;                                   /* CRC high byte */
    assert_int_equal(tl_emu_write(e, w, n + 1), TL_EMU_ACK);
    assert_int_equal(get_rsp(e, r), 4);
    assert_int_equal(r[1], 0xFF);
    w[n] ^= 0x80;
    w[1] = 9;                                       /* count says 9, 7 sent */
    assert_int_equal(tl_emu_write(e, w, n + 1), TL_EMU_ACK);
    assert_int_equal(get_rsp(e, r), 4);
    assert_int_equal(r[1], 0xFF);
    assert_int_equal(tl_emu_write(e, w, 1), TL_EMU_ACK);   /* no packet at all */
    assert_int_equal(get_rsp(e, r), 4);
    assert_int_equal(r[1], 0xFF);
    free(e);
}

static void test_timing(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 3);
    uint8_t w[4], r[TL_ATCA_RSP_MAX], wa;
    (void)state;
    fake_now = 1000000;
    tl_emu_set_clock(e, fake_clock, NULL);
    emu_lock(e, 0);
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    assert_int_equal(send_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0), TL_EMU_ACK);
    /* GenKey takes 115 ms on a 508A: reads and writes NACK until then. */
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_NACK);
    fake_now += 114000;
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_NACK);
    wa = TL_ATCA_WA_RESET;
    assert_int_equal(tl_emu_write(e, &wa, 1), TL_EMU_NACK);
    fake_now += 1000;
    assert_int_equal(get_rsp(e, r), 67);
    /* Watchdog: asleep 1.3 s after wake, volatile state gone. */
    fake_now = 1000000 + 1299000;
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_ACK);
    fake_now = 1000000 + 1300000;
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_NACK);
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    assert_memory_equal(w, wake_ok, 4);
    /* Idle stops the watchdog. */
    wa = TL_ATCA_WA_IDLE;
    assert_int_equal(tl_emu_write(e, &wa, 1), TL_EMU_ACK);
    fake_now += 5000000;
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    assert_memory_equal(w, wake_ok, 4);
    fake_now += 1000000;
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_ACK);
    free(e);

    /* ChipMode bit 2: the 13 s watchdog. */
    e = emu_new(TL_ATCA_MODEL_608A, 3);
    tl_emu_set_clock(e, fake_clock, NULL);
    {
        uint8_t word[4] = { 0xC0, 0x00, 0x55, 0x04 };    /* bytes 16-19 */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 4, word, 4, NULL, NULL), 0);
    }
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    fake_now += 12000000;
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_ACK);
    fake_now += 1000000;
    assert_int_equal(tl_emu_read(e, r, 1), TL_EMU_NACK);
    free(e);
}

/* Outcomes of a fixed sequence of bus operations under faults. */
static void fault_run(uint64_t seed, double crc, double nack, char *log, size_t n)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 4);
    tl_emu_faults f = { crc, nack, seed };
    uint8_t w[4], r[TL_ATCA_RSP_MAX], pkt[1 + TL_ATCA_CMD_MAX], crcb[2];
    size_t i;
    tl_emu_set_faults(e, &f);
    assert_int_equal(tl_emu_wake(e, w), TL_EMU_ACK);
    for (i = 0; i < n; i++) {
        int a, b;
        pkt[0] = TL_ATCA_WA_COMMAND;
        a = tl_emu_write(e, pkt, 1 + emu_packet(pkt + 1, TL_ATCA_OP_INFO, 0, 0, NULL, 0));
        b = tl_emu_read(e, r, 7);
        if (a || b)
            log[i] = 'N';
        else if (r[0] == 4 && r[1] == 0xFF)
            log[i] = 'F';
        else {
            tl_atca_crc(r, r[0] - 2u, crcb);
            log[i] = memcmp(crcb, r + r[0] - 2, 2) == 0 ? '.' : 'C';
        }
    }
    free(e);
}

static void test_faults(void **state)
{
    char a[200], b[200], c[200];
    size_t i, counts[4] = { 0, 0, 0, 0 };
    (void)state;
    fault_run(77, 0.2, 0.2, a, sizeof a);
    fault_run(77, 0.2, 0.2, b, sizeof b);
    fault_run(78, 0.2, 0.2, c, sizeof c);
    assert_memory_equal(a, b, sizeof a);            /* repeatable per seed */
    assert_memory_not_equal(a, c, sizeof a);
    for (i = 0; i < sizeof a; i++)
        counts[a[i] == '.' ? 0 : a[i] == 'N' ? 1 : a[i] == 'F' ? 2 : 3]++;
    assert_true(counts[0] > 50 && counts[1] > 20 && counts[2] > 3 && counts[3] > 3);
    fault_run(1, 0, 0, a, sizeof a);
    for (i = 0; i < sizeof a; i++)
        assert_int_equal(a[i], '.');
    fault_run(1, 0, 1.0, a, 10);
    for (i = 0; i < 10; i++)
        assert_int_equal(a[i], 'N');
}

/* Random bytes on the bus: never a crash, the chip stays consistent. */
static void test_random_bus_traffic(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 5);
    uint64_t s = 99;
    uint8_t buf[300], w[4];
    int i;
    (void)state;
    for (i = 0; i < 20000; i++) {
        uint64_t r = s = s * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = (size_t)(r >> 40) % sizeof buf, k;
        for (k = 0; k < n; k++)
            buf[k] = (uint8_t)((s = s * 6364136223846793005ull + 1) >> 56);
        switch ((r >> 20) & 3) {
        case 0: tl_emu_wake(e, w); break;
        case 1: tl_emu_read(e, buf, n); break;
        default:
            if (n > 1 && ((r >> 30) & 1)) {        /* a well-formed count helps */
                buf[0] = TL_ATCA_WA_COMMAND;
                buf[1] = (uint8_t)(n - 1);
                if (n >= 3)
                    tl_atca_crc(buf + 1, n - 3, buf + n - 2);
            }
            tl_emu_write(e, buf, n);
        }
    }
    assert_int_equal(tl_emu_model(e), TL_ATCA_MODEL_608A);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_sleep_idle),
        cmocka_unit_test(test_bad_packets_on_bus),
        cmocka_unit_test(test_timing),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_random_bus_traffic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
