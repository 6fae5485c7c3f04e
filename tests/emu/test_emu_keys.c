/* tl_emu key commands: GenKey, Sign, Verify, ECDH, PrivWrite, checked with BearSSL. */
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

static void test_genkey_sign(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        tl_emu *e = emu_new(models[i], 10 + i);
        uint8_t pub[64], pub2[64], priv[32], digest[32], sig[64];
        size_t olen;
        br_ec_private_key sk;
        br_ec_public_key pk;
        uint8_t pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, pub, &olen), EXEC);
        emu_lock(e, 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x00, 0, NULL, 0, pub, &olen), EXEC);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, pub, &olen), OK);
        assert_int_equal(olen, 64);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x00, 0, NULL, 0, pub2, &olen), OK);
        assert_memory_equal(pub, pub2, 64);
        /* The debug accessor agrees with the public key. */
        assert_int_equal(tl_emu_debug_private_key(e, 0, priv), 0);
        assert_int_equal(tl_emu_debug_private_key(e, 1, priv), -1);
        assert_int_equal(tl_emu_debug_private_key(e, 0, priv), 0);
        sk.curve = BR_EC_secp256r1;
        sk.x = priv;
        sk.xlen = 32;
        assert_int_equal(br_ec_compute_pub(br_ec_get_default(), &pk, pbuf, &sk), 65);
        assert_memory_equal(pbuf + 1, pub, 64);
        /* Info KeyValid. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 1, 0, NULL, 0, pub2, &olen), OK);
        assert_int_equal(pub2[0], 1);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_INFO, 1, 1, NULL, 0, pub2, &olen), OK);
        assert_int_equal(pub2[0], 0);
        /* Sign needs the data zone locked. */
        memset(digest, 0x42, sizeof digest);
        emu_nonce_load(e, digest);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0, sig, &olen), EXEC);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), OK);
        emu_nonce_load(e, digest);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0, sig, &olen), OK);
        assert_int_equal(olen, 64);
        assert_true(emu_verify_sig(pub, digest, sig));
        digest[0] ^= 1;
        assert_false(emu_verify_sig(pub, digest, sig));
        /* TempKey was consumed. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x80, 0, NULL, 0, sig, &olen), EXEC);
        /* GenKey again on a slot that allows it makes a different key. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0, NULL, 0, pub2, &olen), OK);
        assert_memory_not_equal(pub, pub2, 64);
        free(e);
    }
}

static void test_verify_external(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        tl_emu *e = emu_new(models[i], 20);
        uint8_t priv[32], buf[128], digest[32];
        br_ec_private_key sk;
        emu_soft_key(priv, buf + 64, "verify");
        memset(digest, 0x17, sizeof digest);
        sk.curve = BR_EC_secp256r1;
        sk.x = priv;
        sk.xlen = 32;
        assert_int_equal(br_ecdsa_i31_sign_raw(br_ec_get_default(), &br_sha256_vtable, digest, &sk, buf), 64);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_VERIFY, 0x02, 4, buf, 128, NULL, NULL), EXEC);
        emu_nonce_load(e, digest);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_VERIFY, 0x02, 4, buf, 128, NULL, NULL), OK);
        emu_nonce_load(e, digest);
        buf[5] ^= 0x40;
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_VERIFY, 0x02, 4, buf, 128, NULL, NULL), 0x01);
        buf[5] ^= 0x40;
        emu_nonce_load(e, digest);
        buf[64 + 63] ^= 1;                    /* not a point of the curve */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_VERIFY, 0x02, 4, buf, 128, NULL, NULL),
                         TL_ATCA_ST_ECC_FAULT);
        free(e);
    }
}

static void test_ecdh(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        uint8_t pub0[64], pub1[64], priv[32], mypub[64], x[64], g[65];
        size_t olen;
        tl_emu *e = emu_provisioned(models[i], 30 + i, pub0);
        emu_soft_key(priv, mypub, "ecdh");
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x00, 1, NULL, 0, pub1, &olen), OK);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0C, 1, mypub, 64, x, &olen), OK);
        assert_int_equal(olen, 32);
        g[0] = 0x04;
        memcpy(g + 1, pub1, 64);
        assert_int_equal(br_ec_get_default()->mul(g, 65, priv, 32, BR_EC_secp256r1), 1);
        assert_memory_equal(x, g + 1, 32);
        /* Mode 0x00 gives the same on a slot without WriteECDH. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x00, 1, mypub, 64, x, &olen), OK);
        assert_memory_equal(x, g + 1, 32);
        /* Slot 0 lacks the ECDH permission. */
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0C, 0, mypub, 64, x, &olen), EXEC);
        mypub[10] ^= 1;
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0C, 1, mypub, 64, x, &olen),
                         TL_ATCA_ST_ECC_FAULT);
        mypub[10] ^= 1;
        if (models[i] == TL_ATCA_MODEL_608A) {
            /* Key in TempKey (GenKey KeyId 0xFFFF), ECDH from TempKey. */
            uint8_t tpub[64];
            assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, 0xFFFF, NULL, 0, tpub, &olen), OK);
            assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0D, 0, mypub, 64, x, &olen), OK);
            memcpy(g + 1, tpub, 64);
            assert_int_equal(br_ec_get_default()->mul(g, 65, priv, 32, BR_EC_secp256r1), 1);
            assert_memory_equal(x, g + 1, 32);
        } else {
            assert_int_equal(emu_cmd(e, TL_ATCA_OP_ECDH, 0x0D, 1, mypub, 64, x, &olen), 0x03);
        }
        free(e);
    }
}

/* PrivWrite in clear: after the config lock, before the data lock. */
static void test_privwrite(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        tl_emu *e = emu_new(models[i], 40);
        uint8_t priv[32], pub[64], got[64], d[68], digest[32], sig[64], dbg[32];
        size_t olen;
        emu_soft_key(priv, pub, "privwrite");
        memset(d, 0, sizeof d);
        memcpy(d + 4, priv, 32);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 2, d, 68, NULL, NULL), EXEC);
        emu_lock(e, 0);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 2, d, 36, NULL, NULL), 0x03);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 8, d, 68, NULL, NULL), EXEC);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x40, 2, d, 68, NULL, NULL), EXEC);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 2, d, 68, NULL, NULL), OK);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x00, 2, NULL, 0, got, &olen), OK);
        assert_memory_equal(got, pub, 64);
        assert_int_equal(tl_emu_debug_private_key(e, 2, dbg), 0);
        assert_memory_equal(dbg, priv, 32);
        /* Out-of-range scalars are refused: zero and >= the group order. */
        memset(d + 4, 0, 32);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 1, d, 68, NULL, NULL), EXEC);
        memset(d + 4, 0xFF, 32);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 1, d, 68, NULL, NULL), EXEC);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), OK);
        memcpy(d + 4, priv, 32);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_PRIVWRITE, 0x00, 2, d, 68, NULL, NULL), EXEC);
        /* The written key signs (slot 2: ExtSig). */
        memset(digest, 0x99, sizeof digest);
        emu_nonce_load(e, digest);
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_SIGN, 0x80, 2, NULL, 0, sig, &olen), OK);
        assert_true(emu_verify_sig(pub, digest, sig));
        free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genkey_sign),
        cmocka_unit_test(test_verify_external),
        cmocka_unit_test(test_ecdh),
        cmocka_unit_test(test_privwrite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
