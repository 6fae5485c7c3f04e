/* The driver's I/O loop and every command's packet, against a scripted
 * fake bus (fake_bus.c): polling, retries, re-wakes, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atca/tl_atca_cmd.h"
#include "atca/tl_atca_layout.h"
#include "fake_bus.h"
#include "hal/tl_bus_trace.h"

/* ---- the I/O loop ---- */

static void setup_dev(fake_bus *f, tl_atca_device *dev)
{
    fake_init(f);
    tl_atca_init(dev, &f->vtable);
}

static void test_exec_happy_path(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t rev[4];
    static const uint8_t r608[4] = { 0, 0, 0x60, 0x02 };
    static const uint8_t info_pkt[] = { 0x03, 0x07, 0x30, 0x00, 0x00, 0x00, 0x03, 0x5D };
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, r608, 4, 0);
    assert_int_equal(tl_atca_detect(&dev, rev), TL_ATCA_OK);
    assert_int_equal(dev.model, TL_ATCA_MODEL_608A);
    assert_memory_equal(rev, r608, 4);
    assert_int_equal(f.last_cmd_len, sizeof info_pkt);
    assert_memory_equal(f.last_cmd, info_pkt, sizeof info_pkt);
    assert_int_equal(f.wakes, 1);
    assert_int_equal(f.idles, 1);
    assert_int_equal(dev.retries, 0);
    assert_int_equal(tl_atca_last_error(&dev), TL_ATCA_OK);
    /* Already idle: no bus traffic. Sleep wakes it first. */
    assert_int_equal(tl_atca_idle(&dev), TL_ATCA_OK);
    assert_int_equal(f.idles, 1);
    assert_int_equal(tl_atca_sleep(&dev), TL_ATCA_OK);
    assert_int_equal(f.wakes, 2);
    assert_int_equal(f.sleeps, 1);
    /* First wait 1 ms before the first poll. */
    assert_int_equal(f.delay_us, 1000);
}

static void test_exec_crc_error_rereads(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t rnd[32], want[32];
    (void)state;
    setup_dev(&f, &dev);
    memset(want, 0x3C, 32);
    fake_push(&f, want, 32, 0);
    f.corrupt_reads = 1;
    assert_int_equal(tl_atca_random(&dev, rnd), TL_ATCA_OK);
    assert_memory_equal(rnd, want, 32);
    /* Re-read, not re-executed: one command write, two reads of it. */
    assert_int_equal(f.cmd_writes, 1);
    assert_int_equal(f.resets, 2);
    assert_int_equal(dev.retries, 1);
    assert_int_equal(dev.reexecuted, 0);
    /* Damaged twice: the chip's copy is bad, so the command is resent. */
    setup_dev(&f, &dev);
    fake_push(&f, want, 32, 0);
    f.corrupt_reads = 2;
    assert_int_equal(tl_atca_random(&dev, rnd), TL_ATCA_OK);
    assert_memory_equal(rnd, want, 32);
    assert_int_equal(f.cmd_writes, 2);
    assert_int_equal(dev.retries, 2);
    assert_int_equal(dev.reexecuted, 1);
}

static void test_exec_nack_rewakes(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[4];
    static const uint8_t v[4] = { 1, 2, 3, 4 };
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, v, 4, 0);
    f.nack_cmd_writes = 1;    /* the watchdog put it to sleep after the wake */
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_OK);
    assert_int_equal(f.wakes, 2);
    assert_int_equal(f.cmd_writes, 1);
    assert_int_equal(dev.retries, 1);
}

static void test_exec_after_wake_resends(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[4];
    static const uint8_t v[4] = { 9, 9, 9, 9 };
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, NULL, 0, TL_ATCA_ST_AFTER_WAKE);
    fake_push(&f, NULL, 0, TL_ATCA_ST_COMM);
    fake_push(&f, NULL, 0, TL_ATCA_ST_WATCHDOG);
    fake_push(&f, v, 4, 0);
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_OK);
    assert_memory_equal(out, v, 4);
    assert_int_equal(f.cmd_writes, 4);
    assert_int_equal(f.sleeps, 1);          /* 0xEE: sleep first, then wake */
    assert_int_equal(f.wakes, 3);           /* first, after 0x11, after 0xEE */
    assert_int_equal(dev.retries, 3);
}

static void test_exec_chip_error_is_final(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[32];
    static const uint8_t v[4] = { 0, 0, 0x50, 0 };
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, NULL, 0, TL_ATCA_ST_EXEC);
    fake_push(&f, v, 4, 0);
    assert_int_equal(tl_atca_read(&dev, TL_ATCA_ZONE_DATA, 0, 0, 0, out, 32), TL_ATCA_ERR_EXEC);
    assert_int_equal(f.cmd_writes, 1);
    assert_int_equal(dev.last_chip_status, 0x0F);
    assert_int_equal(tl_atca_last_error(&dev), TL_ATCA_ERR_EXEC);
    assert_int_equal(f.idles, 1);
    /* Sticky: a later success keeps it until cleared. */
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_OK);
    assert_int_equal(tl_atca_last_error(&dev), TL_ATCA_ERR_EXEC);
    tl_atca_clear_error(&dev);
    assert_int_equal(tl_atca_last_error(&dev), TL_ATCA_OK);
    assert_string_equal(tl_atca_status_text(TL_ATCA_ERR_EXEC), "execution error (0x0F)");
}

static void test_exec_polls_while_busy(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t sig[64], dig[32] = { 0 }, v[64];
    (void)state;
    setup_dev(&f, &dev);
    dev.model = TL_ATCA_MODEL_508A;
    memset(v, 7, sizeof v);
    fake_push(&f, NULL, 0, 0);     /* Nonce */
    fake_push(&f, v, 64, 0);       /* Sign */
    f.busy_reads = 20;             /* 20 polls: 41 ms, within Nonce's 29 + margin */
    assert_int_equal(tl_atca_sign(&dev, 0, dig, sig), TL_ATCA_OK);
    assert_memory_equal(sig, v, 64);
    assert_int_equal(f.cmd_writes, 2);
    assert_int_equal(dev.retries, 0);
    /* Two commands, each 1 ms first wait + 25 polls of 2 ms. */
    assert_int_equal(f.delay_us, 2 * (1000 + 20 * 2000));
}

static void test_exec_timeout_then_gives_up(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[4];
    (void)state;
    setup_dev(&f, &dev);
    dev.model = TL_ATCA_MODEL_508A;
    dev.max_retries = 2;
    fake_push(&f, NULL, 0, 0);
    f.busy_forever = 1;
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_ERR_RETRIES);
    assert_int_equal(f.cmd_writes, 3);   /* first try + 2 resends */
    /* Each try polls until Info's 2 ms + 20 ms margin, no longer. */
    assert_true(f.delay_us <= 3 * (2 + TL_ATCA_POLL_MARGIN_MS + 2) * 1000ul);
    assert_true(f.delay_us >= 3 * (2 + TL_ATCA_POLL_MARGIN_MS) * 1000ul);
    assert_int_equal(tl_atca_last_error(&dev), TL_ATCA_ERR_RETRIES);
}

static void test_exec_bad_crc_forever(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[4];
    static const uint8_t v[4] = { 1, 1, 1, 1 };
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, v, 4, 0);
    f.corrupt_reads = 1000;
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_ERR_RETRIES);
    /* Each try: read, re-read, resend; bounded by max_retries. */
    assert_int_equal(f.cmd_writes, TL_ATCA_MAX_RETRIES / 2 + 1);
    assert_true(dev.retries <= TL_ATCA_MAX_RETRIES + 1);
}

static void test_wake_errors(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[4];
    (void)state;
    setup_dev(&f, &dev);
    f.wake_fail = 1000;
    assert_int_equal(tl_atca_wake(&dev), TL_ATCA_ERR_NO_WAKE);
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_ERR_RETRIES);
    assert_int_equal(f.cmd_writes, 0);
    setup_dev(&f, &dev);
    f.wake_rsp[1] = 0x07;
    f.wake_rsp[2] = 0xC4;
    f.wake_rsp[3] = 0x40;
    assert_int_equal(tl_atca_info(&dev, 0, 0, out), TL_ATCA_ERR_SELFTEST);
    assert_int_equal(f.cmd_writes, 0);
}

static void test_unexpected_length(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t out[32];
    static const uint8_t v[4] = { 1, 2, 3, 4 };
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, v, 4, 0);
    assert_int_equal(tl_atca_random(&dev, out), TL_ATCA_ERR_BAD_LENGTH);
    assert_int_equal(tl_atca_read(&dev, TL_ATCA_ZONE_DATA, 0, 0, 0, out, 5), TL_ATCA_ERR_ARG);
    assert_int_equal(tl_atca_genkey(&dev, 16, NULL), TL_ATCA_ERR_ARG);
}

/* Every command puts the documented bytes on the wire. */
static void expect_cmd(fake_bus *f, uint8_t op, uint8_t p1, uint16_t p2, size_t dlen)
{
    assert_int_equal(f->last_cmd[0], TL_ATCA_WA_COMMAND);
    assert_int_equal(f->last_cmd[1], 7 + dlen);
    assert_int_equal(f->last_cmd[2], op);
    assert_int_equal(f->last_cmd[3], p1);
    assert_int_equal(f->last_cmd[4] | f->last_cmd[5] << 8, p2);
    assert_int_equal(tl_atca_crc16(f->last_cmd + 1, 5 + dlen),
                     f->last_cmd[6 + dlen] | f->last_cmd[7 + dlen] << 8);
}

static void test_command_packets(void **state)
{
    fake_bus f;
    tl_atca_device dev;
    uint8_t b32[32] = { 0 }, b64[64] = { 0 }, v36[36] = { 0 }, o13[13] = { 0 }, o3[3] = { 0 };
    uint8_t fail;
    uint32_t cnt;
    (void)state;
    setup_dev(&f, &dev);
    fake_push(&f, NULL, 0, 0);
    assert_int_equal(tl_atca_write(&dev, TL_ATCA_ZONE_DATA, 8, 1, 0, b32, 32), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_WRITE, 0x82, (8 << 3) | (1 << 8), 32);
    assert_int_equal(tl_atca_write(&dev, TL_ATCA_ZONE_CONFIG, 0, 0, 5, b32, 4), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_WRITE, 0x00, 5, 4);
    assert_int_equal(tl_atca_lock_data_zone(&dev, NULL, 0), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_LOCK, 0x81, 0, 0);
    assert_int_equal(tl_atca_lock_slot(&dev, 3, NULL, 0), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_LOCK, 0x80 | 0x02 | (3 << 2), 0, 0);
    {
        uint8_t cfg[128];
        memset(cfg, 0x55, sizeof cfg);
        assert_int_equal(tl_atca_lock_config_zone(&dev, cfg), TL_ATCA_OK);
        expect_cmd(&f, TL_ATCA_OP_LOCK, 0x00, tl_atca_crc16(cfg, 128), 0);
    }
    assert_int_equal(tl_atca_nonce_load(&dev, b32), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_NONCE, 0x03, 0, 32);
    assert_int_equal(tl_atca_genkey_digest(&dev, 2, o3), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_GENKEY, 0x10, 2, 3);
    {
        uint8_t b68[68] = { 0 };
        assert_int_equal(tl_atca_privwrite_enc(&dev, 2, b68), TL_ATCA_OK);
        expect_cmd(&f, TL_ATCA_OP_PRIVWRITE, 0x40, 2, 68);
        assert_int_equal(tl_atca_nonce_load_target(&dev, TL_ATCA_NONCE_MSGDIGBUF, b68, 64),
                         TL_ATCA_OK);
        expect_cmd(&f, TL_ATCA_OP_NONCE, 0x63, 0, 64);
        assert_int_equal(tl_atca_nonce_load_target(&dev, TL_ATCA_NONCE_ALTKEYBUF, b68, 64),
                         TL_ATCA_ERR_ARG);
    }
    assert_int_equal(tl_atca_verify_extern(&dev, b32, b64, b64), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_VERIFY, 0x02, 4, 128);
    assert_int_equal(tl_atca_sha_start(&dev), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_SHA, 0x00, 0, 0);
    assert_int_equal(tl_atca_sha_update(&dev, b64), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_SHA, 0x01, 64, 64);
    assert_int_equal(tl_atca_gendig(&dev, 2, 4, NULL, 0), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_GENDIG, 2, 4, 0);
    assert_int_equal(tl_atca_checkmac(&dev, 0x01, 5, b32, b32, o13), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_CHECKMAC, 0x01, 5, 77);
    assert_int_equal(f.last_cmd[1], 84);   /* the documented 84-byte packet */
    assert_int_equal(tl_atca_privwrite(&dev, 1, v36, NULL), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_PRIVWRITE, 0x00, 1, 68);
    assert_int_equal(f.last_cmd[1], 75);
    assert_int_equal(tl_atca_updateextra(&dev, 1, 0x42), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_UPDATEEXTRA, 1, 0x42, 0);
    assert_int_equal(tl_atca_ecdh_to_slot(&dev, 2, b64), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_ECDH, 0x00, 2, 64);
    dev.model = TL_ATCA_MODEL_608A;
    assert_int_equal(tl_atca_ecdh_to_slot(&dev, 2, b64), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_ECDH, 0x04, 2, 64);
    assert_int_equal(tl_atca_selftest(&dev, 0x3D, &fail), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_SELFTEST, 0x3D, 0, 0);
    assert_int_equal(fail, 0);
    dev.model = TL_ATCA_MODEL_508A;
    assert_int_equal(tl_atca_selftest(&dev, 0x3D, &fail), TL_ATCA_ERR_UNSUPPORTED);

    /* Commands with data in their response. */
    setup_dev(&f, &dev);
    fake_push(&f, b32, 32, 0);
    assert_int_equal(tl_atca_mac(&dev, 0x00, 3, b32, b32), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_MAC, 0x00, 3, 32);
    assert_int_equal(f.last_cmd[1], 39);
    assert_int_equal(tl_atca_mac(&dev, 0x01, 3, NULL, b32), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_MAC, 0x01, 3, 0);
    assert_int_equal(tl_atca_nonce_rand(&dev, b32, b32), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_NONCE, 0x00, 0, 20);
    assert_int_equal(tl_atca_ecdh(&dev, 0, b64, b32), TL_ATCA_OK);
    expect_cmd(&f, TL_ATCA_OP_ECDH, 0x00, 0, 64);
    assert_int_equal(tl_atca_sign_internal(&dev, 1, 1, b64), TL_ATCA_ERR_BAD_LENGTH);
    expect_cmd(&f, TL_ATCA_OP_SIGN, 0x40, 1, 0);
    setup_dev(&f, &dev);
    {
        static const uint8_t c[4] = { 0x10, 0x27, 0, 0 };
        fake_push(&f, c, 4, 0);
        assert_int_equal(tl_atca_counter(&dev, 1, 1, &cnt), TL_ATCA_OK);
        expect_cmd(&f, TL_ATCA_OP_COUNTER, 1, 1, 0);
        assert_int_equal(cnt, 10000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_happy_path),
        cmocka_unit_test(test_exec_crc_error_rereads),
        cmocka_unit_test(test_exec_nack_rewakes),
        cmocka_unit_test(test_exec_after_wake_resends),
        cmocka_unit_test(test_exec_chip_error_is_final),
        cmocka_unit_test(test_exec_polls_while_busy),
        cmocka_unit_test(test_exec_timeout_then_gives_up),
        cmocka_unit_test(test_exec_bad_crc_forever),
        cmocka_unit_test(test_wake_errors),
        cmocka_unit_test(test_unexpected_length),
        cmocka_unit_test(test_command_packets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
