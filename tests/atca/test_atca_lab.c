/*
 * The driver against the emulator on a "lab" layout (lab_config: PrivWrite
 * slot, stored public key, LimitedUse slot, 608A IO protection): PrivWrite
 * in the clear and encrypted, GenKey PubKey digest, counters at 2,097,151,
 * UpdateExtra's limited-use mode, ECDH with encrypted output and Verify
 * with MAC. Host-side values from atca_host_ref.c and BearSSL.
 */
#include "atca_host_ref.h"

static void test_privwrite_and_pubkey_digest(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 103);
        uint8_t cfg[128], sn[9], v[36] = { 0 }, pub[64], got[64], wk[32], tk0[32], tk1[32];
        uint8_t d68[68], dig[32], sig[64], slot10[72] = { 0 }, other[3] = { 0x11, 0x22, 0x33 };
        uint8_t pub0[64], head[3];
        lab_config(c, cfg);
        assert_int_equal(tl_atca_read_serial(&c->dev, sn), TL_ATCA_OK);
        /* Clear PrivWrite while the data zone is open. */
        memset(v + 4, 0x21, 32);
        soft_pub(v + 4, pub);
        assert_int_equal(tl_atca_privwrite(&c->dev, LAB_PRIVWRITE_SLOT, v, NULL), TL_ATCA_OK);
        assert_int_equal(tl_atca_get_pubkey(&c->dev, LAB_PRIVWRITE_SLOT, got), TL_ATCA_OK);
        assert_memory_equal(got, pub, 64);
        /* The write key, a stored public key (pad, X, pad, Y), then lock. */
        memset(wk, 0x6B, sizeof wk);
        assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_DATA, LAB_WRITEKEY_SLOT, 0, 0, wk, 32),
                         TL_ATCA_OK);
        memcpy(slot10 + 4, pub, 32);
        memcpy(slot10 + 40, pub + 32, 32);
        assert_int_equal(tl_atca_write_slot(&c->dev, LAB_PUBKEY_SLOT, slot10, 72), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub0), TL_ATCA_OK);
        lock_data(c);
        /* After the lock: clear is refused, encrypted with the right MAC not. */
        assert_int_equal(tl_atca_privwrite(&c->dev, LAB_PRIVWRITE_SLOT, v, NULL),
                         TL_ATCA_ERR_EXEC);
        memset(v + 4, 0x42, 32);
        soft_pub(v + 4, pub);
        memset(tk0, 0x90, sizeof tk0);
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_gendig(&c->dev, 2, LAB_WRITEKEY_SLOT, NULL, 0), TL_ATCA_OK);
        ref_gendig_simple(wk, 2, LAB_WRITEKEY_SLOT, sn, tk0, tk1);
        ref_privwrite(tk1, LAB_PRIVWRITE_SLOT, sn, v, d68);
        d68[40] ^= 1;
        assert_int_equal(tl_atca_privwrite_enc(&c->dev, LAB_PRIVWRITE_SLOT, d68),
                         TL_ATCA_ERR_EXEC);
        d68[40] ^= 1;
        /* The failed attempt used TempKey up: GenDig again. */
        assert_int_equal(tl_atca_privwrite_enc(&c->dev, LAB_PRIVWRITE_SLOT, d68),
                         TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_gendig(&c->dev, 2, LAB_WRITEKEY_SLOT, NULL, 0), TL_ATCA_OK);
        assert_int_equal(tl_atca_privwrite_enc(&c->dev, LAB_PRIVWRITE_SLOT, d68), TL_ATCA_OK);
        assert_int_equal(tl_atca_get_pubkey(&c->dev, LAB_PRIVWRITE_SLOT, got), TL_ATCA_OK);
        assert_memory_equal(got, pub, 64);
        memset(dig, 0xC4, sizeof dig);
        assert_int_equal(tl_atca_sign(&c->dev, LAB_PRIVWRITE_SLOT, dig, sig), TL_ATCA_OK);
        assert_true(soft_verify(pub, dig, sig));
        /* Slot 0 refuses PrivWrite (SlotConfig bit 14 clear). */
        assert_int_equal(tl_atca_privwrite_enc(&c->dev, 0, d68), TL_ATCA_ERR_EXEC);
        /* PubKey digest (mode 0x10) of the stored key in slot 10, then
         * Sign internal over it: flags KeyId 10, pass-through, GenKey. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey_digest(&c->dev, LAB_PUBKEY_SLOT, other), TL_ATCA_OK);
        memcpy(head, other, 3);
        memcpy(got, slot10 + 4, 32);
        memcpy(got + 32, slot10 + 40, 32);
        ref_genkey_digest(tk0, head, sn, got, tk1);
        assert_int_equal(tl_atca_sign_internal(&c->dev, 0, 0, sig), TL_ATCA_OK);
        ref_sign_internal(tk1, 0x00, 0, get16(cfg + 20 + 20), get16(cfg + 96 + 20),
                          0x5A, sn, 0, dig);
        assert_true(soft_verify(pub0, dig, sig));
        /* A private-key slot is no stored public key. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, tk0), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey_digest(&c->dev, 0, other), TL_ATCA_ERR_EXEC);
        chip_free(c);
    }
}

static void test_counter_limit(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 104);
        uint32_t v0 = 0, v = 0, w = 0;
        provision(c);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 0, &v0), TL_ATCA_OK);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 1, &v), TL_ATCA_OK);
        assert_int_equal(v, v0 + 1);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 1, &v), TL_ATCA_OK);
        assert_int_equal(v, v0 + 2);
        assert_int_equal(tl_atca_counter(&c->dev, 1, 0, &w), TL_ATCA_OK);
        ref_set_counter(c->emu, 0, 2097150u);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 1, &v), TL_ATCA_OK);
        assert_int_equal(v, 2097151u);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 1, &v), TL_ATCA_ERR_EXEC);
        assert_int_equal(c->dev.last_chip_status, 0x0F);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 0, &v), TL_ATCA_OK);
        assert_int_equal(v, 2097151u);
        assert_int_equal(tl_atca_counter(&c->dev, 1, 0, &v), TL_ATCA_OK);
        assert_int_equal(v, w);
        chip_free(c);
    }
}

static void test_updateextra_limited_use(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 105);
        uint8_t cfg[128], w[4];
        uint32_t v0 = 0, v = 0;
        lab_config(c, cfg);
        lock_data(c);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 0, &v0), TL_ATCA_OK);
        /* Slot 9 has no limited use: success, nothing counted. */
        assert_int_equal(tl_atca_updateextra(&c->dev, 2, 9), TL_ATCA_OK);
        assert_int_equal(tl_atca_updateextra(&c->dev, 2, LAB_WRITEKEY_SLOT), TL_ATCA_OK);
        assert_int_equal(tl_atca_counter(&c->dev, 0, 0, &v), TL_ATCA_OK);
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_CONFIG, 0, 2, 1, w, 4), TL_ATCA_OK);
        if (models[m] == TL_ATCA_MODEL_608A) {
            /* 608A: one use = one count of Counter[0], up to its limit. */
            assert_int_equal(v, v0 + 1);
            ref_set_counter(c->emu, 0, 2097151u);
            assert_int_equal(tl_atca_updateextra(&c->dev, 2, LAB_WRITEKEY_SLOT),
                             TL_ATCA_ERR_EXEC);
        } else {
            /* 508A: slot 15 spends LastKeyUse bits (config byte 68 on). */
            assert_int_equal(v, v0);
            assert_int_equal(w[0], 0xFE);
            assert_int_equal(w[1], 0xFF);
        }
        chip_free(c);
    }
}

static void test_io_protection(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 106);
        uint8_t cfg[128], io[32], pub0[64], peer_priv[32], peer_pub[64], enc[32], nonce[32];
        uint8_t plain[32], g[65], spriv[32], spub[64], dig[32], sig[64], sysn[32], mac[32];
        uint8_t want[32];
        lab_config(c, cfg);
        memset(io, 0xD7, sizeof io);
        assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_DATA, LAB_IO_SLOT, 0, 0, io, 32),
                         TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub0), TL_ATCA_OK);
        lock_data(c);
        memset(peer_priv, 0x35, 32);
        soft_pub(peer_priv, peer_pub);
        memset(spriv, 0x4E, 32);
        soft_pub(spriv, spub);
        memset(dig, 0x2A, 32);
        soft_sign(spriv, dig, sig);
        memset(sysn, 0x81, 32);
        if (models[m] != TL_ATCA_MODEL_608A) {
            assert_int_equal(tl_atca_ecdh_ioenc(&c->dev, 0, peer_pub, enc, nonce),
                             TL_ATCA_ERR_UNSUPPORTED);
            assert_int_equal(tl_atca_verify_extern_mac(&c->dev, dig, sig, spub, sysn, mac),
                             TL_ATCA_ERR_UNSUPPORTED);
            chip_free(c);
            continue;
        }
        /* ECDH output encrypted with the IO key; the host opens it. */
        assert_int_equal(tl_atca_ecdh_ioenc(&c->dev, 0, peer_pub, enc, nonce), TL_ATCA_OK);
        ref_io_decrypt(io, nonce, enc, plain);
        g[0] = 0x04;
        memcpy(g + 1, pub0, 64);
        assert_int_equal(br_ec_p256_m15.mul(g, 65, peer_priv, 32, BR_EC_secp256r1), 1);
        assert_memory_equal(plain, g + 1, 32);
        assert_memory_not_equal(enc, g + 1, 32);
        /* Verify with MAC: the chip's MAC matches the host's. */
        assert_int_equal(tl_atca_verify_extern_mac(&c->dev, dig, sig, spub, sysn, mac),
                         TL_ATCA_OK);
        ref_verify_mac(io, dig, sysn, sig, 0xA2, 4, want);
        assert_memory_equal(mac, want, 32);
        sig[5] ^= 1;
        assert_int_equal(tl_atca_verify_extern_mac(&c->dev, dig, sig, spub, sysn, mac),
                         TL_ATCA_ERR_MISCOMPARE);
        chip_free(c);
        /* Without IO protection in ChipOptions (default layout): refused. */
        c = chip_new(models[m], 107);
        provision(c);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub0), TL_ATCA_OK);
        assert_int_equal(tl_atca_ecdh_ioenc(&c->dev, 0, peer_pub, enc, nonce), TL_ATCA_ERR_EXEC);
        sig[5] ^= 1;
        assert_int_equal(tl_atca_verify_extern_mac(&c->dev, dig, sig, spub, sysn, mac),
                         TL_ATCA_ERR_EXEC);
        chip_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_privwrite_and_pubkey_digest),
        cmocka_unit_test(test_counter_limit),
        cmocka_unit_test(test_updateextra_limited_use),
        cmocka_unit_test(test_io_protection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
