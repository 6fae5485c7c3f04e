/* tl_atca_cert: a DER certificate across consecutive data slots. */
#include <string.h>

#include "tl_atca_cert.h"
#include "tl_atca_cmd.h"

#define TL_ATCA_LAST_SLOT 15u

size_t tl_atca_cert_capacity(unsigned first_slot)
{
    size_t total = 0;
    unsigned s;
    for (s = first_slot; s <= TL_ATCA_LAST_SLOT; s++)
        total += tl_atca_slot_size(s);
    return total;
}

/* Total length of the DER SEQUENCE starting at p (at least 4 bytes there),
 * or 0 if it is not one with a definite length of at most 3 length bytes. */
static size_t der_length(const uint8_t *p)
{
    size_t n, i, len = 0;
    if (p[0] != 0x30)
        return 0;
    if (p[1] < 0x80)
        return 2u + p[1];
    n = p[1] & 0x7Fu;
    if (n == 0 || n > 2)          /* no certificate here is 64 KB or longer */
        return 0;
    for (i = 0; i < n; i++)
        len = (len << 8) | p[2 + i];
    return 2u + n + len;
}

/* Apply fn to the slot pieces covering [0, len): write or read. */
static tl_atca_status each_piece(tl_atca_device *dev, unsigned first_slot, uint8_t *buf,
                                 size_t len, int write)
{
    size_t done = 0;
    unsigned s = first_slot;
    while (done < len) {
        size_t piece = tl_atca_slot_size(s), want = len - done;
        tl_atca_status st;
        if (piece == 0)
            return TL_ATCA_ERR_ARG;
        if (want < piece)
            piece = (want + 3u) & ~(size_t)3u;   /* whole 4-byte words */
        st = write ? tl_atca_write_slot(dev, s, buf + done, piece)
                   : tl_atca_read_slot(dev, s, buf + done, piece);
        if (st != TL_ATCA_OK)
            return st;
        done += piece;
        s++;
    }
    return TL_ATCA_OK;
}

tl_atca_status tl_atca_cert_store(tl_atca_device *dev, unsigned first_slot,
                                  const uint8_t *der, size_t len, uint8_t *work,
                                  size_t work_cap)
{
    size_t padded = (len + 3u) & ~(size_t)3u;
    tl_atca_status st;
    if (len < 4 || der_length(der) != len || len > tl_atca_cert_capacity(first_slot) ||
        padded > work_cap)
        return TL_ATCA_ERR_ARG;
    /* The last word is padded with zeros: copy to work to write it. */
    memset(work, 0, padded);
    memcpy(work, der, len);
    if ((st = each_piece(dev, first_slot, work, padded, 1)) != TL_ATCA_OK)
        return st;
    memset(work, 0xA5, padded);
    if ((st = each_piece(dev, first_slot, work, padded, 0)) != TL_ATCA_OK)
        return st;
    return memcmp(work, der, len) == 0 ? TL_ATCA_OK : TL_ATCA_ERR_CONFIG_MISMATCH;
}

tl_atca_status tl_atca_cert_load(tl_atca_device *dev, unsigned first_slot, uint8_t *out,
                                 size_t cap, size_t *len)
{
    uint8_t head[4];
    size_t total;
    tl_atca_status st;
    if (tl_atca_slot_size(first_slot) == 0)
        return TL_ATCA_ERR_ARG;
    if ((st = tl_atca_read_slot(dev, first_slot, head, sizeof head)) != TL_ATCA_OK)
        return st;
    total = der_length(head);
    if (total < 4 || total > tl_atca_cert_capacity(first_slot) ||
        ((total + 3u) & ~(size_t)3u) > cap)
        return TL_ATCA_ERR_ARG;
    if ((st = each_piece(dev, first_slot, out, (total + 3u) & ~(size_t)3u, 0)) != TL_ATCA_OK)
        return st;
    *len = total;
    return TL_ATCA_OK;
}
