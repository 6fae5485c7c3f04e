/* Helpers for the emulator tests (see emu_util.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bearssl.h>

#include "emu_util.h"

tl_emu *emu_new(tl_atca_model model, uint64_t seed)
{
    tl_emu *e = malloc(tl_emu_context_size());
    assert_non_null(e);
    tl_emu_init(e, model, seed);
    return e;
}

size_t emu_packet(uint8_t *pkt, uint8_t op, uint8_t p1, uint16_t p2,
                  const uint8_t *data, size_t dlen)
{
    size_t n = 7 + dlen;
    pkt[0] = (uint8_t)n;
    pkt[1] = op;
    pkt[2] = p1;
    pkt[3] = (uint8_t)p2;
    pkt[4] = (uint8_t)(p2 >> 8);
    if (dlen)
        memcpy(pkt + 5, data, dlen);
    tl_atca_crc(pkt, n - 2, pkt + n - 2);
    return n;
}

int emu_cmd(tl_emu *e, uint8_t op, uint8_t p1, uint16_t p2, const uint8_t *data,
            size_t dlen, uint8_t *out, size_t *olen)
{
    uint8_t pkt[TL_ATCA_CMD_MAX + 8], rsp[TL_ATCA_RSP_MAX], crc[2];
    size_t n, r;
    assert_true(dlen + 7 <= TL_ATCA_CMD_MAX);
    n = emu_packet(pkt, op, p1, p2, data, dlen);
    r = tl_emu_execute(e, pkt, n, rsp);
    assert_true(r >= 4 && r <= TL_ATCA_RSP_MAX);
    assert_int_equal(rsp[0], r);
    tl_atca_crc(rsp, r - 2, crc);
    assert_memory_equal(crc, rsp + r - 2, 2);
    if (olen)
        *olen = 0;
    if (r == 4)
        return rsp[1];
    if (out)
        memcpy(out, rsp + 1, r - 3);
    if (olen)
        *olen = r - 3;
    return 0;
}

void emu_lock(tl_emu *e, int data)
{
    uint8_t cfg[128];
    size_t i, olen;
    for (i = 0; i < 4; i++) {
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_READ, 0x80, (uint16_t)(i << 3), NULL, 0,
                                 cfg + 32 * i, &olen), 0);
        assert_int_equal(olen, 32);
    }
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x00, tl_atca_crc16(cfg, 128), NULL, 0,
                             NULL, NULL), 0);
    if (data)
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
}

void emu_nonce_load(tl_emu *e, const uint8_t msg[32])
{
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_NONCE, 0x03, 0, msg, 32, NULL, NULL), 0);
}

int emu_verify_sig(const uint8_t pub[64], const uint8_t digest[32], const uint8_t sig[64])
{
    uint8_t q[65];
    br_ec_public_key pk;
    q[0] = 0x04;
    memcpy(q + 1, pub, 64);
    pk.curve = BR_EC_secp256r1;
    pk.q = q;
    pk.qlen = sizeof q;
    return br_ecdsa_i31_vrfy_raw(br_ec_get_default(), digest, 32, &pk, sig, 64) == 1;
}

void emu_soft_key(uint8_t priv[32], uint8_t pub[64], const char *seed)
{
    br_hmac_drbg_context d;
    br_ec_private_key sk;
    br_ec_public_key pk;
    uint8_t kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
    br_hmac_drbg_init(&d, &br_sha256_vtable, seed, strlen(seed));
    assert_int_equal(br_ec_keygen(&d.vtable, br_ec_get_default(), &sk, kbuf, BR_EC_secp256r1), 32);
    memcpy(priv, sk.x, 32);
    assert_int_equal(br_ec_compute_pub(br_ec_get_default(), &pk, pbuf, &sk), 65);
    memcpy(pub, pbuf + 1, 64);
}

tl_emu *emu_provisioned(tl_atca_model m, uint64_t seed, uint8_t pub0[64])
{
    tl_emu *e = emu_new(m, seed);
    size_t olen;
    unsigned s;
    uint8_t pub[64];
    emu_lock(e, 0);
    for (s = 0; s < 3; s++) {
        assert_int_equal(emu_cmd(e, TL_ATCA_OP_GENKEY, 0x04, (uint16_t)s, NULL, 0, pub, &olen), 0);
        assert_int_equal(olen, 64);
        if (s == 0 && pub0)
            memcpy(pub0, pub, 64);
    }
    assert_int_equal(emu_cmd(e, TL_ATCA_OP_LOCK, 0x81, 0, NULL, 0, NULL, NULL), 0);
    return e;
}
