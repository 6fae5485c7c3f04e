/*
 * The driver against the emulator on the exact success paths that need a
 * host-side computation (GenDig, MAC/CheckMac, HMAC, Sign internal after
 * GenDig or GenKey digest, PrivWrite clear and encrypted, 608A IO
 * protection, GenDig's 608A zones) plus counters at their limit and
 * UpdateExtra's limited-use mode. Expected values come from
 * atca_host_ref.c (cryptoauthlib's documented layouts) and BearSSL.
 */
#include "atca_host_ref.h"

#define LAB_PRIVWRITE_SLOT 2
#define LAB_IO_SLOT 6
#define LAB_PUBKEY_SLOT 10
#define LAB_WRITEKEY_SLOT 15

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Write the config word holding byte off (before the config lock). */
static void write_cfg_word(chip *c, const uint8_t cfg[128], unsigned off)
{
    unsigned w = off / 4;
    assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_CONFIG, 0, w / 8, w % 8,
                                   cfg + 4 * w, 4), TL_ATCA_OK);
}

/*
 * The default layout, except: slot 2 allows PrivWrite (WriteKey 15), slot
 * 10 is a P-256 public-key slot, slot 15 is LimitedUse, and on the 608A
 * ChipOptions enables the IO protection key in slot 6. Config locked, data
 * zone not yet.
 */
static void lab_config(chip *c, uint8_t cfg[128])
{
    assert_int_equal(tl_atca_setup_write_default(&c->dev, cfg), TL_ATCA_OK);
    put16(cfg + 20 + 2 * LAB_PRIVWRITE_SLOT, 0x6F87);
    write_cfg_word(c, cfg, 20 + 2 * LAB_PRIVWRITE_SLOT);
    put16(cfg + 96 + 2 * LAB_PUBKEY_SLOT, 0x0030);
    write_cfg_word(c, cfg, 96 + 2 * LAB_PUBKEY_SLOT);
    put16(cfg + 20 + 2 * LAB_WRITEKEY_SLOT, 0x0020);
    write_cfg_word(c, cfg, 20 + 2 * LAB_WRITEKEY_SLOT);
    if (c->model == TL_ATCA_MODEL_608A) {
        put16(cfg + 90, (uint16_t)(0x0002 | LAB_IO_SLOT << 12));
        write_cfg_word(c, cfg, 90);
    }
    assert_int_equal(tl_atca_read_config(&c->dev, cfg), TL_ATCA_OK);
    assert_int_equal(get16(cfg + 20 + 2 * LAB_PRIVWRITE_SLOT), 0x6F87);
    assert_int_equal(tl_atca_lock_config_zone(&c->dev, cfg), TL_ATCA_OK);
}

static void lock_data(chip *c)
{
    assert_int_equal(tl_atca_lock_data_zone(&c->dev, NULL, 0), TL_ATCA_OK);
}

/* Default layout, key in data slot 9. */
static chip *with_slot9_key(tl_atca_model m, uint64_t seed, const uint8_t key[32],
                            uint8_t sn[9], uint8_t cfg[128])
{
    chip *c = chip_new(m, seed);
    provision(c);
    assert_int_equal(tl_atca_write(&c->dev, TL_ATCA_ZONE_DATA, 9, 0, 0, key, 32), TL_ATCA_OK);
    assert_int_equal(tl_atca_read_serial(&c->dev, sn), TL_ATCA_OK);
    assert_int_equal(tl_atca_read_config(&c->dev, cfg), TL_ATCA_OK);
    return c;
}

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
        cmocka_unit_test(test_privwrite_and_pubkey_digest),
        cmocka_unit_test(test_counter_limit),
        cmocka_unit_test(test_updateextra_limited_use),
        cmocka_unit_test(test_io_protection),
        cmocka_unit_test(test_gendig_zones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
