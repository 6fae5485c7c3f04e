/* tl_emu zone and misc commands: what a correct host sees (keys: test_emu_keys.c;
 * misuse: test_emu_misuse.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bearssl.h>

#include "emu_util.h"

#define OK 0x00
#define EXEC 0x0F

static const tl_atca_model models[] = { TL_ATCA_MODEL_508A, TL_ATCA_MODEL_608A };

static void read_config(tl_emu *e, uint8_t cfg[128])
{
    unsigned b;
    for (b = 0; b < 4; b++)
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x80, (uint16_t)(b << 3), NULL, 0,
                                 cfg + 32 * b, NULL), OK);
}



static void test_factory_state(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        tl_emu *e = emu_new(models[i], 42), *f = emu_new(models[i], 43);
        uint8_t cfg[128], cfg2[128], rev[4], sn[9];
        size_t olen;
        static const uint8_t rev508[4] = { 0x00, 0x00, 0x50, 0x00 };
        static const uint8_t rev608[4] = { 0x00, 0x00, 0x60, 0x02 };
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 0, 0, NULL, 0, rev, &olen), OK);
        assert_int_equal(olen, 4);
        assert_memory_equal(rev, i ? rev608 : rev508, 4);
        read_config(e, cfg);
        read_config(f, cfg2);
        assert_int_equal(cfg[0], 0x01);
        assert_int_equal(cfg[1], 0x23);
        assert_int_equal(cfg[12], 0xEE);
        assert_memory_equal(cfg + 4, rev, 4);
        assert_int_equal(cfg[TL_ATCA_CFG_LOCK_CONFIG], 0x55);
        assert_int_equal(cfg[TL_ATCA_CFG_LOCK_VALUE], 0x55);
        assert_int_equal(cfg[TL_ATCA_CFG_I2C_ADDRESS], 0xC0);
        assert_int_equal(cfg[TL_ATCA_CFG_KEY_CONFIG], 0x33);
        assert_memory_not_equal(cfg, cfg2, 13);          /* serial follows the seed */
        tl_emu_serial(e, sn);
        assert_memory_equal(sn, cfg, 4);
        assert_memory_equal(sn + 4, cfg + 8, 5);
        assert_int_equal(tl_emu_model(e), models[i]);
        free(e);
        e = emu_new(models[i], 42);
        read_config(e, cfg2);
        assert_memory_equal(cfg, cfg2, 128);
        free(e);
        free(f);
    }
}

static void test_config_write(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 1);
    uint8_t w[4] = { 1, 2, 3, 4 }, blk[32], cfg[128];
    (void)state;
    /* Word 5 = bytes 20-23 (SlotConfig 0-1). */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 5, w, 4, NULL, NULL), OK);
    read_config(e, cfg);
    assert_memory_equal(cfg + 20, w, 4);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 3, w, 4, NULL, NULL), EXEC);
    /* A 32-byte write of block 2 leaves UserExtra..LockConfig alone. */
    memset(blk, 0xA5, sizeof blk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x80, 2 << 3, blk, 32, NULL, NULL), OK);
    read_config(e, cfg);
    assert_int_equal(cfg[83], 0xA5);
    assert_int_equal(cfg[88], 0xA5);
    assert_int_equal(cfg[TL_ATCA_CFG_LOCK_CONFIG], 0x55);
    assert_int_equal(cfg[TL_ATCA_CFG_USER_EXTRA], 0x00);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 5, w, 4, NULL, NULL), EXEC);
    read_config(e, cfg);
    assert_int_equal(cfg[TL_ATCA_CFG_LOCK_CONFIG], 0x00);
    free(e);
}

static void test_lock_crc(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 2);
    uint8_t cfg[128], blk[32], img[1208 + 64];
    uint16_t crc;
    (void)state;
    read_config(e, cfg);
    crc = tl_atca_crc16(cfg, 128);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x00, (uint16_t)(crc ^ 1), NULL, 0, NULL, NULL), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x01, 0, NULL, 0, NULL, NULL), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x00, crc, NULL, 0, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x00, crc, NULL, 0, NULL, NULL), EXEC);
    /* Data + OTP CRC over the zone as written: slot 8 starts at byte 288. */
    memset(img, 0xFF, sizeof img);
    memset(blk, 0x11, sizeof blk);
    memcpy(img + 288, blk, 32);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 8 << 3, blk, 32, NULL, NULL), OK);
    crc = tl_atca_crc16(img, sizeof img);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x01, (uint16_t)(crc + 1), NULL, 0, NULL, NULL), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x01, crc, NULL, 0, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), EXEC);
    /* Single slot: slot 8 is Lockable; its CRC covers its 416 bytes. */
    {
        uint8_t slot[416];
        memset(slot, 0xFF, sizeof slot);
        memcpy(slot, blk, 32);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x02 | (8 << 2), 0, NULL, 0, NULL, NULL), EXEC);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x02 | (8 << 2), tl_atca_crc16(slot, 416),
                                 NULL, 0, NULL, NULL), OK);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 8 << 3, blk, 32, NULL, NULL), EXEC);
        /* Slot 3 is not Lockable. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x82 | (3 << 2), 0, NULL, 0, NULL, NULL), EXEC);
    }
    read_config(e, cfg);
    assert_int_equal(cfg[TL_ATCA_CFG_SLOT_LOCKED + 1], 0xFE);
    free(e);
}

/* A private key is unreadable even in a slot configured not secret. */
static void test_private_never_readable(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 4);
    uint8_t sc[4] = { 0x03, 0x20, 0x03, 0x20 }, got[64];   /* slots 0-1: IsSecret off */
    size_t olen;
    (void)state;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 5, sc, 4, NULL, NULL), OK);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, got, &olen), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 0 << 3, NULL, 0, got, &olen), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x02, 0 << 3 | 1, NULL, 0, got, &olen), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 1 << 3, NULL, 0, got, &olen), EXEC);
    free(e);
}

static void test_data_zone(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 3);
    uint8_t blk[32], got[32], w[4] = { 9, 8, 7, 6 };
    size_t olen;
    (void)state;
    memset(blk, 0x5C, sizeof blk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 8 << 3, blk, 32, NULL, NULL), EXEC);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 8 << 3, blk, 32, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x02, (1 << 8) | (8 << 3) | 2, w, 4, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 3 << 3, blk, 32, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 8 << 3, NULL, 0, got, &olen), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x01, 0, NULL, 0, got, &olen), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 8 << 3, NULL, 0, got, &olen), OK);
    assert_int_equal(olen, 32);
    assert_memory_equal(got, blk, 32);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x02, (1 << 8) | (8 << 3) | 2, NULL, 0, got, &olen), OK);
    assert_int_equal(olen, 4);
    assert_memory_equal(got, w, 4);
    /* Secret and private slots are never readable; Never-write slots stay. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 3 << 3, NULL, 0, got, &olen), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 0 << 3, NULL, 0, got, &olen), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 3 << 3, blk, 32, NULL, NULL), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 9 << 3, blk, 32, NULL, NULL), OK);
    /* OTP: readable now; consumption mode only clears bits. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x81, 0, NULL, 0, got, &olen), OK);
    assert_int_equal(got[0], 0xFF);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x01, 0, w, 4, NULL, NULL), OK);
    w[0] = 0xFF;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x01, 0, w, 4, NULL, NULL), EXEC);
    free(e);
}




static void test_nonce_random(void **state)
{
    uint8_t pub[64], numin[20], rnd[32], rnd2[32], sig[64], digest[32], hin[55];
    size_t olen, k;
    br_sha256_context h;
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 5);
    (void)state;
    /* Before the config lock the RNG gives FF FF 00 00 ... */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0, rnd, &olen), OK);
    for (k = 0; k < 32; k++)
        assert_int_equal(rnd[k], (k & 3) < 2 ? 0xFF : 0x00);
    free(e);
    e = emu_provisioned(TL_ATCA_MODEL_508A, 5, pub);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0, rnd, &olen), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0, rnd2, &olen), OK);
    assert_memory_not_equal(rnd, rnd2, 32);
    memset(numin, 0x33, sizeof numin);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_NONCE, 0x00, 0, numin, 20, rnd, &olen), OK);
    assert_int_equal(olen, 32);
    memcpy(hin, rnd, 32);
    memcpy(hin + 32, numin, 20);
    hin[52] = 0x16;
    hin[53] = 0x00;
    hin[54] = 0x00;
    br_sha256_init(&h);
    br_sha256_update(&h, hin, sizeof hin);
    br_sha256_out(&h, digest);
    /* Info State: TempKey valid, SourceFlag 0 (random). */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, rnd2, &olen), OK);
    assert_int_equal(rnd2[1] & 0x80, 0x80);
    assert_int_equal(rnd2[0] & 0x10, 0x00);
    /* The TempKey the chip computed is what Sign signs. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0, sig, &olen), OK);
    assert_true(emu_verify_sig(pub, digest, sig));
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, rnd2, &olen), OK);
    assert_int_equal(rnd2[1] & 0x80, 0x00);
    free(e);
}

static void test_sha(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        tl_emu *e = emu_new(models[i], 6);
        uint8_t msg[74], want[32], got[32];
        size_t olen;
        br_sha256_context h;
        memset(msg, 'a', sizeof msg);
        msg[70] = 'z';
        br_sha256_init(&h);
        br_sha256_update(&h, msg, sizeof msg);
        br_sha256_out(&h, want);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 0, 0, NULL, 0, NULL, NULL), OK);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 1, 64, msg, 64, NULL, NULL), OK);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 2, 10, msg + 64, 10, got, &olen), OK);
        assert_int_equal(olen, 32);
        assert_memory_equal(got, want, 32);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 2, 0, NULL, 0, got, &olen), EXEC);
        free(e);
    }
}

static void test_counter_extra_selftest(void **state)
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 7);
    uint8_t v[4], cfg[128];
    size_t olen;
    (void)state;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 0, 1, NULL, 0, v, &olen), OK);
    assert_int_equal(olen, 4);
    assert_int_equal(v[0] | v[1] | v[2] | v[3], 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 1, 1, NULL, 0, v, &olen), OK);
    assert_int_equal(v[0], 1);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 0, 0, NULL, 0, v, &olen), OK);
    assert_int_equal(v[0], 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_UPDATEEXTRA, 0, 0x42, NULL, 0, NULL, NULL), EXEC);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_UPDATEEXTRA, 0, 0x42, NULL, 0, NULL, NULL), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_UPDATEEXTRA, 0, 0x43, NULL, 0, NULL, NULL), EXEC);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_UPDATEEXTRA, 1, 0x07, NULL, 0, NULL, NULL), OK);
    read_config(e, cfg);
    assert_int_equal(cfg[TL_ATCA_CFG_USER_EXTRA], 0x42);
    assert_int_equal(cfg[TL_ATCA_CFG_SELECTOR], 0x07);
    /* SelfTest (608): one result byte, 0 = passed; it clears TempKey. */
    memset(v, 0, sizeof v);
    emu_nonce_load(e, cfg);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SELFTEST, 0x3D, 0, NULL, 0, v, &olen), OK);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, v, &olen), OK);
    assert_int_equal(v[1] & 0x80, 0);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_state),
        cmocka_unit_test(test_config_write),
        cmocka_unit_test(test_lock_crc),
        cmocka_unit_test(test_data_zone),
        cmocka_unit_test(test_private_never_readable),
        cmocka_unit_test(test_nonce_random),
        cmocka_unit_test(test_sha),
        cmocka_unit_test(test_counter_extra_selftest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
