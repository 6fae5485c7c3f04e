/*
 * Emulator details behind the driver-level tests: ChipOptions.ECDHProt,
 * NoMac GenDig with OtherData, the 608A Nonce targets and what they do to
 * TempKey, Verify MAC's TempKey-source nonce, Info State after GenKey digest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bearssl.h>

#include "emu_util.h"

static void sha(const uint8_t *a, size_t n, uint8_t out[32])
{
    br_sha256_context h;
    br_sha256_init(&h);
    br_sha256_update(&h, a, n);
    br_sha256_out(&h, out);
}

/* 608A chip: ChipOptions = co, IO key 0x5A.. in slot 6, keys in 0-2, locked. */
static tl_emu *with_options(uint16_t co, uint8_t pub0[64])
{
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 71);
    uint8_t w[4] = { 0xFF, 0xFF, (uint8_t)co, (uint8_t)(co >> 8) }, io[32];
    size_t olen;
    /* Word 22: SlotLocked (88-89, left all ones) and ChipOptions (90-91). */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, (2 << 3) | 6, w, 4, NULL, NULL), 0);
    emu_lock(e, 0);
    memset(io, 0x5A, sizeof io);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 6 << 3, io, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 1, NULL, 0, pub0, &olen), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    return e;
}

static void test_ecdh_prot(void **state)
{
    uint8_t pub[64], peer[64], priv[32], out[64];
    size_t olen;
    tl_emu *e;
    (void)state;
    emu_soft_key(priv, peer, "ecdh prot");
    /* ECDHProt 0: the mode decides (0x0C clear 32 bytes, 0x0E 64 bytes). */
    e = with_options(0x6002, pub);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0C, 1, peer, 64, out, &olen), 0);
    assert_int_equal(olen, 32);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0E, 1, peer, 64, out, &olen), 0);
    assert_int_equal(olen, 64);
    free(e);
    /* ECDHProt 1: clear requests come out encrypted too. */
    e = with_options(0x6102, pub);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0C, 1, peer, 64, out, &olen), 0);
    assert_int_equal(olen, 64);
    free(e);
    /* ECDHProt 2: no output to the buffer; TempKey is fine. */
    e = with_options(0x6202, pub);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0C, 1, peer, 64, out, &olen), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0E, 1, peer, 64, out, &olen), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x08, 1, peer, 64, out, &olen), 0);
    free(e);
    /* Encryption asked without IOProtKeyEnable. */
    e = with_options(0x6000, pub);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0E, 1, peer, 64, out, &olen), 0x0F);
    free(e);
}

static void test_nonce_targets(void **state)
{
    uint8_t pub[64], m64[64], st[4], sig[64], priv[32], spub[64], data[128], io[32];
    uint8_t msg[164], want[32], got[32];
    size_t olen;
    br_ec_private_key sk;
    tl_emu *e = with_options(0x6002, pub);
    (void)state;
    memset(m64, 0x31, sizeof m64);
    emu_nonce_load(e, m64);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, st, NULL), 0);
    assert_int_equal(st[1], 0x80);                /* TempKey valid */
    /* MsgDigBuf and AltKeyBuf loads leave TempKey invalid. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_NONCE, 0x83, 0, m64, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, st, NULL), 0);
    assert_int_equal(st[1], 0x00);
    emu_nonce_load(e, m64);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_NONCE, 0x63, 0, m64, 64, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, st, NULL), 0);
    assert_int_equal(st[1], 0x00);
    /* Verify with MAC, message in TempKey: the system nonce is
     * MsgDigBuf[0:32], loaded before TempKey (which the load would clear). */
    emu_soft_key(priv, spub, "verify mac tempkey");
    sk.curve = BR_EC_secp256r1;
    sk.x = priv;
    sk.xlen = 32;
    memset(m64, 0x47, 32);                       /* the digest */
    memset(m64 + 32, 0x99, 32);                  /* the system nonce */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_NONCE, 0x43, 0, m64 + 32, 32, NULL, NULL), 0);
    emu_nonce_load(e, m64);
    assert_int_equal(br_ecdsa_i31_sign_raw(&br_ec_p256_m15, &br_sha256_vtable, m64, &sk, sig), 64);
    memcpy(data, sig, 64);
    memcpy(data + 64, spub, 64);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_VERIFY, 0x82, 4, data, 128, got, &olen), 0);
    assert_int_equal(olen, 32);
    memset(io, 0x5A, sizeof io);
    memcpy(msg, io, 32);
    memcpy(msg + 32, m64, 32);
    memcpy(msg + 64, m64 + 32, 32);
    memcpy(msg + 96, sig, 64);
    msg[160] = 0x45;
    msg[161] = 0x82;
    msg[162] = 4;
    msg[163] = 0;
    sha(msg, sizeof msg, want);
    assert_memory_equal(got, want, 32);
    /* MAC source MsgDigBuf needs 64 bytes there (message + nonce). */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_NONCE, 0x43, 0, m64, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_VERIFY, 0xA2, 4, data, 128, got, &olen), 0x0F);
    free(e);
}

/* GenDig of a NoMac key: its 4 bytes of OtherData replace opcode and
 * params, and the TempKey it makes never feeds a MAC. */
static void test_gendig_nomac(void **state)
{
    uint8_t sc[4] = { 0x10, 0x00, 0x00, 0x00 }, key[32], tk[32], other[4] = { 1, 2, 3, 4 };
    uint8_t in[96], sn[9], got[64], want[32], pub[64], m[55], dig[32];
    size_t olen;
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 72);
    (void)state;
    /* Slot 8: SlotConfig 0x0010 (NoMac), slot 9: 0x0000. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, (1 << 3) | 1, sc, 4, NULL, NULL), 0);
    emu_lock(e, 0);
    memset(key, 0x2F, sizeof key);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 8 << 3, key, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 9 << 3, key, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, pub, &olen), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    tl_emu_serial(e, sn);
    memset(tk, 0x13, sizeof tk);
    emu_nonce_load(e, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 2, 8, NULL, 0, NULL, NULL), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 2, 8, other, 4, NULL, NULL), 0);
    memset(in, 0, sizeof in);
    memcpy(in, key, 32);
    memcpy(in + 32, other, 4);
    in[36] = sn[8];
    in[37] = sn[0];
    in[38] = sn[1];
    memcpy(in + 64, tk, 32);
    sha(in, sizeof in, want);
    /* The NoMac TempKey refuses MAC; slot 9 as key, TempKey as challenge. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_MAC, 0x05, 9, NULL, 0, got, &olen), 0x0F);
    /* Internal Sign shows it: flags NoMac|GenDig|pass-through|KeyId 8 = 0xB8,
     * SlotConfig 0x0010, KeyConfig 0x003C, slot 8 unlocked. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x00, 0, NULL, 0, got, &olen), 0);
    memset(m, 0, sizeof m);
    memcpy(m, want, 32);
    m[32] = 0x41;
    m[36] = 0x10;
    m[38] = 0x3C;
    m[40] = 0xB8;
    m[43] = sn[8];
    m[48] = sn[0];
    m[49] = sn[1];
    m[52] = 0x01;
    sha(m, sizeof m, dig);
    assert_true(emu_verify_sig(pub, dig, got));
    /* Slot 9 (MAC allowed) with 4 bytes of OtherData: hashed as usual. */
    emu_nonce_load(e, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 2, 9, other, 4, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_MAC, 0x05, 9, NULL, 0, got, &olen), 0);
    free(e);
}

static void test_genkey_digest_state(void **state)
{
    uint8_t pub[64], tk[32], st[4], out[64];
    size_t olen;
    tl_emu *e = emu_provisioned(TL_ATCA_MODEL_508A, 73, pub);
    (void)state;
    memset(tk, 0x55, sizeof tk);
    emu_nonce_load(e, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x08, 2, NULL, 0, out, &olen), 0);
    assert_int_equal(olen, 64);
    /* Info State: valid, GenKey, pass-through source, KeyId 2. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, st, NULL), 0);
    assert_int_equal(st[0], 0x52);
    assert_int_equal(st[1], 0x80);
    /* After a config-zone GenDig TempKey is valid but not GenDig data. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 0, 0, NULL, 0, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, st, NULL), 0);
    assert_int_equal(st[0], 0x10);
    assert_int_equal(st[1], 0x80);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x00, 0, NULL, 0, out, &olen), 0x0F);
    free(e);
}

/* Sign internal needs IntSig (ReadKey bit 1) on the signing slot. */
static void test_sign_internal_intsig(void **state)
{
    uint8_t sc01[4] = { 0x81, 0x20, 0x87, 0x20 }, pub[64], tk[32], sig[64];
    size_t olen;
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 75);
    (void)state;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 5, sc01, 4, NULL, NULL), 0);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, pub, &olen), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 1, NULL, 0, pub, &olen), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    memset(tk, 0x0E, sizeof tk);
    emu_nonce_load(e, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x08, 0, NULL, 0, pub, &olen), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x00, 0, NULL, 0, sig, &olen), 0x0F);
    /* The refusal left TempKey alone: slot 1 (IntSig) signs it. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x00, 1, NULL, 0, sig, &olen), 0);
    assert_int_equal(olen, 64);
    free(e);
}

/* SHA mode 3 hashes the public key stored in a slot (without its pads). */
static void test_sha_public(void **state)
{
    int m;
    (void)state;
    for (m = 0; m < 2; m++) {
        tl_emu *e = emu_new(m ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A, 74);
        uint8_t kc[4] = { 0x30, 0x00, 0x3C, 0x00 }, slot[72], got[32], want[32], xy[64];
        size_t i, olen;
        /* KeyConfig word 29: slots 10 (P-256 public) and 11. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, (3 << 3) | 5, kc, 4, NULL, NULL), 0);
        emu_lock(e, 0);
        for (i = 0; i < sizeof slot; i++)
            slot[i] = (uint8_t)(i * 5 + 1);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 10 << 3, slot, 32, NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, (10 << 3) | (1 << 8), slot + 32, 32,
                                 NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x02, (10 << 3) | (2 << 8), slot + 64, 4,
                                 NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x02, (10 << 3) | (2 << 8) | 1, slot + 68,
                                 4, NULL, NULL), 0);
        memcpy(xy, slot + 4, 32);
        memcpy(xy + 32, slot + 40, 32);
        sha(xy, sizeof xy, want);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 0, 0, NULL, 0, NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 3, 10, NULL, 0, NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 2, 0, NULL, 0, got, &olen), 0);
        assert_int_equal(olen, 32);
        assert_memory_equal(got, want, 32);
        /* A data slot is no public key. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 0, 0, NULL, 0, NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 3, 11, NULL, 0, NULL, NULL), 0x0F);
        free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdh_prot),
        cmocka_unit_test(test_nonce_targets),
        cmocka_unit_test(test_gendig_nomac),
        cmocka_unit_test(test_genkey_digest_state),
        cmocka_unit_test(test_sha_public),
        cmocka_unit_test(test_sign_internal_intsig),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
