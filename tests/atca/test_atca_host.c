/*
 * The driver against the emulator on the exact success paths that need a
 * host-side digest, on the default layout: GenDig, MAC/CheckMac, HMAC, Sign
 * internal after GenDig or GenKey digest, GenDig's 608A zones. Expected
 * values come from atca_host_ref.c (cryptoauthlib's documented layouts) and
 * BearSSL. test_atca_lab.c covers what needs a modified layout.
 */
#include "atca_host_ref.h"

static void test_gendig_mac_checkmac_hmac(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        uint8_t key[32], sn[9], cfg[128], tk0[32], tk1[32], want[32], got[32], ch[32];
        uint8_t other[13] = { 0x08, 0x00, 0x09, 0x00 }, msg[100];
        br_hmac_key_context kc;
        br_hmac_context hc;
        chip *c;
        memset(key, 0xA5, sizeof key);
        memset(tk0, 0x3C, sizeof tk0);
        memset(ch, 0x77, sizeof ch);
        c = with_slot9_key(models[m], 101, key, sn, cfg);
        /* GenDig over slot 9, then a MAC over the new TempKey. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_gendig(&c->dev, 2, 9, NULL, 0), TL_ATCA_OK);
        ref_gendig_simple(key, 2, 9, sn, tk0, tk1);
        assert_int_equal(tl_atca_mac(&c->dev, 0x05, 9, NULL, got), TL_ATCA_OK);
        ref_mac(key, tk1, 0x05, 9, sn, want);
        assert_memory_equal(got, want, 32);
        /* Mode 0x01 claims a random TempKey, but it came from a pass-through. */
        assert_int_equal(tl_atca_mac(&c->dev, 0x01, 9, NULL, got), TL_ATCA_ERR_EXEC);
        /* MAC with a challenge (and the full SN), checked by the host... */
        assert_int_equal(tl_atca_mac(&c->dev, 0x40, 9, ch, got), TL_ATCA_OK);
        ref_mac(key, ch, 0x40, 9, sn, want);
        assert_memory_equal(got, want, 32);
        assert_int_equal(tl_atca_mac(&c->dev, 0x00, 9, ch, got), TL_ATCA_OK);
        ref_mac(key, ch, 0x00, 9, sn, want);
        assert_memory_equal(got, want, 32);
        /* ...and by the chip: OtherData that rebuilds the MAC message. */
        assert_int_equal(tl_atca_checkmac(&c->dev, 0x00, 9, ch, got, other), TL_ATCA_OK);
        got[31] ^= 0x80;
        assert_int_equal(tl_atca_checkmac(&c->dev, 0x00, 9, ch, got, other),
                         TL_ATCA_ERR_MISCOMPARE);
        assert_int_equal(c->dev.last_chip_status, 0x01);
        /* A ClientResp the host computes with arbitrary OtherData. */
        memset(other, 0x5D, sizeof other);
        ref_checkmac(key, ch, other, sn, want);
        assert_int_equal(tl_atca_checkmac(&c->dev, 0x00, 9, ch, want, other), TL_ATCA_OK);
        other[12] ^= 1;
        assert_int_equal(tl_atca_checkmac(&c->dev, 0x00, 9, ch, want, other),
                         TL_ATCA_ERR_MISCOMPARE);
        /* HMAC-SHA256 with the slot's key, across a block boundary. */
        for (size_t i = 0; i < sizeof msg; i++)
            msg[i] = (uint8_t)(i * 3);
        br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
        br_hmac_init(&hc, &kc, 32);
        br_hmac_update(&hc, msg, sizeof msg);
        br_hmac_out(&hc, want);
        assert_int_equal(tl_atca_hmac(&c->dev, 9, msg, sizeof msg, got), TL_ATCA_OK);
        assert_memory_equal(got, want, 32);
        /* A private key is no HMAC key. */
        assert_int_equal(tl_atca_hmac(&c->dev, 0, msg, 10, got), TL_ATCA_ERR_EXEC);
        chip_free(c);
    }
}

static void test_sign_internal(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        uint8_t key[32], sn[9], cfg[128], tk0[32], tk1[32], dig[32], sig[64], pub0[64];
        uint8_t pub1[64], pub2[64], head[3];
        chip *c;
        memset(key, 0x19, sizeof key);
        memset(tk0, 0xE2, sizeof tk0);
        c = with_slot9_key(models[m], 102, key, sn, cfg);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub0), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey(&c->dev, 1, pub1), TL_ATCA_OK);
        /* A pass-through TempKey is not the chip's own: refused. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_sign_internal(&c->dev, 0, 0, sig), TL_ATCA_ERR_EXEC);
        /* After GenDig of slot 9, with and without the full SN. TempKey
         * flags: KeyId 9, pass-through source, GenDig = 0x39. */
        for (int with_sn = 0; with_sn < 2; with_sn++) {
            assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
            assert_int_equal(tl_atca_gendig(&c->dev, 2, 9, NULL, 0), TL_ATCA_OK);
            ref_gendig_simple(key, 2, 9, sn, tk0, tk1);
            assert_int_equal(tl_atca_sign_internal(&c->dev, 0, with_sn, sig), TL_ATCA_OK);
            ref_sign_internal(tk1, with_sn ? 0x40 : 0x00, 0, get16(cfg + 20 + 18),
                              get16(cfg + 96 + 18), 0x39, sn, 0, dig);
            assert_true(soft_verify(pub0, dig, sig));
            /* Used up. */
            assert_int_equal(tl_atca_sign_internal(&c->dev, 0, with_sn, sig), TL_ATCA_ERR_EXEC);
        }
        /* GenKey digest (mode 0x08) of slot 1's key, signed by slot 0:
         * flags KeyId 1, pass-through, GenKey = 0x51. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey_with_digest(&c->dev, 1, 0, pub2), TL_ATCA_OK);
        assert_memory_equal(pub2, pub1, 64);
        head[0] = 0x08;
        head[1] = 1;
        head[2] = 0;
        ref_genkey_digest(tk0, head, sn, pub1, tk1);
        assert_int_equal(tl_atca_sign_internal(&c->dev, 0, 1, sig), TL_ATCA_OK);
        ref_sign_internal(tk1, 0x40, 0, get16(cfg + 20 + 2), get16(cfg + 96 + 2), 0x51, sn, 0,
                          dig);
        assert_true(soft_verify(pub0, dig, sig));
        /* Mode 0x0C: a new key in slot 2 and its digest. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey_with_digest(&c->dev, 2, 1, pub2), TL_ATCA_OK);
        assert_int_equal(tl_atca_get_pubkey(&c->dev, 2, pub1), TL_ATCA_OK);
        assert_memory_equal(pub2, pub1, 64);
        head[0] = 0x0C;
        head[1] = 2;
        ref_genkey_digest(tk0, head, sn, pub2, tk1);
        assert_int_equal(tl_atca_sign_internal(&c->dev, 1, 0, sig), TL_ATCA_OK);
        ref_sign_internal(tk1, 0x00, 1, get16(cfg + 20 + 4), get16(cfg + 96 + 4), 0x52, sn, 0,
                          dig);
        assert_int_equal(tl_atca_get_pubkey(&c->dev, 1, pub1), TL_ATCA_OK);
        assert_true(soft_verify(pub1, dig, sig));
        /* Digest modes need a valid TempKey (sleep clears it). */
        assert_int_equal(tl_atca_sleep(&c->dev), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey_with_digest(&c->dev, 1, 0, pub2), TL_ATCA_ERR_EXEC);
        chip_free(c);
    }
}

/* Run GenDig (after a pass-through of tk0) and check the TempKey it made
 * through a MAC (mode 0x05: TempKey as challenge) with slot 9's key. */
static void check_gendig(chip *c, const uint8_t key[32], const uint8_t sn[9],
                         const uint8_t tk0[32], uint8_t zone, uint16_t id,
                         const uint8_t *other, size_t olen, const uint8_t want_tk[32])
{
    uint8_t got[32], want[32];
    assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
    assert_int_equal(tl_atca_gendig(&c->dev, zone, id, other, olen), TL_ATCA_OK);
    assert_int_equal(tl_atca_mac(&c->dev, 0x05, 9, NULL, got), TL_ATCA_OK);
    ref_mac(key, want_tk, 0x05, 9, sn, want);
    assert_memory_equal(got, want, 32);
}

static void test_gendig_zones(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        uint8_t key[32], sn[9], cfg[128], tk0[32], tk[32], otp[32], other[32], tail[25];
        uint8_t head[4], zero[32] = { 0 };
        uint32_t cnt = 0;
        chip *c;
        memset(key, 0x0D, sizeof key);
        memset(tk0, 0x64, sizeof tk0);
        memset(other, 0xB3, sizeof other);
        c = with_slot9_key(models[m], 108, key, sn, cfg);
        /* Config block 1 and OTP block 0 (both models). */
        ref_gendig_simple(cfg + 32, 0, 1, sn, tk0, tk);
        check_gendig(c, key, sn, tk0, 0, 1, NULL, 0, tk);
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_OTP, 0, 0, 0, otp, 32), TL_ATCA_OK);
        ref_gendig_simple(otp, 1, 0, sn, tk0, tk);
        check_gendig(c, key, sn, tk0, 1, 0, NULL, 0, tk);
        if (models[m] != TL_ATCA_MODEL_608A) {
            assert_int_equal(tl_atca_gendig(&c->dev, 3, 0, other, 32), TL_ATCA_ERR_PARSE);
            assert_int_equal(tl_atca_gendig(&c->dev, 4, 0, NULL, 0), TL_ATCA_ERR_PARSE);
            chip_free(c);
            continue;
        }
        /* Shared nonce: OtherData first, or (KeyID bit 15) TempKey first and
         * OtherData last; only param2's low byte is hashed. */
        memset(tail, 0, sizeof tail);
        head[0] = 0x15;
        head[1] = 3;
        head[2] = 0x02;
        head[3] = 0;
        ref_gendig(other, head, sn, tail, tk0, tk);
        check_gendig(c, key, sn, tk0, 3, 0x0002, other, 32, tk);
        ref_gendig(tk0, head, sn, tail, other, tk);
        check_gendig(c, key, sn, tk0, 3, 0x8002, other, 32, tk);
        /* Counter 1 and the key config of slot 9. */
        assert_int_equal(tl_atca_counter(&c->dev, 1, 1, &cnt), TL_ATCA_OK);
        head[1] = 4;
        head[2] = 1;
        tail[1] = (uint8_t)cnt;
        tail[2] = (uint8_t)(cnt >> 8);
        tail[3] = (uint8_t)(cnt >> 16);
        tail[4] = (uint8_t)(cnt >> 24);
        ref_gendig(zero, head, sn, tail, tk0, tk);
        check_gendig(c, key, sn, tk0, 4, 1, NULL, 0, tk);
        memset(tail, 0, sizeof tail);
        head[1] = 5;
        head[2] = 9;
        memcpy(tail + 1, cfg + 20 + 18, 2);
        memcpy(tail + 3, cfg + 96 + 18, 2);
        tail[5] = 0x01;                       /* slot 9 not locked */
        ref_gendig(zero, head, sn, tail, tk0, tk);
        check_gendig(c, key, sn, tk0, 5, 9, NULL, 0, tk);
        chip_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gendig_mac_checkmac_hmac),
        cmocka_unit_test(test_sign_internal),
        cmocka_unit_test(test_gendig_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
