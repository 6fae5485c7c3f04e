/*
 * Packet ids and the in-flight window of a client session. Entries stay in
 * the order their ids were allocated, which is the order MQTT requires for
 * re-sending unacknowledged PUBLISHes after a reconnect (section 4.6).
 */
#include "tl_mqtt.h"

static size_t index_of(const tl_mqtt_inflight *t, uint16_t id)
{
    size_t i;
    for (i = 0; i < t->count; i++) {
        if (t->entries[i].packet_id == id)
            return i;
    }
    return t->count;
}

static int valid_type(uint8_t type)
{
    return type == TL_MQTT_PUBLISH || type == TL_MQTT_SUBSCRIBE || type == TL_MQTT_UNSUBSCRIBE;
}

static int valid_state(uint8_t state)
{
    return state == TL_MQTT_INFLIGHT_PENDING || state == TL_MQTT_INFLIGHT_SENT;
}

tl_mqtt_status tl_mqtt_inflight_init(tl_mqtt_inflight *t, size_t window)
{
    if (t == NULL || window == 0 || window > TL_MQTT_INFLIGHT_MAX)
        return TL_MQTT_ERR_ARGUMENT;
    t->count = 0;
    t->window = window;
    t->next_id = 1;
    return TL_MQTT_OK;
}

static void append(tl_mqtt_inflight *t, uint8_t type, uint16_t id, uint8_t state)
{
    tl_mqtt_inflight_entry *e = &t->entries[t->count++];
    e->packet_id = id;
    e->type = type;
    e->state = state;
}

tl_mqtt_status tl_mqtt_inflight_alloc(tl_mqtt_inflight *t, uint8_t type, uint16_t *id)
{
    uint16_t cand;
    if (t == NULL || id == NULL || !valid_type(type))
        return TL_MQTT_ERR_ARGUMENT;
    if (t->count >= t->window)
        return TL_MQTT_ERR_WINDOW_FULL;
    /* At most window - 1 ids are taken, so this ends within window steps. */
    for (;;) {
        cand = t->next_id == 0 ? 1 : t->next_id;
        t->next_id = cand == 65535u ? 1 : (uint16_t)(cand + 1);
        if (index_of(t, cand) == t->count)
            break;
    }
    append(t, type, cand, TL_MQTT_INFLIGHT_PENDING);
    *id = cand;
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_inflight_restore(tl_mqtt_inflight *t, uint8_t type, uint16_t id,
                                        uint8_t state)
{
    if (t == NULL || !valid_type(type) || !valid_state(state))
        return TL_MQTT_ERR_ARGUMENT;
    if (id == 0 || index_of(t, id) != t->count)
        return TL_MQTT_ERR_PACKET_ID;
    if (t->count >= t->window)
        return TL_MQTT_ERR_WINDOW_FULL;
    append(t, type, id, state);
    /* New ids continue after the newest restored one. */
    t->next_id = id == 65535u ? 1 : (uint16_t)(id + 1);
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_inflight_set_state(tl_mqtt_inflight *t, uint16_t id, uint8_t state)
{
    size_t i;
    if (t == NULL || !valid_state(state))
        return TL_MQTT_ERR_ARGUMENT;
    i = index_of(t, id);
    if (id == 0 || i == t->count)
        return TL_MQTT_ERR_NOT_IN_FLIGHT;
    t->entries[i].state = state;
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_inflight_ack(tl_mqtt_inflight *t, uint8_t ack_type, uint16_t id)
{
    uint8_t want;
    size_t i;
    if (t == NULL)
        return TL_MQTT_ERR_ARGUMENT;
    switch (ack_type) {
    case TL_MQTT_PUBACK: want = TL_MQTT_PUBLISH; break;
    case TL_MQTT_SUBACK: want = TL_MQTT_SUBSCRIBE; break;
    case TL_MQTT_UNSUBACK: want = TL_MQTT_UNSUBSCRIBE; break;
    default: return TL_MQTT_ERR_ARGUMENT;
    }
    i = index_of(t, id);
    if (id == 0 || i == t->count || t->entries[i].type != want)
        return TL_MQTT_ERR_NOT_IN_FLIGHT;
    for (; i + 1 < t->count; i++)
        t->entries[i] = t->entries[i + 1];
    t->count--;
    return TL_MQTT_OK;
}

const tl_mqtt_inflight_entry *tl_mqtt_inflight_find(const tl_mqtt_inflight *t, uint16_t id)
{
    size_t i;
    if (t == NULL || id == 0)
        return NULL;
    i = index_of(t, id);
    return i < t->count ? &t->entries[i] : NULL;
}

const tl_mqtt_inflight_entry *tl_mqtt_inflight_next(const tl_mqtt_inflight *t, uint8_t type,
                                                    size_t *cursor)
{
    if (t == NULL || cursor == NULL)
        return NULL;
    while (*cursor < t->count) {
        const tl_mqtt_inflight_entry *e = &t->entries[(*cursor)++];
        if (type == 0 || e->type == type)
            return e;
    }
    return NULL;
}

size_t tl_mqtt_inflight_count(const tl_mqtt_inflight *t)
{
    return t != NULL ? t->count : 0;
}

void tl_mqtt_inflight_clear(tl_mqtt_inflight *t)
{
    if (t != NULL)
        t->count = 0;
}
