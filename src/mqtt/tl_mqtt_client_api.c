/* The MQTT client's application calls: init, backoff, publish, subscribe, unsubscribe,
 * disconnect, flush, and state queries (see tl_mqtt_client.h). */
#include <string.h>

#include "tl_mqtt_client_internal.h"
#include "tl_mqtt_internal.h"

#define DEFAULT_TIMEOUT 10000u

tl_mqtt_client_status tl_mqtt_client_init(tl_mqtt_client *c, const tl_mqtt_client_config *cfg,
                                          const tl_mqtt_port *port,
                                          const tl_mqtt_callbacks *cb, tl_mqtt_journal *journal,
                                          uint8_t *tx, size_t tx_cap, uint8_t *rx,
                                          size_t rx_cap)
{
    if (!c || !cfg || !port || !port->now_ms || !port->random || !cb || !cb->connect || !tx ||
        tx_cap < 16 || !rx || rx_cap < 4)
        return TL_MQTT_CLIENT_ERR_ARGUMENT;
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->port = *port;
    c->cb = *cb;
    c->journal = journal;
    c->tx = tx;
    c->tx_cap = tx_cap;
    if (!c->cfg.reconnect_min_ms)
        c->cfg.reconnect_min_ms = 1000;
    if (c->cfg.reconnect_max_ms < c->cfg.reconnect_min_ms)
        c->cfg.reconnect_max_ms = c->cfg.reconnect_min_ms;
    if (!c->cfg.response_timeout_ms)
        c->cfg.response_timeout_ms = DEFAULT_TIMEOUT;
    if (!c->cfg.io_timeout_ms)
        c->cfg.io_timeout_ms = DEFAULT_TIMEOUT;
    /* Zeroed above: DISCONNECTED, an empty decoder and in-flight table (whose
     * next id 0 counts as 1) but for these. */
    c->dec.buf = rx;
    c->dec.cap = rx_cap;
    c->inflight.window = c->cfg.window && c->cfg.window <= TL_MQTT_INFLIGHT_MAX
                             ? c->cfg.window
                             : TL_MQTT_INFLIGHT_MAX;
    c->next_attempt_ms = tl_mqtt__client_now(c);
    return TL_MQTT_CLIENT_OK;
}

uint32_t tl_mqtt_client_backoff_ms(const tl_mqtt_client *c, unsigned attempt)
{
    uint32_t lo = c->cfg.reconnect_min_ms, hi = lo, span;
    unsigned i;
    /* hi never passes the ceiling, which init made at least the floor. */
    for (i = 0; i <= attempt && hi < c->cfg.reconnect_max_ms; i++)
        hi = hi > c->cfg.reconnect_max_ms / 2 ? c->cfg.reconnect_max_ms : hi * 2;
    span = hi - lo;
    return lo + (span ? c->port.random(c->port.ctx) % (span + 1) : 0);
}

/* The client's status for a packet the codec refused. */
static tl_mqtt_client_status refused(tl_mqtt_status st)
{
    return st == TL_MQTT_ERR_BUFFER_TOO_SMALL || st == TL_MQTT_ERR_PACKET_TOO_BIG
               ? TL_MQTT_CLIENT_ERR_TOO_BIG
               : TL_MQTT_CLIENT_ERR_ARGUMENT;
}

tl_mqtt_client_status tl_mqtt_client_publish(tl_mqtt_client *c, const char *topic,
                                             size_t topic_len, const uint8_t *payload,
                                             size_t payload_len, uint8_t qos, int retain,
                                             uint32_t *seq)
{
    tl_mqtt_journal_status js;
    tl_mqtt_client_status cs;
    tl_mqtt_publish p;
    tl_mqtt_status st;
    size_t len;
    if (!c || !topic || qos > 1)
        return TL_MQTT_CLIENT_ERR_ARGUMENT;
    if (qos == 0 && c->state != TL_MQTT_CLIENT_CONNECTED)
        return TL_MQTT_CLIENT_ERR_NOT_CONNECTED;
    memset(&p, 0, sizeof p);
    p.topic.ptr = topic;
    p.topic.len = topic_len;
    p.payload_len = payload_len;
    p.qos = qos;
    p.retain = retain;
    p.packet_id = 1;   /* QoS 1 gets its id when it goes out */
    /* QoS 0 is encoded into tx; QoS 1 only checked (cap 0) before it is
     * stored: the codec's checks either way. */
    st = tl_mqtt_encode_publish_header(&p, &c->cfg.codec, c->tx, qos ? 0 : c->tx_cap, &len);
    if (st != TL_MQTT_OK && (qos == 0 || st != TL_MQTT_ERR_BUFFER_TOO_SMALL))
        return refused(st);
    if (qos == 0) {
        if ((cs = tl_mqtt__client_send_all(c, c->tx, len)) != TL_MQTT_CLIENT_OK)
            return cs;
        return tl_mqtt__client_send_all(c, payload, payload_len);
    }
    if (!c->journal)
        return TL_MQTT_CLIENT_ERR_JOURNAL;
    js = tl_mqtt_journal_append(c->journal, topic, topic_len, payload, payload_len, retain, seq);
    if (js == TL_MQTT_JOURNAL_ERR_FULL)
        return TL_MQTT_CLIENT_ERR_QUEUE_FULL;
    if (js == TL_MQTT_JOURNAL_ERR_TOO_BIG)
        return TL_MQTT_CLIENT_ERR_TOO_BIG;
    if (js != TL_MQTT_JOURNAL_OK)
        return TL_MQTT_CLIENT_ERR_JOURNAL;
    /* A send failure is the connection's problem, not this message's. */
    (void)tl_mqtt__client_pump(c);
    return TL_MQTT_CLIENT_OK;
}

/* Checks and a packet id for a SUBSCRIBE or UNSUBSCRIBE of count filters. */
static tl_mqtt_client_status request(tl_mqtt_client *c, const void *filters, size_t count,
                                     uint8_t type, uint16_t *id)
{
    if (!c || !filters || count == 0 || count > TL_MQTT_MAX_FILTERS)
        return TL_MQTT_CLIENT_ERR_ARGUMENT;
    if (c->state != TL_MQTT_CLIENT_CONNECTED)
        return TL_MQTT_CLIENT_ERR_NOT_CONNECTED;
    if (tl_mqtt_inflight_alloc(&c->inflight, type, 0, id) != TL_MQTT_OK)
        return TL_MQTT_CLIENT_ERR_WINDOW_FULL;
    return TL_MQTT_CLIENT_OK;
}

/* Send the request with id that the codec encoded (st, len) into tx, or
 * free the id if it refused it. */
static tl_mqtt_client_status send_request(tl_mqtt_client *c, tl_mqtt_status st, size_t len,
                                          uint8_t ack_type, uint16_t id, uint16_t *packet_id)
{
    if (st != TL_MQTT_OK) {
        (void)tl_mqtt_inflight_ack(&c->inflight, ack_type, id);
        return refused(st);
    }
    if (packet_id)
        *packet_id = id;
    return tl_mqtt__client_send_all(c, c->tx, len);
}

tl_mqtt_client_status tl_mqtt_client_subscribe(tl_mqtt_client *c, const tl_mqtt_filter *filters,
                                               size_t count, uint16_t *packet_id)
{
    size_t len;
    uint16_t id;
    tl_mqtt_status st;
    tl_mqtt_client_status cs = request(c, filters, count, TL_MQTT_SUBSCRIBE, &id);
    if (cs != TL_MQTT_CLIENT_OK)
        return cs;
    st = tl_mqtt__encode_subscribe(id, filters, count, &c->cfg.codec, c->tx, c->tx_cap, &len);
    return send_request(c, st, len, TL_MQTT_SUBACK, id, packet_id);
}

tl_mqtt_client_status tl_mqtt_client_unsubscribe(tl_mqtt_client *c, const tl_mqtt_str *filters,
                                                 size_t count, uint16_t *packet_id)
{
    tl_mqtt_unsubscribe u;
    size_t len;
    tl_mqtt_status st;
    tl_mqtt_client_status cs = request(c, filters, count, TL_MQTT_UNSUBSCRIBE, &u.packet_id);
    if (cs != TL_MQTT_CLIENT_OK)
        return cs;
    u.count = count;
    memcpy(u.filters, filters, count * sizeof *filters);
    st = tl_mqtt_encode_unsubscribe(&u, &c->cfg.codec, c->tx, c->tx_cap, &len);
    return send_request(c, st, len, TL_MQTT_UNSUBACK, u.packet_id, packet_id);
}

void tl_mqtt_client_disconnect(tl_mqtt_client *c)
{
    if (c->state == TL_MQTT_CLIENT_CONNECTED) {
        size_t len;
        (void)tl_mqtt_encode_disconnect(c->tx, c->tx_cap, &len);
        (void)tl_mqtt__client_send_all(c, c->tx, len);
    }
    c->state = TL_MQTT_CLIENT_STOPPED;   /* so the drop logs nothing: no event */
    (void)tl_mqtt__client_drop(c, TL_MQTT_CLIENT_ERR_STOPPED, TL_MQTT__LOG_COUNT, 0);
}

tl_mqtt_client_status tl_mqtt_client_flush(tl_mqtt_client *c, uint32_t timeout_ms)
{
    uint32_t start = tl_mqtt__client_now(c);
    while (c->state != TL_MQTT_CLIENT_CONNECTED ||
           (c->journal && tl_mqtt_journal_count(c->journal) > 0)) {
        uint32_t spent = tl_mqtt__client_now(c) - start;
        if (spent >= timeout_ms)
            return TL_MQTT_CLIENT_ERR_TIMEOUT;
        if (tl_mqtt_client_poll(c, timeout_ms - spent < 200 ? timeout_ms - spent : 200) ==
            TL_MQTT_CLIENT_ERR_STOPPED)
            return TL_MQTT_CLIENT_ERR_STOPPED;
    }
    return TL_MQTT_CLIENT_OK;
}

tl_mqtt_client_state tl_mqtt_client_get_state(const tl_mqtt_client *c)
{
    return (tl_mqtt_client_state)c->state;
}

tl_mqtt_client_status tl_mqtt_client_last_error(const tl_mqtt_client *c)
{
    return c->last_error;
}
