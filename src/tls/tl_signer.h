/*
 * tl_signer: "something that holds a P-256 private key and signs with it".
 *
 * The TLS client certificate class and the CSR builder sign through this
 * interface and never see a key. Implementations (BearSSL-style classes: the
 * class pointer is the first field of the context):
 *   the chip signer      the key stays in an ATECC slot (mqtt.ssl_key = chip:N)
 *   tl_signer_soft       a key in RAM (a PEM file): works, but can be stolen
 */
#ifndef TL_SIGNER_H
#define TL_SIGNER_H

#include <stddef.h>
#include <stdint.h>

typedef struct tl_signer_class tl_signer_class;
struct tl_signer_class {
    /* Sign a SHA-256 digest with ECDSA P-256; sig gets raw r||s.
     * Returns 0, or -1 if the key could not sign (chip error, no key). */
    int (*sign_digest)(const tl_signer_class **ctx, const uint8_t digest[32],
                       uint8_t sig[64]);

    /* The public key, X||Y (64 bytes). 0 or -1. */
    int (*public_key)(const tl_signer_class **ctx, uint8_t pub[64]);
};

/* A software signer over a raw 32-byte P-256 private key held in RAM. */
typedef struct {
    const tl_signer_class *vtable;
    uint8_t key[32];
} tl_signer_soft;

/* Set up a software signer; 0, or -1 if key is not a valid P-256 scalar. */
int tl_signer_soft_init(tl_signer_soft *s, const uint8_t key[32]);

/* Wipe the key from the context. */
void tl_signer_soft_clear(tl_signer_soft *s);

#endif
