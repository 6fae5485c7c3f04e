/* Software P-256 signer on BearSSL (i31 code, RFC 6979 deterministic k). */
#include <string.h>

#include <bearssl.h>

#include "tl_signer.h"
#include "tl_tls_impl.h"

static void soft_key(const tl_signer_soft *s, br_ec_private_key *sk)
{
    sk->curve = BR_EC_secp256r1;
    sk->x = (unsigned char *)s->key;
    sk->xlen = sizeof s->key;
}

static int soft_sign(const tl_signer_class **ctx, const uint8_t digest[32],
                     uint8_t sig[64])
{
    const tl_signer_soft *s = (const tl_signer_soft *)ctx;
    br_ec_private_key sk;
    soft_key(s, &sk);
    return TL_ECDSA_SIGN_RAW(TL_EC_IMPL, &br_sha256_vtable, digest,
                                 &sk, sig) == 64 ? 0 : -1;
}

static int soft_public_key(const tl_signer_class **ctx, uint8_t pub[64])
{
    const tl_signer_soft *s = (const tl_signer_soft *)ctx;
    br_ec_private_key sk;
    unsigned char kbuf[BR_EC_KBUF_PUB_MAX_SIZE];
    soft_key(s, &sk);
    if (br_ec_compute_pub(TL_EC_IMPL, NULL, kbuf, &sk) != 65)
        return -1;
    memcpy(pub, kbuf + 1, 64);
    return 0;
}

static const tl_signer_class soft_class = { soft_sign, soft_public_key };

/* 1 if 0 < k < n, the order of P-256 (big-endian compare). */
static int scalar_in_range(const uint8_t k[32])
{
    static const uint8_t n[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84,
        0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51 };
    uint8_t any = 0;
    size_t i;
    for (i = 0; i < 32; i++)
        any |= k[i];
    if (!any)
        return 0;
    for (i = 0; i < 32; i++) {
        if (k[i] != n[i])
            return k[i] < n[i];
    }
    return 0; /* k == n */
}

int tl_signer_soft_init(tl_signer_soft *s, const uint8_t key[32])
{
    uint8_t pub[64];
    s->vtable = &soft_class;
    memcpy(s->key, key, sizeof s->key);
    if (!scalar_in_range(key) || soft_public_key(&s->vtable, pub) != 0) {
        tl_signer_soft_clear(s);
        return -1;
    }
    return 0;
}

void tl_signer_soft_clear(tl_signer_soft *s)
{
    volatile uint8_t *p = s->key;
    size_t i;
    for (i = 0; i < sizeof s->key; i++)
        p[i] = 0;
}
