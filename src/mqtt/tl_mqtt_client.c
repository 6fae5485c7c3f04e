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

static void say(const tl_mqtt_client *c, const char *what, const char *why)
{
    if (c->cb.log)
        c->cb.log(c->cb.user, what, why ? why : "");
}

/* Lose the connection: close, schedule the next attempt, tell the app. */
tl_mqtt_client_status tl_mqtt__client_drop(tl_mqtt_client *c, tl_mqtt_client_status why,
                                           const char *what, const char *detail)
{
    int was_up = c->state == TL_MQTT_CLIENT_CONNECTED;
    if (c->t) {
        (*c->t)->close(c->t);
        c->t = NULL;
    }
    c->last_error = why;
    if (c->state == TL_MQTT_CLIENT_STOPPED)
        return why;
    say(c, what, detail);
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
        if (n <= 0)
            return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TRANSPORT, "send failed",
                                        n == 0                     ? "timed out"
                                        : n == TL_TRANSPORT_CLOSED ? "connection closed"
                                                                   : "I/O error");
        p += n;
        len -= (size_t)n;
    }
    c->last_tx_ms = tl_mqtt__client_now(c);
    return TL_MQTT_CLIENT_OK;
}

/*
 * A new connection: unacknowledged PUBLISHes keep their packet ids and go
 * again with DUP (MQTT-4.4.0-1 asks for the original ids); SUBSCRIBE and
 * UNSUBSCRIBE requests are dropped, the application subscribes again from
 * on_connect (a clean session has forgotten them anyway).
 */
static void forget_requests(tl_mqtt_client *c)
{
    static const uint8_t req[2][2] = { { TL_MQTT_SUBSCRIBE, TL_MQTT_SUBACK },
                                       { TL_MQTT_UNSUBSCRIBE, TL_MQTT_UNSUBACK } };
    const tl_mqtt_inflight_entry *e;
    size_t i, cur;
    for (i = 0; i < 2; i++) {
        cur = 0;
        while ((e = tl_mqtt_inflight_next(&c->inflight, req[i][0], &cur)) != NULL) {
            (void)tl_mqtt_inflight_ack(&c->inflight, req[i][1], e->packet_id);
            cur = 0;
        }
    }
    for (i = 0; i < c->nmap; i++)
        (void)tl_mqtt_inflight_set_state(&c->inflight, c->map[i].packet_id,
                                         TL_MQTT_INFLIGHT_PENDING);
}

static tl_mqtt_client_status start_connect(tl_mqtt_client *c)
{
    size_t len;
    tl_mqtt_status st;
    c->t = c->cb.connect(c->cb.user);
    if (!c->t)
        return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TRANSPORT, "cannot connect",
                                    "transport failed");
    tl_mqtt_decoder_reset(&c->dec);
    c->raw_len = c->raw_off = 0;
    forget_requests(c);
    c->ping_out = 0;
    st = tl_mqtt_encode_connect(&c->cfg.connect, &c->cfg.codec, c->tx, c->tx_cap, &len);
    if (st != TL_MQTT_OK) {
        tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_ARGUMENT, "bad CONNECT settings",
                             tl_mqtt_status_message(st));
        c->state = TL_MQTT_CLIENT_STOPPED;   /* retrying cannot fix the config */
        return TL_MQTT_CLIENT_ERR_ARGUMENT;
    }
    c->state = TL_MQTT_CLIENT_CONNECTING;
    c->deadline_ms = tl_mqtt__client_now(c) + c->cfg.response_timeout_ms;
    return tl_mqtt__client_send_all(c, c->tx, len);
}

/* The map slot of journal message seq, or nmap if it is not in flight. */
static size_t map_slot(const tl_mqtt_client *c, uint32_t seq)
{
    size_t i;
    for (i = 0; i < c->nmap && c->map[i].seq != seq; i++)
        ;
    return i;
}

/* Send journal messages not yet in flight while the window has room. */
tl_mqtt_client_status tl_mqtt__client_pump(tl_mqtt_client *c)
{
    size_t i;
    if (!c->journal || c->state != TL_MQTT_CLIENT_CONNECTED)
        return TL_MQTT_CLIENT_OK;
    for (i = 0; i < tl_mqtt_journal_count(c->journal); i++) {
        uint32_t seq = tl_mqtt_journal_seq_at(c->journal, i);
        tl_mqtt_journal_msg m;
        tl_mqtt_publish p;
        tl_mqtt_journal_status js;
        tl_mqtt_status st;
        tl_mqtt_client_status cs;
        size_t len;
        uint16_t id;
        size_t slot = map_slot(c, seq);
        if (i > 0 && tl_mqtt__client_isolated(c))
            break;   /* a suspect head goes out alone */
        if (slot < c->nmap) {   /* in flight: again only after a reconnect */
            const tl_mqtt_inflight_entry *e = tl_mqtt_inflight_find(&c->inflight,
                                                                    c->map[slot].packet_id);
            if (!e || e->state != TL_MQTT_INFLIGHT_PENDING)
                continue;
            id = e->packet_id;
        } else if (tl_mqtt_inflight_count(&c->inflight) >= c->cfg.window) {
            break;
        }
        js = tl_mqtt_journal_read(c->journal, seq, &m);
        if (js != TL_MQTT_JOURNAL_OK) {
            say(c, "journal record unreadable, left in place", tl_mqtt_journal_status_text(js));
            continue;
        }
        if (slot == c->nmap) {
            if (tl_mqtt_inflight_alloc(&c->inflight, TL_MQTT_PUBLISH, &id) != TL_MQTT_OK)
                break;
            c->map[c->nmap].packet_id = id;
            c->map[c->nmap++].seq = seq;
        }
        memset(&p, 0, sizeof p);
        p.topic.ptr = m.topic;
        p.topic.len = m.topic_len;
        p.payload = m.payload;
        p.payload_len = m.payload_len;
        p.qos = 1;
        p.retain = m.retain;
        p.dup = m.sent_before;
        p.packet_id = id;
        st = tl_mqtt_encode_publish_header(&p, &c->cfg.codec, c->tx, c->tx_cap, &len);
        if (st != TL_MQTT_OK) {   /* stays in the journal; the window slot is freed */
            (void)tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_PUBACK, id);
            c->map[map_slot(c, seq)] = c->map[--c->nmap];
            say(c, "stored message cannot be sent", tl_mqtt_status_message(st));
            continue;
        }
        tl_mqtt_journal_mark_sent(c->journal, seq);   /* before: it may arrive */
        tl_mqtt__client_sent(c, seq);
        (void)tl_mqtt_inflight_set_state(&c->inflight, id, TL_MQTT_INFLIGHT_SENT);
        if ((cs = tl_mqtt__client_send_all(c, c->tx, len)) != TL_MQTT_CLIENT_OK ||
            (cs = tl_mqtt__client_send_all(c, m.payload, m.payload_len)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    return TL_MQTT_CLIENT_OK;
}

static tl_mqtt_client_status protocol_error(tl_mqtt_client *c, tl_mqtt_status st)
{
    return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_PROTOCOL,
                                "malformed packet from the broker", tl_mqtt_status_message(st));
}

static tl_mqtt_client_status on_connack(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    static const char *const why[] = {
        "", "unacceptable protocol version", "client id rejected", "server unavailable",
        "bad user name or password", "not authorized" };
    tl_mqtt_connack ack;
    tl_mqtt_status st = tl_mqtt_parse_connack(pkt, &ack);
    if (st != TL_MQTT_OK)
        return protocol_error(c, st);
    if (ack.return_code != TL_MQTT_CONNACK_ACCEPTED)
        return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_REFUSED,
                                    "connection refused by the broker", why[ack.return_code]);
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

static tl_mqtt_client_status on_puback(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    uint16_t id;
    size_t i;
    tl_mqtt_status st = tl_mqtt_parse_puback(pkt, &id);
    if (st != TL_MQTT_OK)
        return protocol_error(c, st);
    c->acks++;
    if (tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_PUBACK, id) != TL_MQTT_OK) {
        say(c, "PUBACK for a packet id not in flight, ignored", "");
        return TL_MQTT_CLIENT_OK;
    }
    for (i = 0; i < c->nmap && c->map[i].packet_id != id; i++)
        ;
    if (i < c->nmap) {
        uint32_t seq = c->map[i].seq;
        c->map[i] = c->map[--c->nmap];
        if (tl_mqtt_journal_ack(c->journal, seq) != TL_MQTT_JOURNAL_OK)
            say(c, "could not record an acknowledgement", "the message may be sent again");
        if (c->cb.on_delivered)
            c->cb.on_delivered(c->cb.user, seq);
    }
    return tl_mqtt__client_pump(c);
}

static tl_mqtt_client_status on_publish(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    tl_mqtt_publish p;
    size_t len;
    tl_mqtt_status st = tl_mqtt_parse_publish(pkt, &c->cfg.codec, &p);
    if (st != TL_MQTT_OK)
        return protocol_error(c, st);
    if (c->cb.on_message)
        c->cb.on_message(c->cb.user, &p);
    if (p.qos != 1 || c->state != TL_MQTT_CLIENT_CONNECTED)
        return TL_MQTT_CLIENT_OK;
    (void)tl_mqtt_encode_puback(p.packet_id, c->tx, c->tx_cap, &len);
    return tl_mqtt__client_send_all(c, c->tx, len);
}

static tl_mqtt_client_status dispatch(tl_mqtt_client *c, const tl_mqtt_packet *pkt)
{
    tl_mqtt_status st = TL_MQTT_ERR_PACKET_TYPE;
    if (c->state == TL_MQTT_CLIENT_CONNECTING)
        return pkt->type == TL_MQTT_CONNACK ? on_connack(c, pkt) : protocol_error(c, st);
    switch (pkt->type) {
    case TL_MQTT_PUBLISH: return on_publish(c, pkt);
    case TL_MQTT_PUBACK: return on_puback(c, pkt);
    case TL_MQTT_PINGRESP:
        if ((st = tl_mqtt_parse_pingresp(pkt)) != TL_MQTT_OK)
            break;
        c->ping_out = 0;
        return TL_MQTT_CLIENT_OK;
    case TL_MQTT_SUBACK: {
        tl_mqtt_suback s;
        if ((st = tl_mqtt_parse_suback(pkt, &s)) != TL_MQTT_OK)
            break;
        if (tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_SUBACK, s.packet_id) == TL_MQTT_OK &&
            c->cb.on_suback)
            c->cb.on_suback(c->cb.user, s.packet_id, s.codes, s.count);
        return tl_mqtt__client_pump(c);
    }
    case TL_MQTT_UNSUBACK: {
        uint16_t id;
        if ((st = tl_mqtt_parse_unsuback(pkt, &id)) != TL_MQTT_OK)
            break;
        if (tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_UNSUBACK, id) == TL_MQTT_OK &&
            c->cb.on_unsuback)
            c->cb.on_unsuback(c->cb.user, id);
        return tl_mqtt__client_pump(c);
    }
    default:
        break;
    }
    return protocol_error(c, st);
}

/* Feed what was received to the decoder and handle every whole packet. */
static tl_mqtt_client_status consume(tl_mqtt_client *c)
{
    while (c->raw_off < c->raw_len && c->t) {
        tl_mqtt_packet pkt;
        size_t used = 0;
        tl_mqtt_client_status cs;
        tl_mqtt_status st = tl_mqtt_decoder_feed(&c->dec, c->raw + c->raw_off,
                                                 c->raw_len - c->raw_off, &used, &pkt);
        c->raw_off += used;
        if (st == TL_MQTT_NEED_MORE)
            break;
        if (st != TL_MQTT_COMPLETE)
            return protocol_error(c, tl_mqtt_decoder_error(&c->dec));
        if ((cs = dispatch(c, &pkt)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    return TL_MQTT_CLIENT_OK;
}

/* Keep-alive and response deadlines; sets *wait to the time until the next. */
static tl_mqtt_client_status timers(tl_mqtt_client *c, uint32_t *wait)
{
    uint32_t t = tl_mqtt__client_now(c), ka = (uint32_t)c->cfg.connect.keep_alive * 1000u, left;
    if (c->state == TL_MQTT_CLIENT_CONNECTING || c->ping_out) {
        left = until(t, c->deadline_ms);
        if (!left)
            return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TIMEOUT, "broker did not answer",
                                        c->ping_out ? "no PINGRESP in time"
                                                    : "no CONNACK in time");
    } else if (ka) {
        left = until(t, c->last_tx_ms + ka);
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
        left = *wait;
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
        if (n < 0)
            return tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_TRANSPORT, "connection lost",
                                        n == TL_TRANSPORT_CLOSED ? "closed by the broker"
                                                                 : "I/O error");
        c->raw_len = (size_t)n;
        c->raw_off = 0;
        if ((cs = consume(c)) != TL_MQTT_CLIENT_OK)
            return cs;
    }
    return c->t ? timers(c, &wait) : c->last_error;
}
