/*
 * The driver against the real emulator, in process (tl_bus_emu_local), on
 * both models: every command's success path and documented errors, and the
 * default layout. Results are checked independently with BearSSL.
 */
#include "emu_chip.h"
static void test_info_and_config(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 11);
        uint8_t rev[4], cfg[128], sn[9], w[4];
        int cl = 1, dl = 1;
        assert_int_equal(tl_atca_info(&c->dev, 0, 0, rev), TL_ATCA_OK);
        assert_int_equal(rev[2], m ? 0x60 : 0x50);
        assert_int_equal(tl_atca_read_config(&c->dev, cfg), TL_ATCA_OK);
        assert_memory_equal(cfg + 4, rev, 4);          /* RevNum in the config zone */
        assert_int_equal(tl_atca_read_serial(&c->dev, sn), TL_ATCA_OK);
        assert_memory_equal(sn, cfg, 4);
        assert_memory_equal(sn + 4, cfg + 8, 5);
        assert_int_equal(tl_atca_lock_state(&c->dev, &cl, &dl), TL_ATCA_OK);
        assert_false(cl);
        assert_false(dl);
        /* 4-byte config read at an address, and its bounds. */
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_CONFIG, 0, 0, 1, w, 4), TL_ATCA_OK);
        assert_memory_equal(w, cfg + 4, 4);
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_CONFIG, 0, 4, 0, w, 4), TL_ATCA_ERR_ARG);
        /* SN is factory-only: the chip refuses. */
        assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_CONFIG, 0, 0, 0, w, 4), TL_ATCA_ERR_EXEC);
        /* Data reads before the data lock: refused by the chip. */
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_DATA, 8, 0, 0, w, 4), TL_ATCA_ERR_EXEC);
        /* Keys need a locked config zone. */
        assert_int_equal(tl_atca_genkey(&c->dev, 0, NULL), TL_ATCA_ERR_EXEC);
        /* A wrong zone CRC: the chip refuses to lock. */
        assert_int_equal(tl_atca_lock(&c->dev, 0x00, (uint16_t)(tl_atca_crc16(cfg, 128) ^ 1)),
                         TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_last_error(&c->dev), TL_ATCA_ERR_EXEC);
        assert_int_equal(c->dev.last_chip_status, 0x0F);
        provision(c);
        /* Locked: config writes and a second lock are refused, setup is
         * idempotent. */
        assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_CONFIG, 0, 0, 5, w, 4), TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_lock_config_zone(&c->dev, cfg), TL_ATCA_ERR_EXEC);
        provision(c);
        chip_free(c);
    }
}

static void test_keys(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 22);
        uint8_t pub[64], pub2[64], sig[64], dig[32], buf[72];
        unsigned s;
        provision(c);
        for (s = 0; s <= 2; s++) {
            assert_int_equal(tl_atca_genkey(&c->dev, s, pub), TL_ATCA_OK);
            assert_int_equal(tl_atca_get_pubkey(&c->dev, s, pub2), TL_ATCA_OK);
            assert_memory_equal(pub, pub2, 64);
            memset(dig, (int)s + 1, sizeof dig);
            assert_int_equal(tl_atca_sign(&c->dev, s, dig, sig), TL_ATCA_OK);
            assert_true(soft_verify(pub, dig, sig));
            assert_int_equal(tl_atca_verify_extern(&c->dev, dig, sig, pub), TL_ATCA_OK);
            dig[0] ^= 1;
            assert_false(soft_verify(pub, dig, sig));
            assert_int_equal(tl_atca_verify_extern(&c->dev, dig, sig, pub), TL_ATCA_ERR_MISCOMPARE);
        }
        /* Documented errors: no key in a data slot, a secret slot never
         * reads, a data slot is no key, Sign without a loaded message. */
        assert_int_equal(tl_atca_genkey(&c->dev, 8, pub), TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_sign(&c->dev, 8, dig, sig), TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_DATA, 0, 0, 0, buf, 32), TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_read_slot(&c->dev, 1, buf, 36), TL_ATCA_ERR_EXEC);
        /* Sleep clears TempKey (idle would keep it). */
        assert_int_equal(tl_atca_sleep(&c->dev), TL_ATCA_OK);
        assert_int_equal(tl_atca_execute(&c->dev, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0, sig, 64),
                         TL_ATCA_ERR_EXEC);
        /* Sign internal needs a TempKey made by GenDig or GenKey digest. */
        assert_int_equal(tl_atca_sign_internal(&c->dev, 0, 0, sig), TL_ATCA_ERR_EXEC);
        /* A point off the curve. */
        memset(pub2, 0x01, 64);
        assert_int_equal(tl_atca_verify_extern(&c->dev, dig, sig, pub2), TL_ATCA_ERR_ECC_FAULT);
        assert_int_equal(tl_atca_ecdh(&c->dev, 0, pub2, buf), TL_ATCA_ERR_ECC_FAULT);
        /* Bad argument never reaches the chip. */
        assert_int_equal(tl_atca_sign(&c->dev, 16, dig, sig), TL_ATCA_ERR_ARG);
        chip_free(c);
    }
}

static void test_ecdh(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 33);
        uint8_t pub[64], peer_priv[32], peer_pub[64], z_chip[32], g[65];
        provision(c);
        assert_int_equal(tl_atca_genkey(&c->dev, 0, pub), TL_ATCA_OK);
        memset(peer_priv, 0x42, 32);
        soft_pub(peer_priv, peer_pub);
        assert_int_equal(tl_atca_ecdh(&c->dev, 0, peer_pub, z_chip), TL_ATCA_OK);
        /* The peer's side: its private key times the chip's public key. */
        g[0] = 0x04;
        memcpy(g + 1, pub, 64);
        assert_int_equal(br_ec_p256_m15.mul(g, 65, peer_priv, 32, BR_EC_secp256r1), 1);
        assert_memory_equal(z_chip, g + 1, 32);
        /* ECDH into a slot: slot 0|1 = 1 holds a private key, refused. On
         * the 508A the layout's slots lack WriteECDH, so the driver refuses
         * the secret that came out instead. */
        assert_int_equal(tl_atca_ecdh_to_slot(&c->dev, 0, peer_pub),
                         m ? TL_ATCA_ERR_EXEC : TL_ATCA_ERR_CONFIG_MISMATCH);
        if (models[m] == TL_ATCA_MODEL_608A) {
            uint8_t slot3[32];
            /* 608A: key in slot 2, the secret lands in slot 2|1 = 3. */
            assert_int_equal(tl_atca_genkey(&c->dev, 2, pub), TL_ATCA_OK);
            assert_int_equal(tl_atca_ecdh_to_slot(&c->dev, 2, peer_pub), TL_ATCA_OK);
            assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_DATA, 3, 0, 0, slot3, 32),
                             TL_ATCA_OK);
            memcpy(g + 1, pub, 64);
            assert_int_equal(br_ec_p256_m15.mul(g, 65, peer_priv, 32, BR_EC_secp256r1), 1);
            assert_memory_equal(slot3, g + 1, 32);
        }
        chip_free(c);
    }
}

static void test_data_random_sha_counter(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 44);
        uint8_t cert[416], back[416], r1[32], r2[32], num[20] = { 0 }, d1[32], d2[32];
        uint8_t msg[200], otp[32], fail = 0xAA;
        uint32_t v0 = 0, v1 = 0;
        size_t lens[] = { 0, 1, 63, 64, 65, 200 }, i;
        /* Before the config lock the chip's RNG gives a fixed pattern. */
        assert_int_equal(tl_atca_random(&c->dev, r1), TL_ATCA_OK);
        assert_int_equal(r1[0], 0xFF);
        assert_int_equal(r1[2], 0x00);
        provision(c);
        for (i = 0; i < sizeof cert; i++)
            cert[i] = (uint8_t)(i * 7 + 3);
        assert_int_equal(tl_atca_write_slot(&c->dev, 8, cert, sizeof cert), TL_ATCA_OK);
        assert_int_equal(tl_atca_read_slot(&c->dev, 8, back, sizeof back), TL_ATCA_OK);
        assert_memory_equal(cert, back, sizeof cert);
        assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_DATA, 9, 2, 1, cert, 4), TL_ATCA_OK);
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_DATA, 9, 2, 1, back, 4), TL_ATCA_OK);
        assert_memory_equal(back, cert, 4);
        assert_int_equal(tl_atca_read_slot(&c->dev, 8, back, 417), TL_ATCA_ERR_ARG);
        assert_int_equal(tl_atca_read(&c->dev, TL_ATCA_ZONE_OTP, 0, 0, 0, otp, 32), TL_ATCA_OK);
        /* Random: 32 bytes that differ call to call. */
        assert_int_equal(tl_atca_random(&c->dev, r1), TL_ATCA_OK);
        assert_int_equal(tl_atca_random(&c->dev, r2), TL_ATCA_OK);
        assert_memory_not_equal(r1, r2, 32);
        assert_int_equal(tl_atca_nonce_rand(&c->dev, num, r1), TL_ATCA_OK);
        assert_memory_not_equal(r1, r2, 32);
        /* SHA-256 by the chip equals BearSSL's, across block boundaries. */
        for (i = 0; i < sizeof msg; i++)
            msg[i] = (uint8_t)(i ^ 0x5A);
        for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            br_sha256_context h;
            br_sha256_init(&h);
            br_sha256_update(&h, msg, lens[i]);
            br_sha256_out(&h, d2);
            assert_int_equal(tl_atca_sha256(&c->dev, msg, lens[i], d1), TL_ATCA_OK);
            assert_memory_equal(d1, d2, 32);
        }
        assert_int_equal(tl_atca_sha_update(&c->dev, msg), TL_ATCA_ERR_EXEC); /* no start */
        /* Counters. */
        assert_int_equal(tl_atca_counter(&c->dev, 1, 0, &v0), TL_ATCA_OK);
        assert_int_equal(tl_atca_counter(&c->dev, 1, 1, &v1), TL_ATCA_OK);
        assert_int_equal(v1, v0 + 1);
        assert_int_equal(tl_atca_counter(&c->dev, 1, 0, &v1), TL_ATCA_OK);
        assert_int_equal(v1, v0 + 1);
        /* UpdateExtra: each byte can be set once. */
        assert_int_equal(tl_atca_updateextra(&c->dev, 0, 0x42), TL_ATCA_OK);
        assert_int_equal(tl_atca_updateextra(&c->dev, 0, 0x43), TL_ATCA_ERR_EXEC);
        /* SelfTest: 608A only. */
        if (models[m] == TL_ATCA_MODEL_608A) {
            assert_int_equal(tl_atca_selftest(&c->dev, 0x3D, &fail), TL_ATCA_OK);
            assert_int_equal(fail, 0);
            assert_int_equal(tl_atca_selftest(&c->dev, 0x02, &fail), TL_ATCA_ERR_PARSE);
        } else {
            assert_int_equal(tl_atca_selftest(&c->dev, 0x3D, &fail), TL_ATCA_ERR_UNSUPPORTED);
        }
        chip_free(c);
    }
}

/* The MAC family's documented refusals, with the exact status each gets
 * (the success paths with host-side digests are in test_atca_host.c). */
static void test_mac_family(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        chip *c = chip_new(models[m], 88);
        uint8_t b32[32] = { 0 }, mac[32], v36[36] = { 0 }, o13[13] = { 0 }, o3[3] = { 0 }, rev[4];
        provision(c);
        /* GenDig needs a TempKey first; none has been loaded. */
        assert_int_equal(tl_atca_gendig(&c->dev, 2, 8, NULL, 0), TL_ATCA_ERR_EXEC);
        /* A MAC over slot 8 (a data slot, factory 0xFF) works... */
        assert_int_equal(tl_atca_mac(&c->dev, 0x00, 8, b32, mac), TL_ATCA_OK);
        /* ...a private key slot is no MAC key, and a wrong response is a
         * miscompare (0x01), not an error. */
        assert_int_equal(tl_atca_mac(&c->dev, 0x00, 0, b32, mac), TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_checkmac(&c->dev, 0x00, 8, b32, b32, o13),
                         TL_ATCA_ERR_MISCOMPARE);
        assert_int_equal(c->dev.last_chip_status, 0x01);
        /* PrivWrite in the clear after the data lock: refused. */
        assert_int_equal(tl_atca_privwrite(&c->dev, 0, v36, NULL), TL_ATCA_ERR_EXEC);
        /* PubKey digest of a private-key slot: refused. */
        assert_int_equal(tl_atca_nonce_load(&c->dev, b32), TL_ATCA_OK);
        assert_int_equal(tl_atca_genkey_digest(&c->dev, 0, o3), TL_ATCA_ERR_EXEC);
        assert_int_equal(tl_atca_info(&c->dev, 0, 0, rev), TL_ATCA_OK);
        chip_free(c);
    }
}

/* 1,000 mixed commands at 5% CRC and 5% NACK faults, with correct results. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info_and_config),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_ecdh),
        cmocka_unit_test(test_data_random_sha_counter),
        cmocka_unit_test(test_mac_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
