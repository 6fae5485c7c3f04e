/*
 * tl_signer_chip: a tl_signer whose key is in an ATECC508A/608A slot.
 * Signing is Nonce pass-through + Sign external; the private key never
 * leaves the chip and no key material is ever in this device's RAM.
 */
#ifndef TL_SIGNER_CHIP_H
#define TL_SIGNER_CHIP_H

#include "../atca/tl_atca.h"
#include "tl_signer.h"

typedef struct {
    const tl_signer_class *vtable;
    tl_atca_device *dev;
    unsigned slot;
    uint8_t pub[64];      /* cached: GenKey public costs a chip command */
    int have_pub;
} tl_signer_chip;

/* A signer for the key in `slot` of the chip behind dev. */
void tl_signer_chip_init(tl_signer_chip *s, tl_atca_device *dev, unsigned slot);

/* The driver's error for the last failed operation (TL_ATCA_OK if none). */
tl_atca_status tl_signer_chip_error(const tl_signer_chip *s);

/* The slot and the chip of s if s is a chip signer; -1 / NULL for any
 * other signer (a software key). */
int tl_signer_chip_slot(const tl_signer_class **s);
tl_atca_device *tl_signer_chip_device(const tl_signer_class **s);

#endif
