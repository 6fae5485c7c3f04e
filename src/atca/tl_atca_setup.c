/* Write, verify and lock the default layout. */
#include <string.h>

#include "tl_atca_setup.h"

tl_atca_status tl_atca_setup_write_default(tl_atca_device *dev,
                                           uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    uint8_t want[TL_ATCA_CONFIG_SIZE];
    tl_atca_status st = tl_atca_read_config(dev, cfg);
    if (st != TL_ATCA_OK)
        return st;
    if (cfg[TL_ATCA_CFG_LOCK_CONFIG] != TL_ATCA_UNLOCKED)
        return tl_atca_layout_matches(cfg) ? TL_ATCA_OK
                                           : tl_atca__fail(dev, TL_ATCA_ERR_CONFIG_MISMATCH);
    memcpy(want, cfg, sizeof want);
    tl_atca_layout_apply(want);
    if ((st = tl_atca_write_slot_key_config(dev, want)) != TL_ATCA_OK)
        return st;
    /* Read back: the lock CRC must be over what the chip really holds, and
     * a write that did not take must stop us before anything is locked. */
    if ((st = tl_atca_read_config(dev, cfg)) != TL_ATCA_OK)
        return st;
    if (memcmp(cfg, want, sizeof want) != 0)
        return tl_atca__fail(dev, TL_ATCA_ERR_CONFIG_MISMATCH);
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_setup_lock(tl_atca_device *dev,
                                  const uint8_t cfg[TL_ATCA_CONFIG_SIZE])
{
    int cl = 0, dl = 0;
    tl_atca_status st = tl_atca_lock_state(dev, &cl, &dl);
    if (st != TL_ATCA_OK)
        return st;
    if (!cl && (st = tl_atca_lock_config_zone(dev, cfg)) != TL_ATCA_OK)
        return st;
    /* The data zone CRC would need the secret slots' contents, which cannot
     * be read: lock without the summary check. */
    if (!dl && (st = tl_atca_lock_data_zone(dev, NULL, 0)) != TL_ATCA_OK)
        return st;
    return TL_ATCA_OK;
}
