/* GenDig, MAC, CheckMac, SHA-HMAC against digests computed here from the datasheet layouts. */
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

/* Config locked, slot 4 (secret, MAC allowed) holds key, data locked. */
static tl_emu *with_key(tl_atca_model m, const uint8_t key[32], uint8_t sn[9])
{
    tl_emu *e = emu_new(m, 61);
    uint8_t blk[32];
    emu_lock(e, 0);
    memcpy(blk, key, 32);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 4 << 3, blk, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    tl_emu_serial(e, sn);
    return e;
}

/* The 88-byte MAC message. */
static void mac_msg(uint8_t msg[88], const uint8_t k[32], const uint8_t ch[32], uint8_t mode,
                    uint16_t p2, const uint8_t sn[9])
{
    memset(msg, 0, 88);
    memcpy(msg, k, 32);
    memcpy(msg + 32, ch, 32);
    msg[64] = 0x08;
    msg[65] = mode;
    msg[66] = (uint8_t)p2;
    msg[67] = (uint8_t)(p2 >> 8);
    msg[79] = sn[8];
    if (mode & 0x40)
        memcpy(msg + 80, sn + 4, 4);
    msg[84] = sn[0];
    msg[85] = sn[1];
    if (mode & 0x40)
        memcpy(msg + 86, sn + 2, 2);
}

static void test_mac(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        uint8_t key[32], ch[32], sn[9], msg[88], want[32], got[32];
        size_t olen;
        tl_emu *e;
        memset(key, 0xA7, sizeof key);
        memset(ch, 0x3B, sizeof ch);
        e = with_key(i ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A, key, sn);
        mac_msg(msg, key, ch, 0x00, 4, sn);
        sha(msg, 88, want);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_MAC, 0x00, 4, ch, 32, got, &olen), 0);
        assert_int_equal(olen, 32);
        assert_memory_equal(got, want, 32);
        mac_msg(msg, key, ch, 0x40, 4, sn);
        sha(msg, 88, want);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_MAC, 0x40, 4, ch, 32, got, &olen), 0);
        assert_memory_equal(got, want, 32);
        free(e);
    }
}

static void test_checkmac(void **state)
{
    uint8_t key[32], sn[9], d[77], msg[88];
    tl_emu *e;
    (void)state;
    memset(key, 0x19, sizeof key);
    e = with_key(TL_ATCA_MODEL_508A, key, sn);
    memset(d, 0x44, 32);                          /* ClientChal */
    for (size_t k = 0; k < 13; k++)
        d[64 + k] = (uint8_t)(k + 1);             /* OtherData */
    memcpy(msg, key, 32);
    memcpy(msg + 32, d, 32);
    memcpy(msg + 64, d + 64, 4);
    memset(msg + 68, 0, 8);
    memcpy(msg + 76, d + 68, 3);
    msg[79] = sn[8];
    memcpy(msg + 80, d + 71, 4);
    msg[84] = sn[0];
    msg[85] = sn[1];
    memcpy(msg + 86, d + 75, 2);
    sha(msg, 88, d + 32);                         /* ClientResp */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_CHECKMAC, 0x00, 4, d, 77, NULL, NULL), 0x00);
    d[40] ^= 1;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_CHECKMAC, 0x00, 4, d, 77, NULL, NULL), 0x01);
    free(e);
}

static void test_gendig_then_mac(void **state)
{
    uint8_t key[32], sn[9], tk[32], in[128], newtk[32], msg[88], want[32], got[32], st[4];
    size_t olen;
    tl_emu *e;
    (void)state;
    memset(key, 0x5E, sizeof key);
    e = with_key(TL_ATCA_MODEL_608A, key, sn);
    memset(tk, 0x71, sizeof tk);
    emu_nonce_load(e, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 2, 4, NULL, 0, NULL, NULL), 0);
    memset(in, 0, sizeof in);
    memcpy(in, key, 32);
    in[32] = 0x15;
    in[33] = 2;
    in[34] = 4;
    in[35] = 0;
    in[36] = sn[8];
    in[37] = sn[0];
    in[38] = sn[1];
    memcpy(in + 64, tk, 32);
    sha(in, 96, newtk);
    /* Info State: valid, GenDig, pass-through source, KeyId 4. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 2, 0, NULL, 0, st, NULL), 0);
    assert_int_equal(st[0], 0x34);
    assert_int_equal(st[1], 0x80);
    /* MAC over the new TempKey as challenge (mode 0x05: SourceFlag 1). */
    mac_msg(msg, key, newtk, 0x05, 4, sn);
    sha(msg, 88, want);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_MAC, 0x05, 4, NULL, 0, got, &olen), 0);
    assert_memory_equal(got, want, 32);
    /* GenDig of config block 0. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 0, 0, NULL, 0, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 0, 4, NULL, 0, NULL, NULL), 0x03);
    free(e);
}

static void test_hmac(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        int is608 = i == 1;
        uint8_t key[32], sn[9], msg[74], want[32], got[32];
        size_t olen;
        br_hmac_key_context kc;
        br_hmac_context hc;
        tl_emu *e;
        memset(key, 0xC3, sizeof key);
        memset(msg, 'm', sizeof msg);
        e = with_key(is608 ? TL_ATCA_MODEL_608A : TL_ATCA_MODEL_508A, key, sn);
        br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
        br_hmac_init(&hc, &kc, 32);
        br_hmac_update(&hc, msg, sizeof msg);
        br_hmac_out(&hc, want);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 4, 4, NULL, 0, NULL, NULL), 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 1, 64, msg, 64, NULL, NULL), 0);
        if (!is608)     /* the 508A ends an HMAC with mode 5 only */
            assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, 2, 10, msg + 64, 10, got, &olen), 0x0F);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SHA, is608 ? 2 : 5, 10, msg + 64, 10, got, &olen), 0);
        assert_int_equal(olen, 32);
        assert_memory_equal(got, want, 32);
        free(e);
    }
}

/* GenDig over slot `key` after a pass-through nonce; returns the TempKey. */
static void gendig(tl_emu *e, unsigned key, const uint8_t keyval[32], const uint8_t sn[9],
                   uint8_t tk_out[32])
{
    uint8_t tk[32], in[96];
    memset(tk, (int)(0x20 + key), sizeof tk);
    emu_nonce_load(e, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENDIG, 2, (uint16_t)key, NULL, 0, NULL, NULL), 0);
    memset(in, 0, sizeof in);
    memcpy(in, keyval, 32);
    in[32] = 0x15;
    in[33] = 2;
    in[34] = (uint8_t)key;
    in[36] = sn[8];
    in[37] = sn[0];
    in[38] = sn[1];
    memcpy(in + 64, tk, 32);
    sha(in, 96, tk_out);
}

/* EncryptRead slot 3 (ReadKey 4) and an Encrypt-write slot 5 (WriteKey 15). */
static void test_encrypted_io(void **state)
{
    uint8_t sc45[4] = { 0x8F, 0x8F, 0x8F, 0x4F }, rkey[32], wkey[32], secret[32], plain[32],
            tk[32], got[32], d[64], in[96], sn[9], ch[32], msg[88], want[32];
    size_t i, olen;
    tl_emu *e = emu_new(TL_ATCA_MODEL_508A, 62);
    (void)state;
    memset(rkey, 0x41, 32);
    memset(wkey, 0x57, 32);
    memset(secret, 0x5E, 32);
    memset(plain, 0x70, 32);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 7, sc45, 4, NULL, NULL), 0);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 4 << 3, rkey, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 15 << 3, wkey, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 3 << 3, secret, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    tl_emu_serial(e, sn);
    /* Encrypted read: without the right GenDig refused, with it XORed. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 3 << 3, NULL, 0, got, &olen), 0x0F);
    gendig(e, 15, wkey, sn, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 3 << 3, NULL, 0, got, &olen), 0x0F);
    gendig(e, 4, rkey, sn, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x02, 3 << 3, NULL, 0, got, &olen), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x82, 3 << 3, NULL, 0, got, &olen), 0);
    for (i = 0; i < 32; i++)
        assert_int_equal(got[i] ^ tk[i], secret[i]);
    /* Encrypted write to slot 5; clear writes to it are refused. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 5 << 3, plain, 32, NULL, NULL), 0x0F);
    gendig(e, 15, wkey, sn, tk);
    for (i = 0; i < 32; i++)
        d[i] = (uint8_t)(plain[i] ^ tk[i]);
    memset(in, 0, sizeof in);
    memcpy(in, tk, 32);
    in[32] = 0x12;
    in[33] = 0xC2;
    in[34] = 5 << 3;
    in[36] = sn[8];
    in[37] = sn[0];
    in[38] = sn[1];
    memcpy(in + 64, plain, 32);
    sha(in, 96, d + 32);
    d[32] ^= 1;                                   /* bad MAC first */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0xC2, 5 << 3, d, 64, NULL, NULL), 0x0F);
    d[32] ^= 1;                                   /* TempKey was used up */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0xC2, 5 << 3, d, 64, NULL, NULL), 0x0F);
    gendig(e, 15, wkey, sn, tk);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0xC2, 5 << 3, d, 64, NULL, NULL), 0);
    /* The slot now holds plain: a MAC with it as key proves it. */
    memset(ch, 0x0C, sizeof ch);
    mac_msg(msg, plain, ch, 0x00, 5, sn);
    sha(msg, 88, want);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_MAC, 0x00, 5, ch, 32, got, &olen), 0);
    assert_memory_equal(got, want, 32);
    free(e);
}

/* Encrypted PrivWrite into slot 2 (PrivWrite allowed, WriteKey 15). */
static void test_privwrite_encrypted(void **state)
{
    uint8_t sc23[4] = { 0x83, 0x6F, 0xC4, 0x8F }, wkey[32], priv[32], pub[64], got[64],
            tk[32], k2[32], d[68], in[96], sn[9], digest[32], sig[64];
    size_t i, olen;
    tl_emu *e = emu_new(TL_ATCA_MODEL_608A, 63);
    (void)state;
    memset(wkey, 0x66, 32);
    emu_soft_key(priv, pub, "encrypted privwrite");
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x00, 6, sc23, 4, NULL, NULL), 0);
    emu_lock(e, 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_WRITE, 0x82, 15 << 3, wkey, 32, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    tl_emu_serial(e, sn);
    gendig(e, 15, wkey, sn, tk);
    sha(tk, 32, k2);
    memset(d, 0, sizeof d);
    memcpy(d + 4, priv, 32);
    memset(in, 0, sizeof in);
    memcpy(in, tk, 32);
    in[32] = 0x46;
    in[33] = 0x40;
    in[34] = 2;
    in[36] = sn[8];
    in[37] = sn[0];
    in[38] = sn[1];
    memcpy(in + 60, d, 36);
    sha(in, 96, d + 36);
    for (i = 0; i < 36; i++)
        d[i] ^= i < 32 ? tk[i] : k2[i - 32];
    /* Slot 0 does not allow PrivWrite; the TempKey is not used up by that. */
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x40, 0, d, 68, NULL, NULL), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 2, d, 68, NULL, NULL), 0x0F);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x40, 2, d, 68, NULL, NULL), 0);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x00, 2, NULL, 0, got, &olen), 0);
    assert_memory_equal(got, pub, 64);
    memset(digest, 0xD1, sizeof digest);
    emu_nonce_load(e, digest);
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x80, 2, NULL, 0, sig, &olen), 0);
    assert_true(emu_verify_sig(pub, digest, sig));
    /* A wrong MAC is refused. */
    gendig(e, 15, wkey, sn, tk);
    d[40] ^= 0x01;
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x40, 2, d, 68, NULL, NULL), 0x0F);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mac),
        cmocka_unit_test(test_checkmac),
        cmocka_unit_test(test_gendig_then_mac),
        cmocka_unit_test(test_hmac),
        cmocka_unit_test(test_encrypted_io),
        cmocka_unit_test(test_privwrite_encrypted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
