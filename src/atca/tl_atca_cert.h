/*
 * tl_atca_cert: the device certificate kept in the chip's data slots
 * (device side, C99), so that a device whose flash is wiped or replaced
 * still has its certificate next to its key.
 *
 * The certificate's DER is written from the start of first_slot and, when it
 * is longer than that slot, continues in first_slot + 1, + 2, ... (slot 8
 * holds 416 bytes, slots 9-15 72 each: a certificate of the local cloud is
 * ~425 bytes, one of AWS ~860). No header is needed: DER says its own length.
 * Every slot used must be a clear-read, clear-write data slot (trustlink's
 * layout makes 8-15 so). The chip's compressed certificate format is not
 * used: it needs a template per issuer.
 */
#ifndef TL_ATCA_CERT_H
#define TL_ATCA_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "tl_atca.h"

/* Bytes available from first_slot to slot 15. */
size_t tl_atca_cert_capacity(unsigned first_slot);

/*
 * Write der[0..len) from first_slot on, then read it back and compare.
 * TL_ATCA_ERR_ARG if len exceeds the capacity or der is not a DER
 * SEQUENCE of exactly len bytes; TL_ATCA_ERR_CONFIG_MISMATCH if the read-back
 * differs. work must hold len rounded up to 4 bytes.
 */
tl_atca_status tl_atca_cert_store(tl_atca_device *dev, unsigned first_slot,
                                  const uint8_t *der, size_t len, uint8_t *work,
                                  size_t work_cap);

/*
 * Read the certificate stored from first_slot into out; *len gets its
 * length. TL_ATCA_ERR_ARG if the slot does not start with a DER
 * SEQUENCE that fits both the slots and out (e.g. nothing stored yet).
 */
tl_atca_status tl_atca_cert_load(tl_atca_device *dev, unsigned first_slot, uint8_t *out,
                                 size_t cap, size_t *len);

#endif
