/* The chip as a tl_signer. */
#include <string.h>

#include "../atca/tl_atca_cmd.h"
#include "tl_signer_chip.h"

static int chip_sign(const tl_signer_class **ctx, const uint8_t digest[32], uint8_t sig[64])
{
    tl_signer_chip *s = (tl_signer_chip *)ctx;
    tl_atca_status st = tl_atca_sign(s->dev, s->slot, digest, sig);
    /* Let the chip sleep between handshakes: the watchdog would anyway. */
    (void)tl_atca_idle(s->dev);
    return st == TL_ATCA_OK ? 0 : -1;
}

static int chip_public_key(const tl_signer_class **ctx, uint8_t pub[64])
{
    tl_signer_chip *s = (tl_signer_chip *)ctx;
    if (!s->have_pub) {
        tl_atca_status st = tl_atca_get_pubkey(s->dev, s->slot, s->pub);
        (void)tl_atca_idle(s->dev);
        if (st != TL_ATCA_OK)
            return -1;
        s->have_pub = 1;
    }
    memcpy(pub, s->pub, sizeof s->pub);
    return 0;
}

static const tl_signer_class chip_class = { chip_sign, chip_public_key };

void tl_signer_chip_init(tl_signer_chip *s, tl_atca_device *dev, unsigned slot)
{
    memset(s, 0, sizeof *s);
    s->vtable = &chip_class;
    s->dev = dev;
    s->slot = slot;
}

tl_atca_status tl_signer_chip_error(const tl_signer_chip *s)
{
    return tl_atca_last_error(s->dev);
}

int tl_signer_chip_slot(const tl_signer_class **s)
{
    return s && *s == &chip_class ? (int)((const tl_signer_chip *)s)->slot : -1;
}

tl_atca_device *tl_signer_chip_device(const tl_signer_class **s)
{
    return s && *s == &chip_class ? ((const tl_signer_chip *)s)->dev : NULL;
}
