/*
 * tl_atca_setup: put the default layout (tl_atca_layout.h) on a chip and
 * lock it, the steps `trustlink chip lock --default-config` and provisioning
 * take (device side, C99).
 */
#ifndef TL_ATCA_SETUP_H
#define TL_ATCA_SETUP_H

#include "tl_atca_cmd.h"
#include "tl_atca_layout.h"

/*
 * Write the default SlotConfig/KeyConfig into an unlocked config zone, read
 * the zone back into cfg and compare: TL_ATCA_ERR_CONFIG_MISMATCH if any
 * written byte differs. On a locked config zone nothing is written: OK if it
 * already holds the default layout, else TL_ATCA_ERR_CONFIG_MISMATCH.
 */
tl_atca_status tl_atca_setup_write_default(tl_atca_device *dev,
                                           uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

/*
 * Lock the config zone (the chip checks the CRC of cfg, the image read back
 * by tl_atca_setup_write_default), then the data and OTP zones. A zone
 * already locked is left alone.
 */
tl_atca_status tl_atca_setup_lock(tl_atca_device *dev,
                                  const uint8_t cfg[TL_ATCA_CONFIG_SIZE]);

#endif
