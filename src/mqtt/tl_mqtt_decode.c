/*
 * Fixed header and framing: the incremental decoder and a zero-copy view of
 * a packet already in memory. The fixed header is checked as soon as its
 * first byte arrives, so a bad packet is refused before its body is read.
 */
#include <string.h>

#include "tl_mqtt_internal.h"

enum { ST_FIRST = 0, ST_LENGTH = 1, ST_BODY = 2 };

tl_mqtt_status tl_mqtt_check_fixed_header(uint8_t first)
{
    unsigned type = first >> 4, flags = first & 0x0Fu;
    if (type == 0 || type == 15)
        return TL_MQTT_ERR_PACKET_TYPE;
    if (type == TL_MQTT_PUBLISH) {
        unsigned qos = (flags >> 1) & 3u;
        if (qos == 3)
            return TL_MQTT_ERR_QOS;
        return ((flags & 0x08u) && qos == 0) ? TL_MQTT_ERR_DUP_QOS0 : TL_MQTT_OK;
    }
    if (type == TL_MQTT_PUBREL || type == TL_MQTT_SUBSCRIBE || type == TL_MQTT_UNSUBSCRIBE)
        return flags == 0x02u ? TL_MQTT_OK : TL_MQTT_ERR_FLAGS;
    return flags == 0 ? TL_MQTT_OK : TL_MQTT_ERR_FLAGS;
}

tl_mqtt_status tl_mqtt_decode_fixed_header(const uint8_t *buf, size_t len, uint8_t *first,
                                           uint32_t *remaining, size_t *header_len)
{
    uint32_t value = 0;
    size_t i;
    tl_mqtt_status st;
    if ((buf == NULL && len > 0) || first == NULL || remaining == NULL || header_len == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    if (len == 0)
        return TL_MQTT_NEED_MORE;
    if ((st = tl_mqtt_check_fixed_header(buf[0])) != TL_MQTT_OK)
        return st;
    for (i = 0; i < 4; i++) {
        uint8_t b;
        if (1 + i >= len)
            return TL_MQTT_NEED_MORE;
        b = buf[1 + i];
        value |= (uint32_t)(b & 0x7Fu) << (7 * i);
        if ((b & 0x80u) == 0) {
            *first = buf[0];
            *remaining = value;
            *header_len = 2 + i;
            return TL_MQTT_COMPLETE;
        }
    }
    return TL_MQTT_ERR_REMAINING_LENGTH;
}

tl_mqtt_status tl_mqtt_decode_packet(const uint8_t *buf, size_t len, size_t max_body,
                                     tl_mqtt_packet *pkt, size_t *used)
{
    uint8_t first = 0;
    uint32_t rem = 0;
    size_t hlen = 0;
    tl_mqtt_status st;
    if (pkt == NULL || used == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    *used = 0;
    st = tl_mqtt_decode_fixed_header(buf, len, &first, &rem, &hlen);
    if (st != TL_MQTT_COMPLETE)
        return st;
    if (rem > max_body)
        return TL_MQTT_ERR_PACKET_TOO_BIG;
    if (len - hlen < rem)
        return TL_MQTT_NEED_MORE;
    pkt->type = (uint8_t)(first >> 4);
    pkt->flags = (uint8_t)(first & 0x0Fu);
    pkt->body = buf + hlen;
    pkt->len = rem;
    *used = hlen + rem;
    return TL_MQTT_COMPLETE;
}

void tl_mqtt_decoder_init(tl_mqtt_decoder *d, uint8_t *buf, size_t cap)
{
    if (d == NULL)
        return;
    d->buf = buf;
    d->cap = buf != NULL ? cap : 0;
    tl_mqtt_decoder_reset(d);
}

void tl_mqtt_decoder_reset(tl_mqtt_decoder *d)
{
    if (d == NULL)
        return;
    d->remaining = 0;
    d->got = 0;
    d->first = 0;
    d->state = ST_FIRST;
    d->len_bytes = 0;
    d->error = TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_decoder_error(const tl_mqtt_decoder *d)
{
    return d != NULL ? d->error : TL_MQTT_ERR_ARGUMENT;
}

static tl_mqtt_status fail(tl_mqtt_decoder *d, tl_mqtt_status st)
{
    d->error = st;
    return st;
}

tl_mqtt_status tl_mqtt_decoder_feed(tl_mqtt_decoder *d, const uint8_t *data, size_t len,
                                    size_t *consumed, tl_mqtt_packet *pkt)
{
    size_t i = 0;
    if (consumed != NULL)
        *consumed = 0;
    if (d == NULL || consumed == NULL || pkt == NULL || (data == NULL && len > 0))
        return TL_MQTT_ERR_ARGUMENT;
    if (d->error != TL_MQTT_OK)
        return TL_MQTT_ERR_DECODER_FAILED;
    while (i < len) {
        if (d->state == ST_FIRST) {
            tl_mqtt_status st = tl_mqtt_check_fixed_header(data[i]);
            *consumed = ++i;
            if (st != TL_MQTT_OK)
                return fail(d, st);
            d->first = data[i - 1];
            d->remaining = 0;
            d->len_bytes = 0;
            d->state = ST_LENGTH;
        } else if (d->state == ST_LENGTH) {
            uint8_t b = data[i];
            *consumed = ++i;
            d->remaining |= (uint32_t)(b & 0x7Fu) << (7 * d->len_bytes);
            d->len_bytes++;
            if (b & 0x80u) {
                if (d->len_bytes == 4)
                    return fail(d, TL_MQTT_ERR_REMAINING_LENGTH);
                continue;
            }
            /* A PUBLISH too big for the buffer is skipped rather than
             * refused: its head is kept, the rest streams past. */
            if (d->remaining > d->cap && (d->first >> 4) != TL_MQTT_PUBLISH)
                return fail(d, TL_MQTT_ERR_PACKET_TOO_BIG);
            d->got = 0;
            d->state = ST_BODY;
        } else {
            size_t n = len - i, keep;
            if (n > d->remaining - d->got)
                n = d->remaining - d->got;
            keep = d->got < d->cap ? d->cap - d->got : 0;
            if (keep > n)
                keep = n;
            if (keep > 0)
                memcpy(d->buf + d->got, data + i, keep);
            d->got += (uint32_t)n;
            i += n;
            *consumed = i;
        }
        if (d->state == ST_BODY && d->got == d->remaining) {
            pkt->type = (uint8_t)(d->first >> 4);
            pkt->flags = (uint8_t)(d->first & 0x0Fu);
            pkt->body = d->buf;
            pkt->len = d->remaining <= d->cap ? d->remaining : d->cap;
            d->state = ST_FIRST;
            return pkt->len == d->remaining ? TL_MQTT_COMPLETE : TL_MQTT_SKIPPED;
        }
    }
    *consumed = len;
    return TL_MQTT_NEED_MORE;
}
