/*
 * ECDHE and ECDSA verification on the chip, behind BearSSL's EC classes.
 *
 * BearSSL reaches elliptic-curve code through two hooks of the engine:
 *   iec (br_ec_impl)     mul/mulgen compute the ECDHE shared secret and our
 *                        public point (make_pms_ecdh in ssl_hs_client.c)
 *   iecdsa (br_ecdsa_vrfy) verifies the ServerKeyExchange signature, and the
 *                        X.509 engine has its own pair for the chain
 * Neither carries a context pointer, but iecdsa gets the br_ec_impl pointer
 * as its first argument. So tl_tls_chip starts with a br_ec_impl of its own
 * (a copy of the software one, with mul/mulgen replaced when ECDH goes to the
 * chip) and the verifier casts that pointer back to the tl_tls_chip: no
 * global needed for Verify.
 *
 * mul and mulgen get no pointer at all (only the point, the scalar BearSSL
 * drew and the curve), and the engine offers no other way to produce the
 * ClientKeyExchange: no client option, no callback. A static pointer to the
 * connection doing ECDHE is the only way in, so this file keeps one, and
 * only this file: tl_tls_client_connect() claims it for the handshake and
 * releases it right after, a second connection claiming it meanwhile gets
 * TL_TLS_ERR_CHIP_BUSY instead of the wrong chip, and renegotiation (which
 * would run ECDHE again later) is refused (tl_tls_client.c always does). One
 * handshake with chip ECDH at a time per program, which is what a device
 * with one chip does anyway.
 *
 * The scalar BearSSL passes is ignored: the chip draws its own key (608A:
 * GenKey into TempKey; 508A: GenKey into the ephemeral slot) and never
 * shows it. mul does GenKey + ECDH and keeps the public key, mulgen hands it
 * out; BearSSL calls them in that order, once each.
 */
#include <string.h>

#include "../atca/tl_atca_cmd.h"
#include "tl_signer_chip.h"
#include "tl_tls.h"
#include "tl_tls_impl.h"

#define CURVE BR_EC_secp256r1
#define GENKEY_PRIVATE 0x04
#define KEYID_TEMPKEY 0xFFFFu
/* 608A ECDH: private key from TempKey (bit 0), result to the output buffer
 * in the clear (bits 3:2 = 11). */
#define ECDH_TEMPKEY_CLEAR 0x0D

/* The connection whose handshake may use chip ECDH (see above). */
static tl_tls_chip *ecdh_owner;

int tl_tls__chip_claim(tl_tls_chip *ch)
{
    if (!(ch->flags & TL_TLS_CHIP_ECDH))
        return 0;
    if (ecdh_owner && ecdh_owner != ch)
        return -1;
    ecdh_owner = ch;
    return 0;
}

void tl_tls__chip_release(tl_tls_chip *ch)
{
    if (ecdh_owner == ch)
        ecdh_owner = NULL;
    ch->have_pub = 0;
}

/* The first chip failure of the handshake, for the error report. */
static void chip_failed(tl_tls_chip *ch, tl_atca_status st)
{
    if (ch->chip_status == TL_ATCA_OK)
        ch->chip_status = st;
}

/*
 * A fresh key on the chip and the shared secret with peer (X||Y). A lost
 * response may make the driver send ECDH again after it ran; if the chip
 * then refuses (its key source gone), start over with a new key, once.
 */
static tl_atca_status chip_ecdhe(tl_tls_chip *ch, const uint8_t peer[64], uint8_t x[32])
{
    tl_atca_device *dev = ch->dev;
    tl_atca_status st = TL_ATCA_OK;
    int attempt;
    for (attempt = 0; attempt < 2; attempt++) {
        if (dev->model == TL_ATCA_MODEL_608A) {
            st = tl_atca_execute(dev, TL_ATCA_OP_GENKEY, GENKEY_PRIVATE, KEYID_TEMPKEY,
                                 NULL, 0, ch->pub, 64);
            if (st == TL_ATCA_OK)
                st = tl_atca_execute(dev, TL_ATCA_OP_ECDH, ECDH_TEMPKEY_CLEAR, 0, peer, 64,
                                     x, 32);
        } else {
            st = tl_atca_genkey(dev, ch->ecdh_slot, ch->pub);
            if (st == TL_ATCA_OK)
                st = tl_atca_ecdh(dev, ch->ecdh_slot, peer, x);
        }
        if (st != TL_ATCA_ERR_EXEC || !dev->reexecuted)
            break;
    }
    return st;
}

static uint32_t chip_mul(unsigned char *G, size_t Glen, const unsigned char *x, size_t xlen,
                         int curve)
{
    tl_tls_chip *ch = ecdh_owner;
    uint8_t secret[32];
    tl_atca_status st;
    (void)x;
    (void)xlen;
    if (!ch || curve != CURVE || Glen != 65 || G[0] != 0x04)
        return 0;
    ch->have_pub = 0;
    st = chip_ecdhe(ch, G + 1, secret);
    if (st != TL_ATCA_OK) {
        chip_failed(ch, st);
        return 0;
    }
    /* BearSSL takes the X coordinate only (xoff 1, 32 bytes). */
    memcpy(G + 1, secret, 32);
    memset(G + 33, 0, 32);
    memset(secret, 0, sizeof secret);
    ch->have_pub = 1;
    ch->ecdh_ops++;
    return 1;
}

static size_t chip_mulgen(unsigned char *R, const unsigned char *x, size_t xlen, int curve)
{
    tl_tls_chip *ch = ecdh_owner;
    (void)x;
    (void)xlen;
    /* R still holds the shared secret from mul, and BearSSL sends R whatever
     * this returns: overwrite it in every case. */
    memset(R, 0, 65);
    if (!ch || !ch->have_pub || curve != CURVE)
        return 0;
    R[0] = 0x04;
    memcpy(R + 1, ch->pub, 64);
    ch->have_pub = 0;
    return 65;
}

/*
 * The verifier, for the engine (ServerKeyExchange) and for the X.509 chain.
 * impl is &tl_tls_chip.impl: BearSSL hands back the pointer it was given.
 * P-256 keys go to the chip's Verify external; anything else (another curve,
 * an over-long signature) to the software verifier.
 */
static uint32_t chip_vrfy(const br_ec_impl *impl, const void *hash, size_t hash_len,
                          const br_ec_public_key *pk, const void *sig, size_t sig_len)
{
    tl_tls_chip *ch = (tl_tls_chip *)(uintptr_t)impl;
    uint8_t raw[72], digest[32];
    tl_atca_status st;
    if (!(ch->flags & TL_TLS_CHIP_VERIFY) || pk->curve != CURVE || pk->qlen != 65 ||
        pk->q[0] != 0x04 || sig_len > sizeof raw)
        return TL_ECDSA_VRFY_ASN1(ch->soft, hash, hash_len, pk, sig, sig_len);
    memcpy(raw, sig, sig_len);
    if (br_ecdsa_asn1_to_raw(raw, sig_len) != 64)
        return 0;
    /* ECDSA uses the leftmost 256 bits of a longer hash (SHA-384) and a
     * shorter one as a number (left-padded). */
    memset(digest, 0, sizeof digest);
    if (hash_len >= 32)
        memcpy(digest, hash, 32);
    else
        memcpy(digest + 32 - hash_len, hash, hash_len);
    st = tl_atca_verify_extern(ch->dev, digest, raw, pk->q + 1);
    if (st == TL_ATCA_OK) {
        ch->verify_ops++;
        return 1;
    }
    /* A mismatch is the server's fault; anything else is the chip's. */
    if (st != TL_ATCA_ERR_MISCOMPARE && st != TL_ATCA_ERR_ECC_FAULT)
        chip_failed(ch, st);
    return 0;
}

int tl_tls_client_use_chip(tl_tls_client *c, tl_atca_device *dev, unsigned what,
                           unsigned ecdh_slot)
{
    tl_tls_chip *ch = &c->chip;
    const tl_signer_class **signer = c->ccert.signer;
    br_ssl_engine_context *eng = &c->sc.eng;

    /* Back to software first: a refused or empty offload must not leave the
     * engine pointing at the context cleared here. */
    memset(ch, 0, sizeof *ch);
    br_ssl_engine_set_ec(eng, TL_EC_IMPL);
    br_ssl_engine_set_ecdsa(eng, TL_ECDSA_VRFY_ASN1);
    br_x509_minimal_set_ecdsa(&c->xc, TL_EC_IMPL, TL_ECDSA_VRFY_ASN1);
    if (!what)
        return 0;
    if (!dev || (what & ~(TL_TLS_CHIP_ECDH | TL_TLS_CHIP_VERIFY)) ||
        (dev->model != TL_ATCA_MODEL_508A && dev->model != TL_ATCA_MODEL_608A))
        return -1;
    if ((what & TL_TLS_CHIP_ECDH) && dev->model == TL_ATCA_MODEL_508A) {
        /* GenKey overwrites the slot: never the one holding the device key. */
        if (ecdh_slot >= TL_ATCA_SLOT_COUNT ||
            (signer && tl_signer_chip_slot(signer) == (int)ecdh_slot))
            return -1;
    }
    ch->soft = TL_EC_IMPL;
    ch->impl = *ch->soft;
    ch->dev = dev;
    ch->flags = what;
    ch->ecdh_slot = ecdh_slot;
    if (what & TL_TLS_CHIP_ECDH) {
        /* The chip knows P-256 only: offer nothing else to the server. */
        ch->impl.supported_curves = (uint32_t)1 << CURVE;
        ch->impl.mul = chip_mul;
        ch->impl.mulgen = chip_mulgen;
    }
    /* The engine's iec is ours in both cases: the verifier finds its
     * context through it (and verifies in software without the flag). */
    br_ssl_engine_set_ec(eng, &ch->impl);
    br_ssl_engine_set_ecdsa(eng, chip_vrfy);
    if (what & TL_TLS_CHIP_VERIFY)
        br_x509_minimal_set_ecdsa(&c->xc, &ch->impl, chip_vrfy);
    return 0;
}

void tl_tls_chip_default(tl_atca_model model, unsigned *what)
{
    /* The reasoning, with the figures, is in tl_tls.h. */
    *what = TL_TLS_CHIP_VERIFY;
    if (model == TL_ATCA_MODEL_608A)
        *what |= TL_TLS_CHIP_ECDH;
    if (model != TL_ATCA_MODEL_508A && model != TL_ATCA_MODEL_608A)
        *what = 0;
}
