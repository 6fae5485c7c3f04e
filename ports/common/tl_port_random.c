/* Randomness: the chip first, the MCU's generator as the fallback (tl_port.h). */
#include <string.h>

#include "tl_port.h"

#include "../../src/atca/tl_atca_cmd.h"

/* What an ATECC508A/608A answers to Random before its config zone is locked. */
static int unlocked_pattern(const uint8_t r[32])
{
    size_t i;
    for (i = 0; i < 32; i++)
        if (r[i] != ((i & 3) < 2 ? 0xFF : 0x00))
            return 0;
    return 1;
}

static int from_chip(tl_atca_device *dev, uint8_t *out, size_t len)
{
    uint8_t r[32];
    while (len > 0) {
        size_t n = len < 32 ? len : 32;
        if (tl_atca_random(dev, r) != TL_ATCA_OK || unlocked_pattern(r)) {
            memset(r, 0, sizeof r);
            return -1;
        }
        memcpy(out, r, n);
        out += n;
        len -= n;
    }
    memset(r, 0, sizeof r);
    return 0;
}

int tl_port_random(tl_atca_device *dev, tl_port_entropy_fn fallback, void *arg,
                   uint8_t *out, size_t len, int *used)
{
    if (used)
        *used = 0;
    if (!out)
        return TL_PORT_ERR_ARG;
    if (dev && from_chip(dev, out, len) == 0) {
        if (used)
            *used = 1;
        return TL_PORT_OK;
    }
    if (fallback && fallback(arg, out, len) == 0) {
        if (used)
            *used = 2;
        return TL_PORT_OK;
    }
    memset(out, 0, len);
    return TL_PORT_ERR_NO_ENTROPY;
}
