/*
 * The chip offload's pieces without a network: refusals of
 * tl_tls_client_use_chip, the verifier's hash handling (SHA-1, SHA-256 and
 * SHA-384 digests, another curve falling back to software), the ECDHE hooks
 * (shared secret checked against BearSSL, the point wiped when there is no
 * key, one claim at a time), on the in-process emulator of both models.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atca/tl_atca_cmd.h"
#include "atca/tl_atca_setup.h"
#include "emu/tl_emu.h"
#include "hal/tl_bus_emu_local.h"
#include "tls/tl_signer_chip.h"
#include "tls/tl_tls.h"

typedef struct {
    tl_emu *emu;
    tl_bus_emu_local bus;
    tl_atca_device dev;
    tl_signer_chip signer;
    tl_tls_client c;
    unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
} rig;

static rig *make_rig(tl_atca_model model)
{
    rig *r = calloc(1, sizeof *r);
    uint8_t cfg[TL_ATCA_CONFIG_SIZE];
    assert_non_null(r);
    r->emu = calloc(1, tl_emu_context_size());
    assert_non_null(r->emu);
    tl_emu_init(r->emu, model, 7);
    tl_bus_emu_local_init(&r->bus, r->emu);
    tl_atca_init(&r->dev, &r->bus.vtable);
    assert_int_equal(tl_atca_detect(&r->dev, NULL), TL_ATCA_OK);
    assert_int_equal(tl_atca_setup_write_default(&r->dev, cfg), TL_ATCA_OK);
    assert_int_equal(tl_atca_setup_lock(&r->dev, cfg), TL_ATCA_OK);
    assert_int_equal(tl_atca_genkey(&r->dev, 0, NULL), TL_ATCA_OK);
    tl_signer_chip_init(&r->signer, &r->dev, 0);
    tl_tls_client_init(&r->c, r->iobuf, sizeof r->iobuf, NULL, &r->signer.vtable, NULL);
    return r;
}

static void free_rig(rig *r)
{
    free(r->emu);
    free(r);
}

static void test_refusals(void **state)
{
    rig *r = make_rig(TL_ATCA_MODEL_508A);
    tl_atca_model m = r->dev.model;
    (void)state;
    assert_int_equal(tl_tls_client_use_chip(&r->c, NULL, TL_TLS_CHIP_VERIFY, 2), -1);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, 0x4, 2), -1);
    /* The 508A's ECDHE slot: in range, and never the signer's key. */
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_ECDH, 16), -1);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_ECDH, 0), -1);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_VERIFY, 0), 0);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_ECDH, 2), 0);
    r->dev.model = TL_ATCA_MODEL_UNKNOWN;
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_VERIFY, 2), -1);
    r->dev.model = m;
    /* No offload is always fine, chip or not, and puts software back. */
    assert_int_equal(tl_tls_client_use_chip(&r->c, NULL, 0, 0), 0);
    assert_ptr_not_equal(r->c.sc.eng.iec, &r->c.chip.impl);
    assert_ptr_not_equal(r->c.xc.iec, &r->c.chip.impl);
    /* So does a refused one. */
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_VERIFY, 2), 0);
    assert_ptr_equal(r->c.sc.eng.iec, &r->c.chip.impl);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_ECDH, 0), -1);
    assert_ptr_not_equal(r->c.sc.eng.iec, &r->c.chip.impl);
    assert_ptr_not_equal(r->c.xc.iec, &r->c.chip.impl);
    free_rig(r);
}

/* The device session lends the validation state to its MQTT buffers after
 * each handshake (tl_tls_client_spare): that is only sound while the client
 * refuses renegotiation, whatever the chip offload does. */
static void test_spare_and_no_renegotiation(void **state)
{
    rig *r = make_rig(TL_ATCA_MODEL_508A);
    size_t len;
    unsigned char *spare = tl_tls_client_spare(&r->c, &len);
    (void)state;
    assert_ptr_equal(spare, (unsigned char *)&r->c.xc);
    assert_ptr_equal(spare + len, (unsigned char *)&r->c.x509 + sizeof r->c.x509);
    assert_true(len >= sizeof r->c.xc + sizeof r->c.x509);
    assert_true(br_ssl_engine_get_flags(&r->c.sc.eng) & BR_OPT_NO_RENEGOTIATION);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_VERIFY, 0), 0);
    assert_true(br_ssl_engine_get_flags(&r->c.sc.eng) & BR_OPT_NO_RENEGOTIATION);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_ECDH, 0), -1);
    assert_true(br_ssl_engine_get_flags(&r->c.sc.eng) & BR_OPT_NO_RENEGOTIATION);
    assert_int_equal(tl_tls_client_use_chip(&r->c, NULL, 0, 0), 0);
    assert_true(br_ssl_engine_get_flags(&r->c.sc.eng) & BR_OPT_NO_RENEGOTIATION);
    free_rig(r);
}

static void test_defaults(void **state)
{
    unsigned what;
    (void)state;
    tl_tls_chip_default(TL_ATCA_MODEL_608A, &what);
    assert_int_equal(what, TL_TLS_CHIP_ECDH | TL_TLS_CHIP_VERIFY);
    tl_tls_chip_default(TL_ATCA_MODEL_508A, &what);
    assert_int_equal(what, TL_TLS_CHIP_VERIFY);
    tl_tls_chip_default(TL_ATCA_MODEL_UNKNOWN, &what);
    assert_int_equal(what, 0);
}

/* Sign hash (any length) with a software key on curve; DER signature out. */
static size_t soft_sign(int curve, const void *hash, size_t hlen, br_ec_public_key *pk,
                        unsigned char *qbuf, unsigned char *sig)
{
    static const unsigned char scalar[48] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
    br_ec_private_key sk;
    const br_hash_class *hc = hlen == 48 ? &br_sha384_vtable
                            : hlen == 20 ? &br_sha1_vtable : &br_sha256_vtable;
    sk.curve = curve;
    sk.x = (unsigned char *)(uintptr_t)scalar;
    sk.xlen = curve == BR_EC_secp384r1 ? 48 : 32;
    assert_true(br_ec_compute_pub(br_ec_get_default(), pk, qbuf, &sk) > 0);
    return br_ecdsa_i31_sign_asn1(br_ec_get_default(), hc, hash, &sk, sig);
}

static void verify_on(tl_atca_model model)
{
    static const size_t hlens[] = { 20, 32, 48 };
    rig *r = make_rig(model);
    br_ssl_engine_context *eng = &r->c.sc.eng;
    unsigned char hash[48], qbuf[BR_EC_KBUF_PUB_MAX_SIZE], sig[150];
    br_ec_public_key pk;
    size_t i, slen;
    memset(hash, 0xA7, sizeof hash);
    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_VERIFY, 2), 0);
    for (i = 0; i < 3; i++) {
        unsigned long before = r->c.chip.verify_ops;
        slen = soft_sign(BR_EC_secp256r1, hash, hlens[i], &pk, qbuf, sig);
        assert_true(slen > 0);
        assert_int_equal(eng->iecdsa(eng->iec, hash, hlens[i], &pk, sig, slen), 1);
        assert_int_equal(r->c.chip.verify_ops, before + 1);
        /* A wrong signature is a plain "no", not a chip failure. */
        sig[slen - 1] ^= 1;
        assert_int_equal(eng->iecdsa(eng->iec, hash, hlens[i], &pk, sig, slen), 0);
        assert_int_equal(r->c.chip.chip_status, TL_ATCA_OK);
    }
    /* P-384 is not the chip's: software does it, the chip count stays. The
     * MCU build's software (m15, TL_TLS_MCU_IMPLS) knows P-256 only: "no". */
    slen = soft_sign(BR_EC_secp384r1, hash, 48, &pk, qbuf, sig);
    i = r->c.chip.verify_ops;
#ifdef TL_TLS_MCU_IMPLS
    assert_int_equal(eng->iecdsa(eng->iec, hash, 48, &pk, sig, slen), 0);
#else
    assert_int_equal(eng->iecdsa(eng->iec, hash, 48, &pk, sig, slen), 1);
#endif
    assert_int_equal(r->c.chip.verify_ops, i);
    /* The X.509 engine got the same verifier. */
    assert_ptr_equal(r->c.xc.iecdsa, eng->iecdsa);
    free_rig(r);
}

static void test_verify_608a(void **state)
{
    (void)state;
    verify_on(TL_ATCA_MODEL_608A);
}

static void test_verify_508a(void **state)
{
    (void)state;
    verify_on(TL_ATCA_MODEL_508A);
}

static void ecdh_on(tl_atca_model model)
{
    static const unsigned char server_scalar[32] = { 0x42, 0x01, 0x02, 0x03 };
    rig *r = make_rig(model);
    rig *other = make_rig(model);
    const br_ec_impl *iec;
    const br_ec_impl *soft = br_ec_get_default();
    unsigned char g[65], mine[65], check[65], spub[BR_EC_KBUF_PUB_MAX_SIZE];
    unsigned char junk[32];
    br_ec_private_key sk;
    br_ec_public_key pk;

    assert_int_equal(tl_tls_client_use_chip(&r->c, &r->dev, TL_TLS_CHIP_ECDH, 2), 0);
    assert_int_equal(tl_tls_client_use_chip(&other->c, &other->dev, TL_TLS_CHIP_ECDH, 2), 0);
    iec = r->c.sc.eng.iec;
    assert_int_equal(iec->supported_curves, 1u << BR_EC_secp256r1);
    sk.curve = BR_EC_secp256r1;
    sk.x = (unsigned char *)(uintptr_t)server_scalar;
    sk.xlen = 32;
    assert_int_equal(br_ec_compute_pub(soft, &pk, spub, &sk), 65);
    memset(junk, 0x5C, sizeof junk);

    /* Unclaimed: no chip, no secret, and mulgen leaves nothing behind. */
    memcpy(g, spub, 65);
    assert_int_equal(iec->mul(g, 65, junk, 32, BR_EC_secp256r1), 0);
    memset(mine, 0xEE, sizeof mine);
    assert_int_equal(iec->mulgen(mine, junk, 32, BR_EC_secp256r1), 0);
    for (size_t i = 0; i < sizeof mine; i++)
        assert_int_equal(mine[i], 0);

    /* Claimed: the chip's secret is what the server computes from our point. */
    assert_int_equal(tl_tls__chip_claim(&r->c.chip), 0);
    assert_int_equal(tl_tls__chip_claim(&other->c.chip), -1);
    assert_int_equal(tl_tls_client_connect(&other->c, NULL, "x", 100), -1);
    assert_int_equal(tl_tls_client_error(&other->c), TL_TLS_ERR_CHIP_BUSY);
    memcpy(g, spub, 65);
    assert_int_equal(iec->mul(g, 65, junk, 32, BR_EC_secp256r1), 1);
    assert_int_equal(iec->mulgen(mine, junk, 32, BR_EC_secp256r1), 65);
    assert_int_equal(mine[0], 0x04);
    memcpy(check, mine, 65);
    assert_int_equal(soft->mul(check, 65, server_scalar, 32, BR_EC_secp256r1), 1);
    assert_memory_equal(check + 1, g + 1, 32);
    assert_int_equal(r->c.chip.ecdh_ops, 1);
    /* A second mulgen has no key to give: wiped again. */
    assert_int_equal(iec->mulgen(mine, junk, 32, BR_EC_secp256r1), 0);
    assert_int_equal(mine[0], 0);
    /* Another round gives another key. */
    memcpy(g, spub, 65);
    assert_int_equal(iec->mul(g, 65, junk, 32, BR_EC_secp256r1), 1);
    assert_int_equal(iec->mulgen(check, junk, 32, BR_EC_secp256r1), 65);
    assert_memory_not_equal(check, mine, 65);
    tl_tls__chip_release(&r->c.chip);
    assert_int_equal(tl_tls__chip_claim(&other->c.chip), 0);
    tl_tls__chip_release(&other->c.chip);
    /* Not a point of the curve: the chip refuses, said as a chip failure. */
    assert_int_equal(tl_tls__chip_claim(&r->c.chip), 0);
    memset(g + 1, 0x01, 64);
    g[0] = 0x04;
    assert_int_equal(iec->mul(g, 65, junk, 32, BR_EC_secp256r1), 0);
    assert_int_not_equal(r->c.chip.chip_status, TL_ATCA_OK);
    tl_tls__chip_release(&r->c.chip);
    free_rig(r);
    free_rig(other);
}

static void test_ecdh_608a(void **state)
{
    (void)state;
    ecdh_on(TL_ATCA_MODEL_608A);
}

static void test_ecdh_508a(void **state)
{
    (void)state;
    ecdh_on(TL_ATCA_MODEL_508A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_spare_and_no_renegotiation),
        cmocka_unit_test(test_verify_608a),
        cmocka_unit_test(test_verify_508a),
        cmocka_unit_test(test_ecdh_608a),
        cmocka_unit_test(test_ecdh_508a),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
