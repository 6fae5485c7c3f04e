/* Test helpers shared by the emulator-backed driver tests. */
#include "emu_chip.h"



chip *chip_new(tl_atca_model model, uint64_t seed)
{
    chip *c = calloc(1, sizeof *c);
    assert_non_null(c);
    c->emu = calloc(1, tl_emu_context_size());
    assert_non_null(c->emu);
    c->model = model;
    tl_emu_init(c->emu, model, seed);
    tl_bus_emu_local_init(&c->bus, c->emu);
    tl_atca_init(&c->dev, &c->bus.vtable);
    assert_int_equal(tl_atca_detect(&c->dev, NULL), TL_ATCA_OK);
    assert_int_equal(c->dev.model, model);
    return c;
}

void chip_free(chip *c)
{
    free(c->emu);
    free(c);
}

void provision(chip *c)
{
    uint8_t cfg[128];
    int cl, dl;
    assert_int_equal(tl_atca_setup_write_default(&c->dev, cfg), TL_ATCA_OK);
    assert_true(tl_atca_layout_matches(cfg));
    assert_int_equal(tl_atca_setup_lock(&c->dev, cfg), TL_ATCA_OK);
    assert_int_equal(tl_atca_lock_state(&c->dev, &cl, &dl), TL_ATCA_OK);
    assert_true(cl);
    assert_true(dl);
}

const tl_atca_model models[2] = { TL_ATCA_MODEL_508A, TL_ATCA_MODEL_608A };

/* BearSSL's verdict on a raw r||s signature of digest under X||Y. */
int soft_verify(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64])
{
    uint8_t q[65];
    br_ec_public_key pk;
    q[0] = 0x04;
    memcpy(q + 1, pub, 64);
    pk.curve = BR_EC_secp256r1;
    pk.q = q;
    pk.qlen = 65;
    return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m15, digest, 32, &pk, sig, 64) == 1;
}

void soft_sign(const uint8_t priv[32], const uint8_t digest[32], uint8_t sig[64])
{
    br_ec_private_key sk;
    sk.curve = BR_EC_secp256r1;
    sk.x = (unsigned char *)(uintptr_t)priv;
    sk.xlen = 32;
    assert_int_equal(br_ecdsa_i31_sign_raw(&br_ec_p256_m15, &br_sha256_vtable, digest, &sk, sig),
                     64);
}

void soft_pub(const uint8_t priv[32], uint8_t pub[64])
{
    br_ec_private_key sk;
    br_ec_public_key pk;
    uint8_t buf[BR_EC_KBUF_PUB_MAX_SIZE];
    sk.curve = BR_EC_secp256r1;
    sk.x = (unsigned char *)(uintptr_t)priv;
    sk.xlen = 32;
    assert_int_equal(br_ec_compute_pub(&br_ec_p256_m15, &pk, buf, &sk), 65);
    memcpy(pub, buf + 1, 64);
}

