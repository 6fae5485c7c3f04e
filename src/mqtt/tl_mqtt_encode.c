/*
 * Serializers. Each computes the packet's size while checking every field,
 * then writes it in one pass: a packet is written whole or not at all.
 */
#include <string.h>

#include "tl_mqtt_internal.h"

static uint8_t *put_u16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

/* A length-prefixed field (string or binary). */
static uint8_t *put_field(uint8_t *p, const void *src, size_t len)
{
    p = put_u16(p, len);
    if (len > 0)
        memcpy(p, src, len);
    return p + len;
}

size_t tl_mqtt_encode_remaining_length(uint32_t value, uint8_t out[4])
{
    size_t n = 0;
    if (value > TL_MQTT_MAX_REMAINING_LENGTH)
        return 0;
    do {
        uint8_t b = (uint8_t)(value & 0x7Fu);
        value >>= 7;
        if (value > 0)
            b |= 0x80u;
        out[n++] = b;
    } while (value > 0);
    return n;
}

/* What every serializer checks first: out_len, then its input x. */
static tl_mqtt_status start(const void *x, size_t *out_len)
{
    if (out_len == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    *out_len = 0;
    return x == NULL ? TL_MQTT_ERR_ARGUMENT : TL_MQTT_OK;
}

/*
 * Size the packet (its body is `remaining` bytes, of which the last `unwritten`
 * are left to the caller), check it fits, and write the fixed header; *w is
 * where the body goes.
 */
static tl_mqtt_status begin(uint8_t **w, uint8_t first, size_t remaining, size_t unwritten,
                            uint8_t *buf, size_t cap, size_t *out_len)
{
    uint8_t rl[4];
    size_t n, total;
    if (remaining > TL_MQTT_MAX_REMAINING_LENGTH)
        return TL_MQTT_ERR_PACKET_TOO_BIG;
    n = tl_mqtt_encode_remaining_length((uint32_t)remaining, rl);
    total = 1 + n + remaining - unwritten;
    *out_len = total;
    if (buf == NULL || cap < total)
        return TL_MQTT_ERR_BUFFER_TOO_SMALL;
    buf[0] = first;
    memcpy(buf + 1, rl, n);
    *w = buf + 1 + n;
    return TL_MQTT_OK;
}

static tl_mqtt_status check_qos(uint8_t qos)
{
    if (qos > 2)
        return TL_MQTT_ERR_QOS;
    return qos == 2 ? TL_MQTT_ERR_QOS2_UNSUPPORTED : TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_encode_connect(const tl_mqtt_connect *c, const tl_mqtt_options *opt,
                                      uint8_t *buf, size_t cap, size_t *out_len)
{
    size_t rem;
    uint8_t flags, *w;
    tl_mqtt_status st = start(c, out_len);
    if (st != TL_MQTT_OK)
        return st;
    rem = 12 + c->client_id.len;
    flags = c->clean_session ? 0x02u : 0u;
    /* The flags and limits first, in the order the parser meets them. */
    if (c->has_will) {
        if ((st = check_qos(c->will_qos)) != TL_MQTT_OK)
            return st;
        flags |= (uint8_t)(0x04u | ((unsigned)c->will_qos << 3) | (c->will_retain ? 0x20u : 0u));
    } else if (c->will_qos != 0 || c->will_retain) {
        return TL_MQTT_ERR_WILL;
    }
    if (c->has_password && !c->has_username)
        return TL_MQTT_ERR_CREDENTIALS;
    if ((st = tl_mqtt__check_field(c->client_id.ptr, c->client_id.len, 1)) != TL_MQTT_OK)
        return st;
    if (c->client_id.len == 0 && !c->clean_session)
        return TL_MQTT_ERR_CLIENT_ID;   /* [MQTT-3.1.3-7] */
    if (TL_MQTT__AWS(opt)) {
        if (c->client_id.len > TL_MQTT_AWS_MAX_CLIENT_ID)
            return TL_MQTT_ERR_CLIENT_ID;
        if (c->keep_alive < TL_MQTT_AWS_KEEP_ALIVE_MIN ||
            c->keep_alive > TL_MQTT_AWS_KEEP_ALIVE_MAX)
            return TL_MQTT_ERR_KEEP_ALIVE;
    }
    if (c->has_will) {
        if ((st = tl_mqtt__check_topic(c->will_topic.ptr, c->will_topic.len, opt, 0)) !=
                TL_MQTT_OK ||
            (st = tl_mqtt__check_field(c->will_message.ptr, c->will_message.len, 0)) !=
                TL_MQTT_OK)
            return st;
        rem += 4 + c->will_topic.len + c->will_message.len;
    }
    if (c->has_username) {
        if ((st = tl_mqtt__check_field(c->username.ptr, c->username.len, 1)) != TL_MQTT_OK)
            return st;
        flags |= 0x80u;
        rem += 2 + c->username.len;
    }
    if (c->has_password) {
        if ((st = tl_mqtt__check_field(c->password.ptr, c->password.len, 0)) != TL_MQTT_OK)
            return st;
        flags |= 0x40u;
        rem += 2 + c->password.len;
    }
    if ((st = begin(&w, 0x10, rem, 0, buf, cap, out_len)) != TL_MQTT_OK)
        return st;
    memcpy(w, "\0\4MQTT\4", 7);   /* protocol name and level */
    w[7] = flags;
    w = put_field(put_u16(w + 8, c->keep_alive), c->client_id.ptr, c->client_id.len);
    if (c->has_will)
        w = put_field(put_field(w, c->will_topic.ptr, c->will_topic.len), c->will_message.ptr,
                      c->will_message.len);
    if (c->has_username)
        w = put_field(w, c->username.ptr, c->username.len);
    if (c->has_password)
        (void)put_field(w, c->password.ptr, c->password.len);
    return TL_MQTT_OK;
}

static tl_mqtt_status publish(const tl_mqtt_publish *p, const tl_mqtt_options *opt, int body,
                              uint8_t *buf, size_t cap, size_t *out_len)
{
    uint8_t *w;
    size_t rem;
    tl_mqtt_status st = start(p, out_len);
    if (st != TL_MQTT_OK)
        return st;
    if (body && p->payload_len > 0 && p->payload == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    if ((st = check_qos(p->qos)) != TL_MQTT_OK)
        return st;
    if (p->dup && p->qos == 0)
        return TL_MQTT_ERR_DUP_QOS0;
    if (p->qos > 0 && p->packet_id == 0)
        return TL_MQTT_ERR_PACKET_ID;
    if ((st = tl_mqtt__check_topic(p->topic.ptr, p->topic.len, opt, 0)) != TL_MQTT_OK)
        return st;
    if (TL_MQTT__AWS(opt) && p->payload_len > TL_MQTT_AWS_MAX_PAYLOAD)
        return TL_MQTT_ERR_PAYLOAD_TOO_BIG;
    if (p->payload_len > TL_MQTT_MAX_REMAINING_LENGTH)
        return TL_MQTT_ERR_PACKET_TOO_BIG;
    rem = 2 + p->topic.len + (p->qos > 0 ? 2u : 0u) + p->payload_len;
    st = begin(&w, (uint8_t)(0x30u | (p->dup ? 0x08u : 0u) | (unsigned)(p->qos << 1) |
                             (p->retain ? 0x01u : 0u)),
               rem, body ? 0 : p->payload_len, buf, cap, out_len);
    if (st != TL_MQTT_OK)
        return st;
    w = put_field(w, p->topic.ptr, p->topic.len);
    if (p->qos > 0)
        w = put_u16(w, p->packet_id);
    if (body && p->payload_len > 0)
        memcpy(w, p->payload, p->payload_len);
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_encode_publish(const tl_mqtt_publish *p, const tl_mqtt_options *opt,
                                      uint8_t *buf, size_t cap, size_t *out_len)
{
    return publish(p, opt, 1, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_publish_header(const tl_mqtt_publish *p,
                                             const tl_mqtt_options *opt, uint8_t *buf,
                                             size_t cap, size_t *out_len)
{
    return publish(p, opt, 0, buf, cap, out_len);
}

/* Checks shared by SUBSCRIBE, UNSUBSCRIBE and SUBACK. */
static tl_mqtt_status check_list(uint16_t packet_id, size_t count, size_t max)
{
    if (count == 0)
        return TL_MQTT_ERR_NO_FILTERS;
    if (count > max)
        return TL_MQTT_ERR_TOO_MANY_FILTERS;
    return packet_id == 0 ? TL_MQTT_ERR_PACKET_ID : TL_MQTT_OK;
}

static size_t max_filters(const tl_mqtt_options *opt)
{
    if (TL_MQTT__AWS(opt) && TL_MQTT_AWS_MAX_FILTERS < TL_MQTT_MAX_FILTERS)
        return TL_MQTT_AWS_MAX_FILTERS;
    return TL_MQTT_MAX_FILTERS;
}

tl_mqtt_status tl_mqtt__encode_subscribe(uint16_t packet_id, const tl_mqtt_filter *f,
                                         size_t count, const tl_mqtt_options *opt,
                                         uint8_t *buf, size_t cap, size_t *out_len)
{
    uint8_t *w;
    size_t i, rem = 2;
    tl_mqtt_status st = start(f, out_len);
    if (st != TL_MQTT_OK || (st = check_list(packet_id, count, max_filters(opt))) != TL_MQTT_OK)
        return st;
    for (i = 0; i < count; i++) {
        if ((st = tl_mqtt__check_topic(f[i].filter.ptr, f[i].filter.len, opt, 1)) !=
                TL_MQTT_OK ||
            (st = check_qos(f[i].qos)) != TL_MQTT_OK)
            return st;
        rem += 3 + f[i].filter.len;
    }
    if ((st = begin(&w, 0x82, rem, 0, buf, cap, out_len)) != TL_MQTT_OK)
        return st;
    w = put_u16(w, packet_id);
    for (i = 0; i < count; i++) {
        w = put_field(w, f[i].filter.ptr, f[i].filter.len);
        *w++ = f[i].qos;
    }
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_encode_subscribe(const tl_mqtt_subscribe *s, const tl_mqtt_options *opt,
                                        uint8_t *buf, size_t cap, size_t *out_len)
{
    tl_mqtt_status st = start(s, out_len);
    if (st != TL_MQTT_OK)
        return st;
    return tl_mqtt__encode_subscribe(s->packet_id, s->filters, s->count, opt, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_unsubscribe(const tl_mqtt_unsubscribe *u,
                                          const tl_mqtt_options *opt, uint8_t *buf,
                                          size_t cap, size_t *out_len)
{
    uint8_t *w;
    size_t i, rem = 2;
    tl_mqtt_status st = start(u, out_len);
    if (st != TL_MQTT_OK ||
        (st = check_list(u->packet_id, u->count, max_filters(opt))) != TL_MQTT_OK)
        return st;
    for (i = 0; i < u->count; i++) {
        st = tl_mqtt__check_topic(u->filters[i].ptr, u->filters[i].len, opt, 1);
        if (st != TL_MQTT_OK)
            return st;
        rem += 2 + u->filters[i].len;
    }
    if ((st = begin(&w, 0xA2, rem, 0, buf, cap, out_len)) != TL_MQTT_OK)
        return st;
    w = put_u16(w, u->packet_id);
    for (i = 0; i < u->count; i++)
        w = put_field(w, u->filters[i].ptr, u->filters[i].len);
    return TL_MQTT_OK;
}

/* A packet whose body is nothing or just a packet id (has_id): 2 or 4
 * bytes, the remaining length one byte. */
static tl_mqtt_status small(uint8_t first, int has_id, uint16_t id, uint8_t *buf, size_t cap,
                            size_t *out_len)
{
    size_t n = has_id ? 4u : 2u;
    if (out_len == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    *out_len = 0;
    if (has_id && id == 0)
        return TL_MQTT_ERR_PACKET_ID;
    *out_len = n;
    if (buf == NULL || cap < n)
        return TL_MQTT_ERR_BUFFER_TOO_SMALL;
    buf[0] = first;
    buf[1] = (uint8_t)(n - 2);
    if (has_id)
        (void)put_u16(buf + 2, id);
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_encode_puback(uint16_t packet_id, uint8_t *buf, size_t cap,
                                     size_t *out_len)
{
    return small(0x40, 1, packet_id, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_unsuback(uint16_t packet_id, uint8_t *buf, size_t cap,
                                       size_t *out_len)
{
    return small(0xB0, 1, packet_id, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_pingreq(uint8_t *buf, size_t cap, size_t *out_len)
{
    return small(0xC0, 0, 0, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_pingresp(uint8_t *buf, size_t cap, size_t *out_len)
{
    return small(0xD0, 0, 0, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_disconnect(uint8_t *buf, size_t cap, size_t *out_len)
{
    return small(0xE0, 0, 0, buf, cap, out_len);
}

tl_mqtt_status tl_mqtt_encode_connack(const tl_mqtt_connack *c, uint8_t *buf, size_t cap,
                                      size_t *out_len)
{
    uint8_t *w;
    tl_mqtt_status st = start(c, out_len);
    if (st != TL_MQTT_OK)
        return st;
    if (c->return_code > TL_MQTT_CONNACK_NOT_AUTHORIZED)
        return TL_MQTT_ERR_RETURN_CODE;
    if (c->session_present && c->return_code != 0)
        return TL_MQTT_ERR_SESSION_PRESENT;
    if ((st = begin(&w, 0x20, 2, 0, buf, cap, out_len)) != TL_MQTT_OK)
        return st;
    w[0] = c->session_present ? 1u : 0u;
    w[1] = c->return_code;
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_encode_suback(const tl_mqtt_suback *s, uint8_t *buf, size_t cap,
                                     size_t *out_len)
{
    uint8_t *w;
    size_t i;
    tl_mqtt_status st = start(s, out_len);
    if (st != TL_MQTT_OK ||
        (st = check_list(s->packet_id, s->count, TL_MQTT_MAX_FILTERS)) != TL_MQTT_OK)
        return st;
    for (i = 0; i < s->count; i++) {
        if (s->codes[i] > 2 && s->codes[i] != TL_MQTT_SUBACK_FAILURE)
            return TL_MQTT_ERR_RETURN_CODE;
    }
    if ((st = begin(&w, 0x90, 2 + s->count, 0, buf, cap, out_len)) != TL_MQTT_OK)
        return st;
    memcpy(put_u16(w, s->packet_id), s->codes, s->count);
    return TL_MQTT_OK;
}
