/* tl_emu_save/tl_emu_load: EEPROM survives, volatile state never does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bearssl.h>

#include "emu_util.h"

static tl_emu *provisioned(uint8_t pub[64])
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 555);
    uint8_t blk[32];
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, pub, NULL), 0);
    memset(blk, 0x3C, sizeof blk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 8 << 3, blk, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    return e;
}

static void test_round_trip(void **state)
{
    uint8_t pub[64], pub2[64], img[TL_EMU_EEPROM_IMAGE_MAX], blk[32], tk[32], sig[64], v[4];
    size_t n, olen;
    tl_emu *e = provisioned(pub), *f = emu_new(TL_ATCA_MODEL_508A, 1);
    (void)state;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 1, 0, NULL, 0, v, NULL), 0);
    memset(tk, 1, sizeof tk);
    emu_nonce_load(e, tk);                      /* volatile: must not survive */
    assert_true(tl_emu_dirty(e));
    n = tl_emu_save(e, img, sizeof img);
    assert_true(n > 1400 && n <= sizeof img);
    assert_int_equal(tl_emu_save(e, img, n - 1), 0);
    tl_emu_mark_saved(e);
    assert_false(tl_emu_dirty(e));
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 0, 0, NULL, 0, NULL, NULL), 0);
    assert_false(tl_emu_dirty(e));

    assert_int_equal(tl_emu_load(f, img, n), 0);
    assert_int_equal(tl_emu_model(f), TL_ATCA_MODEL_608A);
    assert_false(tl_emu_dirty(f));
    assert_int_equal(emu_cmd(f, TL_ATCA_OP_GENKEY, 0x00, 0, NULL, 0, pub2, &olen), 0);
    assert_memory_equal(pub, pub2, 64);
    assert_int_equal(emu_cmd(f, TL_ATCA_OP_READ, 0x82, 8 << 3, NULL, 0, blk, &olen), 0);
    assert_int_equal(blk[0], 0x3C);
    assert_int_equal(emu_cmd(f, TL_ATCA_OP_COUNTER, 0, 0, NULL, 0, v, NULL), 0);
    assert_int_equal(v[0], 1);
    assert_int_equal(emu_cmd(f, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0, sig, NULL), 0x0F);
    /* Random numbers do not repeat after a reload. */
    {
        uint8_t r1[32], r2[32];
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0, r1, NULL), 0);
        assert_int_equal(emu_cmd(f, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0, r2, NULL), 0);
        assert_memory_equal(r1, r2, 32);        /* same chip, same state */
        assert_int_equal(emu_cmd(f, TL_ATCA_OP_RANDOM, 0, 0, NULL, 0, r2, NULL), 0);
        assert_memory_not_equal(r1, r2, 32);
    }
    free(e);
    free(f);
}

static void test_corrupt_images(void **state)
{
    uint8_t pub[64], img[TL_EMU_EEPROM_IMAGE_MAX], before[TL_EMU_EEPROM_IMAGE_MAX],
        after[TL_EMU_EEPROM_IMAGE_MAX];
    size_t n, i;
    tl_emu *e = provisioned(pub), *f = emu_new(TL_ATCA_MODEL_508A, 2);
    (void)state;
    n = tl_emu_save(e, img, sizeof img);
    assert_int_equal(tl_emu_save(f, before, sizeof before), n);
    for (i = 0; i < n; i += 7) {
        img[i] ^= 0x01;
        assert_int_equal(tl_emu_load(f, img, n), -1);
        img[i] ^= 0x01;
    }
    assert_int_equal(tl_emu_load(f, img, n - 1), -1);
    assert_int_equal(tl_emu_load(f, img, 0), -1);
    assert_int_equal(tl_emu_load(f, NULL, n), -1);
    /* A failed load leaves the chip as it was. */
    assert_int_equal(tl_emu_save(f, after, sizeof after), n);
    assert_memory_equal(before, after, n);
    free(e);
    free(f);
}

/* Patch counter 0 in an image (bytes 24-27) and fix its SHA-256. */
static void set_counter(uint8_t *img, size_t n, uint32_t v)
{
    br_sha256_context h;
    img[24] = (uint8_t)v;
    img[25] = (uint8_t)(v >> 8);
    img[26] = (uint8_t)(v >> 16);
    img[27] = (uint8_t)(v >> 24);
    br_sha256_init(&h);
    br_sha256_update(&h, img, n - 32);
    br_sha256_out(&h, img + n - 32);
}

static void test_counter_limit(void **state)
{
    uint8_t img[TL_EMU_EEPROM_IMAGE_MAX], v[4];
    size_t n;
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 3);
    (void)state;
    n = tl_emu_save(e, img, sizeof img);
    set_counter(img, n, 2097152);               /* beyond the maximum */
    assert_int_equal(tl_emu_load(e, img, n), -1);
    set_counter(img, n, 2097150);
    assert_int_equal(tl_emu_load(e, img, n), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 1, 0, NULL, 0, v, NULL), 0);
    assert_int_equal(v[0] | (v[1] << 8) | (v[2] << 16), 2097151);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 1, 0, NULL, 0, v, NULL), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_COUNTER, 0, 0, NULL, 0, v, NULL), 0);
    assert_int_equal(v[0] | (v[1] << 8) | (v[2] << 16), 2097151);
    free(e);
}

/* Load works on raw memory: nothing of the old bytes survives. */
static void test_load_into_raw_memory(void **state)
{
    uint8_t img[TL_EMU_EEPROM_IMAGE_MAX], w[4], r[7];
    size_t n;
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 4), *raw = malloc(tl_emu_context_size());
    (void)state;
    assert_non_null(raw);
    memset(raw, 0xA5, tl_emu_context_size());
    n = tl_emu_save(e, img, sizeof img);
    assert_int_equal(tl_emu_load(raw, img, n), 0);
    assert_int_equal(tl_emu_read(raw, r, 1), TL_EMU_NACK);      /* asleep */
    assert_int_equal(tl_emu_wake(raw, w), TL_EMU_ACK);
    assert_int_equal(w[1], 0x11);
    assert_int_equal(emu_cmd(raw, TL_ATCA_OP_INFO, 0, 0, NULL, 0, r, NULL), 0);
    assert_int_equal(r[2], 0x50);
    free(raw);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_corrupt_images),
        cmocka_unit_test(test_counter_limit),
        cmocka_unit_test(test_load_into_raw_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
