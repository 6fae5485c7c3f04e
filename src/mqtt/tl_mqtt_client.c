/* The MQTT client session: connection state machine, QoS 1 through the
 * journal, keep-alive, reconnect backoff (see tl_mqtt_client.h). */
#include <string.h>

#include "tl_mqtt_client_internal.h"

uint32_t tl_mqtt__client_now(const tl_mqtt_client *c)
{
    return c->port.now_ms(c->port.ctx);
}

/* Milliseconds from a to b, 0 if b is not later (wrap-safe). */
static uint32_t until(uint32_t a, uint32_t b)
{
    uint32_t d = b - a;
    return d < 0x80000000u ? d : 0;
}

void tl_mqtt__client_say(const tl_mqtt_client *c, tl_mqtt_client_event ev, uint32_t detail)
{
    if (c->cb.log)
        c->cb.log(c->cb.user, ev, detail);
}

/* Lose the connection: close, schedule the next attempt, tell the app. */
tl_mqtt_client_status tl_mqtt__client_drop(tl_mqtt_client *c, tl_mqtt_client_status why,
                                           tl_mqtt_client_event ev, uint32_t detail)
{
    int was_up = c->state == TL_MQTT_CLIENT_CONNECTED;
    if (c->t) {
        (*c->t)->close(c->t);
        c->t = NULL;
    }
    c->last_error = why;
    if (c->state == TL_MQTT_CLIENT_STOPPED)
        return why;
    tl_mqtt__client_say(c, ev, detail);
    c->state = TL_MQTT_CLIENT_DISCONNECTED;
    if (was_up && why == TL_MQTT_CLIENT_ERR_TRANSPORT)
        tl_mqtt__client_strike(c);
    c->next_attempt_ms = tl_mqtt__client_now(c) + tl_mqtt_client_backoff_ms(c, c->attempt);
    if (c->attempt < 31)
        c->attempt++;
    if (c->cb.on_disconnect)
        c->cb.on_disconnect(c->cb.user, why);
    return why;
}

tl_mqtt_client_status tl_mqtt__client_send_all(tl_mqtt_client *c, const uint8_t *p, size_t len)
{
    while (len) {
        long n = (*c->t)->send(c->t, p, len, c->cfg.io_timeout_ms);
        if (n <= 0)   /* the IO detail: 0 timed out, 1 closed, 2 I/O error */
            return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TRANSPORT, TL_MQTT_LOG_SEND_FAILED,
                                        (uint32_t)-n);
        p += n;
        len -= (size_t)n;
    }
    c->last_tx_ms = tl_mqtt__client_now(c);
    return TL_MQTT_CLIENT_OK;
}

static tl_mqtt_client_status start_connect(tl_mqtt_client *c)
{
    size_t len;
    tl_mqtt_status st;
    c->t = c->cb.connect(c->cb.user);
    if (!c->t)
        return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TRANSPORT, TL_MQTT_LOG_CANNOT_CONNECT, 0);
    tl_mqtt_decoder_reset(&c->dec);
    /* Unacknowledged PUBLISHes keep their ids and go again with DUP; the
     * application subscribes again from on_connect. */
    tl_mqtt_inflight_requeue(&c->inflight);
    c->ping_out = 0;
    st = tl_mqtt_encode_connect(&c->cfg.connect, &c->cfg.codec, c->tx, c->tx_cap, &len);
    if (st != TL_MQTT_OK) {
        tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_ARGUMENT, TL_MQTT_LOG_BAD_CONNECT, st);
        c->state = TL_MQTT_CLIENT_STOPPED;   /* retrying cannot fix the config */
        return TL_MQTT_CLIENT_ERR_ARGUMENT;
    }
    c->state = TL_MQTT_CLIENT_CONNECTING;
    c->deadline_ms = tl_mqtt__client_now(c) + c->cfg.response_timeout_ms;
    return tl_mqtt__client_send_all(c, c->tx, len);
}

tl_mqtt_inflight_entry *tl_mqtt__client_in_flight(tl_mqtt_client *c, uint16_t id, uint32_t seq)
{
    tl_mqtt_inflight_entry *e = c->inflight.entries, *end = e + c->inflight.count;
    for (; e < end; e++) {
        if (e->type == TL_MQTT_PUBLISH && (id ? e->packet_id == id : e->tag == seq))
            return e;
    }
    return NULL;
}

/* Send journal messages not yet in flight while the window has room. */
tl_mqtt_client_status tl_mqtt__client_pump(tl_mqtt_client *c)
{
    size_t i;
    int alone;
    if (!c->journal || c->state != TL_MQTT_CLIENT_CONNECTED)
        return TL_MQTT_CLIENT_OK;
    /* A suspect head (tl_mqtt_client_poison.c) goes out alone. */
    alone = c->strikes && c->journal->count && c->journal->live[0].seq == c->suspect_seq;
    for (i = 0; i < c->journal->count && !(i && alone); i++) {
        uint32_t seq = c->journal->live[i].seq;
        tl_mqtt_inflight_entry *e = tl_mqtt__client_in_flight(c, 0, seq);
        tl_mqtt_journal_msg m;
        tl_mqtt_publish p;
        tl_mqtt_journal_status js;
        tl_mqtt_status st;
        tl_mqtt_client_status cs;
        size_t len;
        uint16_t id;
        if (e && e->state != TL_MQTT_INFLIGHT_PENDING)
            continue;   /* sent: again only after a reconnect */
        if (!e && c->inflight.count >= c->inflight.window)
            break;
        js = tl_mqtt_journal_read(c->journal, seq, &m);
        if (js != TL_MQTT_JOURNAL_OK) {
            tl_mqtt__client_say(c, TL_MQTT_LOG_UNREADABLE, js);
            continue;
        }
        if (e) {
            id = e->packet_id;
            e->state = TL_MQTT_INFLIGHT_SENT;
        } else if (tl_mqtt_inflight_alloc(&c->inflight, TL_MQTT_PUBLISH, seq, &id) !=
                   TL_MQTT_OK) {
            break;
        }
        memset(&p, 0, sizeof p);
        p.topic.ptr = m.topic;
        p.topic.len = m.topic_len;
        p.payload_len = m.payload_len;
        p.qos = 1;
        p.retain = m.retain;
        p.dup = m.sent_before;
        p.packet_id = id;
        st = tl_mqtt_encode_publish_header(&p, &c->cfg.codec, c->tx, c->tx_cap, &len);
        if (st != TL_MQTT_OK) {   /* stays in the journal; the window slot is freed */
            (void)tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_PUBACK, id);
            tl_mqtt__client_say(c, TL_MQTT_LOG_UNSENDABLE, st);
            continue;
        }
        /* Before sending: it may arrive even if the send fails. */
        c->journal->live[i].flags |= TL_MQTT_JOURNAL_F_SENT;
        if (i == 0) {   /* the head went out on this connection: see the poison rule */
            c->head_sent = 1;
            c->head_seq = seq;
            c->head_acks = c->acks;
        }
        if ((cs = tl_mqtt__client_send_all(c, c->tx, len)) != TL_MQTT_CLIENT_OK ||
            (cs = tl_mqtt__client_send_all(c, m.payload, m.payload_len)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    return TL_MQTT_CLIENT_OK;
}

static tl_mqtt_client_status protocol_error(tl_mqtt_client *c, tl_mqtt_status st)
{
    return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_PROTOCOL, TL_MQTT_LOG_MALFORMED, st);
}

static tl_mqtt_client_status on_connack(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    tl_mqtt_connack ack;
    tl_mqtt_status st = tl_mqtt_parse_connack(pkt, &ack);
    if (st != TL_MQTT_OK)
        return protocol_error(c, st);
    if (ack.return_code != TL_MQTT_CONNACK_ACCEPTED)
        return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_REFUSED, TL_MQTT_LOG_REFUSED,
                                    ack.return_code);
    c->state = TL_MQTT_CLIENT_CONNECTED;
    c->acks = 0;
    c->head_sent = 0;
    c->connections++;
    c->attempt = 0;
    c->last_error = TL_MQTT_CLIENT_OK;
    c->session_present = ack.session_present;
    if (c->cb.on_connect)
        c->cb.on_connect(c->cb.user, ack.session_present);
    return c->state == TL_MQTT_CLIENT_CONNECTED ? tl_mqtt__client_pump(c) : c->last_error;
}

static tl_mqtt_client_status on_publish(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    tl_mqtt_publish p;
    size_t len;
    /* Bytes the decoder skipped: a PUBLISH larger than rx (its head, topic
     * and packet id, is in pkt and parsed as usual). */
    uint32_t cut = c->dec.remaining - (uint32_t)pkt->len;
    tl_mqtt_status st = tl_mqtt_parse_publish(pkt, &c->cfg.codec, &p);
    if (st == TL_MQTT_OK && cut) {
        p.payload = NULL;
        p.payload_len += cut;
        if (c->cfg.codec.aws_limits && p.payload_len > TL_MQTT_AWS_MAX_PAYLOAD)
            st = TL_MQTT_ERR_PAYLOAD_TOO_BIG;
    }
    if (st != TL_MQTT_OK)
        return protocol_error(c, st);
    if (cut) {
        /* Acknowledged all the same, or the broker would send it again on
         * every reconnect. */
        tl_mqtt__client_say(c, TL_MQTT_LOG_DROPPED, (uint32_t)p.payload_len);
        if (c->cb.on_dropped)
            c->cb.on_dropped(c->cb.user, &p);
    } else if (c->cb.on_message) {
        c->cb.on_message(c->cb.user, &p);
    }
    if (p.qos != 1 || c->state != TL_MQTT_CLIENT_CONNECTED)
        return TL_MQTT_CLIENT_OK;
    (void)tl_mqtt_encode_puback(p.packet_id, c->tx, c->tx_cap, &len);
    return tl_mqtt__client_send_all(c, c->tx, len);
}

/* PUBACK, SUBACK, UNSUBACK: free the packet id, tell the application; a
 * PUBACK also settles its journal message. */
static tl_mqtt_client_status on_ack(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    const tl_mqtt_inflight_entry *e;
    tl_mqtt_journal_status js;
    tl_mqtt_suback s;
    uint32_t seq = 0;
    unsigned type = pkt->type;
    tl_mqtt_status st = type == TL_MQTT_SUBACK   ? tl_mqtt_parse_suback(pkt, &s)
                        : type == TL_MQTT_PUBACK ? tl_mqtt_parse_puback(pkt, &s.packet_id)
                                                 : tl_mqtt_parse_unsuback(pkt, &s.packet_id);
    if (st != TL_MQTT_OK)
        return protocol_error(c, st);
    if (type == TL_MQTT_PUBACK) {
        c->acks++;
        if ((e = tl_mqtt__client_in_flight(c, s.packet_id, 0)) != NULL)
            seq = e->tag;
    }
    if (tl_mqtt_inflight_ack(&c->inflight, (uint8_t)type, s.packet_id) != TL_MQTT_OK) {
        tl_mqtt__client_say(c, TL_MQTT_LOG_STRAY_ACK, s.packet_id);
        return TL_MQTT_CLIENT_OK;
    }
    if (type == TL_MQTT_PUBACK) {   /* only journal messages are PUBLISHes in flight */
        if ((js = tl_mqtt_journal_ack(c->journal, seq)) != TL_MQTT_JOURNAL_OK)
            tl_mqtt__client_say(c, TL_MQTT_LOG_ACK_LOST, js);
        if (c->cb.on_delivered)
            c->cb.on_delivered(c->cb.user, seq);
    } else if (type == TL_MQTT_SUBACK) {
        if (c->cb.on_suback)
            c->cb.on_suback(c->cb.user, s.packet_id, s.codes, s.count);
    } else if (c->cb.on_unsuback) {
        c->cb.on_unsuback(c->cb.user, s.packet_id);
    }
    return tl_mqtt__client_pump(c);   /* the window has room again */
}

static tl_mqtt_client_status dispatch(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    tl_mqtt_status st = TL_MQTT_ERR_PACKET_TYPE;
    unsigned type = pkt->type;
    if (c->state == TL_MQTT_CLIENT_CONNECTING)
        return type == TL_MQTT_CONNACK ? on_connack(c, pkt) : protocol_error(c, st);
    if (type == TL_MQTT_PUBLISH)
        return on_publish(c, pkt);
    if (type == TL_MQTT_PUBACK || (type | 2u) == TL_MQTT_UNSUBACK)   /* UNSUBACK 11, SUBACK 9 */
        return on_ack(c, pkt);
    if (type == TL_MQTT_PINGRESP && (st = tl_mqtt_parse_pingresp(pkt)) == TL_MQTT_OK) {
        c->ping_out = 0;
        return TL_MQTT_CLIENT_OK;
    }
    return protocol_error(c, st);
}

/* Feed len received bytes (in raw) to the decoder and handle every whole
 * packet. */
static tl_mqtt_client_status consume(tl_mqtt_client *c, size_t len)
{
    size_t off = 0;
    while (off < len && c->t) {
        tl_mqtt_packet pkt;
        size_t used = 0;
        tl_mqtt_client_status cs;
        tl_mqtt_status st = tl_mqtt_decoder_feed(&c->dec, c->raw + off, len - off, &used, &pkt);
        off += used;
        if (st == TL_MQTT_NEED_MORE)
            break;
        if (st != TL_MQTT_COMPLETE && st != TL_MQTT_SKIPPED)
            return protocol_error(c, c->dec.error);
        if ((cs = dispatch(c, &pkt)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    return TL_MQTT_CLIENT_OK;
}

/* Keep-alive and response deadlines; sets *wait to the time until the next. */
static tl_mqtt_client_status timers(tl_mqtt_client *c, uint32_t *wait)
{
    uint32_t t = tl_mqtt__client_now(c), left;
    if (c->state == TL_MQTT_CLIENT_CONNECTING || c->ping_out) {
        left = until(t, c->deadline_ms);
        if (!left)
            return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TIMEOUT, TL_MQTT_LOG_NO_ANSWER,
                                        c->ping_out ? TL_MQTT_PINGRESP : TL_MQTT_CONNACK);
    } else if (c->cfg.connect.keep_alive) {
        left = until(t, c->last_tx_ms + c->cfg.connect.keep_alive * 1000u);
        if (!left) {
            size_t len;
            (void)tl_mqtt_encode_pingreq(c->tx, c->tx_cap, &len);
            c->ping_out = 1;
            c->deadline_ms = t + c->cfg.response_timeout_ms;
            left = c->cfg.response_timeout_ms;
            if (tl_mqtt__client_send_all(c, c->tx, len) != TL_MQTT_CLIENT_OK)
                return c->last_error;
        }
    } else {
        return TL_MQTT_CLIENT_OK;   /* no keep-alive: nothing is due */
    }
    if (left < *wait)
        *wait = left;
    return TL_MQTT_CLIENT_OK;
}

tl_mqtt_client_status tl_mqtt_client_poll(tl_mqtt_client *c, uint32_t timeout_ms)
{
    tl_mqtt_client_status cs;
    uint32_t wait = timeout_ms;
    long n;
    int rounds;
    if (c->state == TL_MQTT_CLIENT_STOPPED)
        return TL_MQTT_CLIENT_ERR_STOPPED;
    if (c->state == TL_MQTT_CLIENT_DISCONNECTED) {
        uint32_t left = until(tl_mqtt__client_now(c), c->next_attempt_ms);
        if (left) {
            if (c->port.sleep_ms)
                c->port.sleep_ms(c->port.ctx, left < timeout_ms ? left : timeout_ms);
            return TL_MQTT_CLIENT_OK;
        }
        if ((cs = start_connect(c)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    if ((cs = tl_mqtt__client_pump(c)) != TL_MQTT_CLIENT_OK ||
        (cs = timers(c, &wait)) != TL_MQTT_CLIENT_OK)
        return cs;
    /* One wait for input, then drain what is already there. */
    for (rounds = 0; rounds < 16 && c->t; rounds++) {
        n = (*c->t)->recv(c->t, c->raw, sizeof c->raw, rounds ? 0 : wait);
        if (n == 0)
            break;
        if (n < 0)   /* the IO detail: 1 closed by the broker, 2 I/O error */
            return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TRANSPORT,
                                        TL_MQTT_LOG_CONNECTION_LOST, (uint32_t)-n);
        if ((cs = consume(c, (size_t)n)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    return c->t ? timers(c, &wait) : c->last_error;
}
