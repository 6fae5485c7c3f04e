/*
 * Typed parsers of decoded packets. Fields are read in order; the first
 * fault found is returned. Parsed strings point into the packet body.
 */
#include <string.h>

#include "tl_mqtt_internal.h"

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t pos;
} reader;

static tl_mqtt_status get_u8(reader *r, uint8_t *v)
{
    if (r->len - r->pos < 1)
        return TL_MQTT_ERR_TRUNCATED;
    *v = r->p[r->pos++];
    return TL_MQTT_OK;
}

static tl_mqtt_status get_u16(reader *r, uint16_t *v)
{
    if (r->len - r->pos < 2)
        return TL_MQTT_ERR_TRUNCATED;
    *v = (uint16_t)((r->p[r->pos] << 8) | r->p[r->pos + 1]);
    r->pos += 2;
    return TL_MQTT_OK;
}

/* A length-prefixed field: 2-byte length, then that many bytes. */
static tl_mqtt_status get_field(reader *r, const uint8_t **ptr, size_t *len)
{
    uint16_t n;
    tl_mqtt_status st = get_u16(r, &n);
    if (st != TL_MQTT_OK)
        return st;
    if (r->len - r->pos < n)
        return TL_MQTT_ERR_STRING_LENGTH;
    *ptr = r->p + r->pos;
    *len = n;
    r->pos += n;
    return TL_MQTT_OK;
}

static tl_mqtt_status get_str(reader *r, tl_mqtt_str *s)
{
    const uint8_t *p = NULL;
    tl_mqtt_status st = get_field(r, &p, &s->len);
    s->ptr = (const char *)p;
    if (st != TL_MQTT_OK)
        return st;
    return tl_mqtt_utf8_valid(s->ptr, s->len) ? TL_MQTT_OK : TL_MQTT_ERR_UTF8;
}

static tl_mqtt_status get_bytes(reader *r, tl_mqtt_bytes *b)
{
    return get_field(r, &b->ptr, &b->len);
}

#define ANY_LENGTH ((size_t)-1)

/* Check the packet's type, flags and (unless ANY_LENGTH) exact length, then
 * the parser's output pointer (NULL: ERR_ARGUMENT, after the packet's own
 * errors), and start reading the body. */
static tl_mqtt_status begin(const tl_mqtt_packet *pkt, tl_mqtt_type type, reader *r,
                            size_t exact, const void *out)
{
    tl_mqtt_status st;
    if (pkt == NULL || (pkt->body == NULL && pkt->len > 0))
        return TL_MQTT_ERR_ARGUMENT;
    if (pkt->type != type)
        return TL_MQTT_ERR_PACKET_TYPE;
    if (pkt->flags > 0x0Fu)
        return TL_MQTT_ERR_FLAGS;
    st = tl_mqtt_check_fixed_header((uint8_t)((unsigned)type << 4 | pkt->flags));
    if (st != TL_MQTT_OK)
        return st;
    if (exact != ANY_LENGTH && pkt->len != exact)
        return TL_MQTT_ERR_LENGTH;
    if (out == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    r->p = pkt->body;
    r->len = pkt->len;
    r->pos = 0;
    return TL_MQTT_OK;
}

static size_t max_filters(const tl_mqtt_options *opt)
{
    if (TL_MQTT__AWS(opt) && TL_MQTT_AWS_MAX_FILTERS < TL_MQTT_MAX_FILTERS)
        return TL_MQTT_AWS_MAX_FILTERS;
    return TL_MQTT_MAX_FILTERS;
}

tl_mqtt_status tl_mqtt_parse_connack(const tl_mqtt_packet *pkt, tl_mqtt_connack *out)
{
    reader r;
    tl_mqtt_status st = begin(pkt, TL_MQTT_CONNACK, &r, 2, out);
    if (st != TL_MQTT_OK)
        return st;
    if (r.p[0] & 0xFEu)
        return TL_MQTT_ERR_RESERVED;
    if (r.p[1] > TL_MQTT_CONNACK_NOT_AUTHORIZED)
        return TL_MQTT_ERR_RETURN_CODE;
    if (r.p[0] && r.p[1])
        return TL_MQTT_ERR_SESSION_PRESENT;
    out->session_present = r.p[0];
    out->return_code = r.p[1];
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_parse_publish(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt,
                                     tl_mqtt_publish *out)
{
    reader r;
    const uint8_t *topic = NULL;
    tl_mqtt_status st = begin(pkt, TL_MQTT_PUBLISH, &r, ANY_LENGTH, out);
    if (st != TL_MQTT_OK)
        return st;
    memset(out, 0, sizeof *out);
    out->qos = (uint8_t)((pkt->flags >> 1) & 3u);
    out->dup = (pkt->flags >> 3) & 1u;
    out->retain = pkt->flags & 1u;
    if (out->qos == 2)
        return TL_MQTT_ERR_QOS2_UNSUPPORTED;
    if ((st = get_field(&r, &topic, &out->topic.len)) != TL_MQTT_OK)
        return st;
    out->topic.ptr = (const char *)topic;
    if ((st = tl_mqtt__check_topic(out->topic.ptr, out->topic.len, opt, 0)) != TL_MQTT_OK)
        return st;
    if (out->qos > 0) {
        if ((st = get_u16(&r, &out->packet_id)) != TL_MQTT_OK)
            return st;
        if (out->packet_id == 0)
            return TL_MQTT_ERR_PACKET_ID;
    }
    out->payload = r.p + r.pos;
    out->payload_len = r.len - r.pos;
    if (TL_MQTT__AWS(opt) && out->payload_len > TL_MQTT_AWS_MAX_PAYLOAD)
        return TL_MQTT_ERR_PAYLOAD_TOO_BIG;
    return TL_MQTT_OK;
}

/* PUBACK, UNSUBACK: exactly a non-zero packet id. */
static tl_mqtt_status parse_ack(const tl_mqtt_packet *pkt, tl_mqtt_type type, uint16_t *id)
{
    reader r;
    tl_mqtt_status st = begin(pkt, type, &r, 2, id);
    if (st != TL_MQTT_OK)
        return st;
    (void)get_u16(&r, id);
    return *id == 0 ? TL_MQTT_ERR_PACKET_ID : TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_parse_puback(const tl_mqtt_packet *pkt, uint16_t *packet_id)
{
    return parse_ack(pkt, TL_MQTT_PUBACK, packet_id);
}

tl_mqtt_status tl_mqtt_parse_unsuback(const tl_mqtt_packet *pkt, uint16_t *packet_id)
{
    return parse_ack(pkt, TL_MQTT_UNSUBACK, packet_id);
}

tl_mqtt_status tl_mqtt_parse_suback(const tl_mqtt_packet *pkt, tl_mqtt_suback *out)
{
    reader r;
    size_t i;
    tl_mqtt_status st = begin(pkt, TL_MQTT_SUBACK, &r, ANY_LENGTH, out);
    if (st != TL_MQTT_OK)
        return st;
    if (r.len < 3)
        return TL_MQTT_ERR_LENGTH;   /* a packet id and at least one code */
    if (r.len - 2 > TL_MQTT_MAX_FILTERS)
        return TL_MQTT_ERR_TOO_MANY_FILTERS;
    (void)get_u16(&r, &out->packet_id);
    if (out->packet_id == 0)
        return TL_MQTT_ERR_PACKET_ID;
    out->count = r.len - 2;
    for (i = 0; i < out->count; i++) {
        uint8_t c = r.p[2 + i];
        if (c > 2 && c != TL_MQTT_SUBACK_FAILURE)
            return TL_MQTT_ERR_RETURN_CODE;
        out->codes[i] = c;
    }
    return TL_MQTT_OK;
}

static tl_mqtt_status parse_empty(const tl_mqtt_packet *pkt, tl_mqtt_type type)
{
    reader r;
    return begin(pkt, type, &r, 0, pkt);   /* no output */
}

tl_mqtt_status tl_mqtt_parse_pingresp(const tl_mqtt_packet *pkt)
{
    return parse_empty(pkt, TL_MQTT_PINGRESP);
}

tl_mqtt_status tl_mqtt_parse_pingreq(const tl_mqtt_packet *pkt)
{
    return parse_empty(pkt, TL_MQTT_PINGREQ);
}

tl_mqtt_status tl_mqtt_parse_disconnect(const tl_mqtt_packet *pkt)
{
    return parse_empty(pkt, TL_MQTT_DISCONNECT);
}

/* CONNECT's variable header: protocol name and level, flags, keep-alive. */
static tl_mqtt_status connect_header(reader *r, tl_mqtt_connect *out, uint8_t *flags)
{
    const uint8_t *name = NULL;
    size_t name_len = 0;
    uint8_t level, f, qos;
    tl_mqtt_status st;
    if ((st = get_field(r, &name, &name_len)) != TL_MQTT_OK)
        return st;
    if (name_len != 4 || memcmp(name, "MQTT", 4) != 0)
        return TL_MQTT_ERR_PROTOCOL_NAME;
    if ((st = get_u8(r, &level)) != TL_MQTT_OK)
        return st;
    if (level != 4)
        return TL_MQTT_ERR_PROTOCOL_LEVEL;
    if ((st = get_u8(r, &f)) != TL_MQTT_OK)
        return st;
    if (f & 0x01u)
        return TL_MQTT_ERR_RESERVED;
    qos = (uint8_t)((f >> 3) & 3u);
    if (!(f & 0x04u) && (qos != 0 || (f & 0x20u)))
        return TL_MQTT_ERR_WILL;
    if (qos == 3)
        return TL_MQTT_ERR_QOS;
    if (qos == 2)
        return TL_MQTT_ERR_QOS2_UNSUPPORTED;
    if ((f & 0x40u) && !(f & 0x80u))
        return TL_MQTT_ERR_CREDENTIALS;
    out->clean_session = (f >> 1) & 1u;
    out->has_will = (f >> 2) & 1u;
    out->will_qos = qos;
    out->will_retain = (f >> 5) & 1u;
    out->has_password = (f >> 6) & 1u;
    out->has_username = (f >> 7) & 1u;
    *flags = f;
    return get_u16(r, &out->keep_alive);
}

tl_mqtt_status tl_mqtt_parse_connect(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt,
                                     tl_mqtt_connect *out)
{
    reader r;
    uint8_t flags = 0;
    const uint8_t *topic = NULL;
    tl_mqtt_status st = begin(pkt, TL_MQTT_CONNECT, &r, ANY_LENGTH, out);
    if (st != TL_MQTT_OK)
        return st;
    memset(out, 0, sizeof *out);
    if ((st = connect_header(&r, out, &flags)) != TL_MQTT_OK ||
        (st = get_str(&r, &out->client_id)) != TL_MQTT_OK)
        return st;
    if (out->client_id.len == 0 && !out->clean_session)
        return TL_MQTT_ERR_CLIENT_ID;
    if (TL_MQTT__AWS(opt) && out->client_id.len > TL_MQTT_AWS_MAX_CLIENT_ID)
        return TL_MQTT_ERR_CLIENT_ID;
    if (out->has_will) {
        if ((st = get_field(&r, &topic, &out->will_topic.len)) != TL_MQTT_OK)
            return st;
        out->will_topic.ptr = (const char *)topic;
        if ((st = tl_mqtt__check_topic(out->will_topic.ptr, out->will_topic.len, opt, 0)) !=
                TL_MQTT_OK ||
            (st = get_bytes(&r, &out->will_message)) != TL_MQTT_OK)
            return st;
    }
    if (out->has_username && (st = get_str(&r, &out->username)) != TL_MQTT_OK)
        return st;
    if (out->has_password && (st = get_bytes(&r, &out->password)) != TL_MQTT_OK)
        return st;
    return r.pos == r.len ? TL_MQTT_OK : TL_MQTT_ERR_LENGTH;
}

/* SUBSCRIBE and UNSUBSCRIBE start alike: the packet of that type, a non-zero
 * packet id, and at least one filter after it. */
static tl_mqtt_status begin_filters(const tl_mqtt_packet *pkt, tl_mqtt_type type, reader *r,
                                    uint16_t *packet_id)
{
    tl_mqtt_status st = begin(pkt, type, r, ANY_LENGTH, packet_id);
    if (st != TL_MQTT_OK || (st = get_u16(r, packet_id)) != TL_MQTT_OK)
        return st;
    if (*packet_id == 0)
        return TL_MQTT_ERR_PACKET_ID;
    return r->pos == r->len ? TL_MQTT_ERR_NO_FILTERS : TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_parse_subscribe(const tl_mqtt_packet *pkt, const tl_mqtt_options *opt,
                                       tl_mqtt_subscribe *out)
{
    reader r;
    tl_mqtt_status st;
    if (out == NULL)   /* the packet's own errors first, as for the other parsers */
        return begin(pkt, TL_MQTT_SUBSCRIBE, &r, ANY_LENGTH, NULL);
    memset(out, 0, sizeof *out);
    if ((st = begin_filters(pkt, TL_MQTT_SUBSCRIBE, &r, &out->packet_id)) != TL_MQTT_OK)
        return st;
    while (r.pos < r.len) {
        tl_mqtt_filter *f;
        const uint8_t *p = NULL;
        uint8_t qos;
        if (out->count == max_filters(opt))
            return TL_MQTT_ERR_TOO_MANY_FILTERS;
        f = &out->filters[out->count];
        if ((st = get_field(&r, &p, &f->filter.len)) != TL_MQTT_OK)
            return st;
        f->filter.ptr = (const char *)p;
        if ((st = tl_mqtt__check_topic(f->filter.ptr, f->filter.len, opt, 1)) != TL_MQTT_OK ||
            (st = get_u8(&r, &qos)) != TL_MQTT_OK)
            return st;
        if (qos & 0xFCu)
            return TL_MQTT_ERR_RESERVED;
        if (qos == 3)
            return TL_MQTT_ERR_QOS;
        f->qos = qos;
        out->count++;
    }
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_parse_unsubscribe(const tl_mqtt_packet *pkt,
                                         const tl_mqtt_options *opt,
                                         tl_mqtt_unsubscribe *out)
{
    reader r;
    tl_mqtt_status st;
    if (out == NULL)   /* the packet's own errors first, as for the other parsers */
        return begin(pkt, TL_MQTT_UNSUBSCRIBE, &r, ANY_LENGTH, NULL);
    memset(out, 0, sizeof *out);
    if ((st = begin_filters(pkt, TL_MQTT_UNSUBSCRIBE, &r, &out->packet_id)) != TL_MQTT_OK)
        return st;
    while (r.pos < r.len) {
        tl_mqtt_str *f;
        const uint8_t *p = NULL;
        if (out->count == max_filters(opt))
            return TL_MQTT_ERR_TOO_MANY_FILTERS;
        f = &out->filters[out->count];
        if ((st = get_field(&r, &p, &f->len)) != TL_MQTT_OK)
            return st;
        f->ptr = (const char *)p;
        if ((st = tl_mqtt__check_topic(f->ptr, f->len, opt, 1)) != TL_MQTT_OK)
            return st;
        out->count++;
    }
    return TL_MQTT_OK;
}
