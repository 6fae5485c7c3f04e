/*
 * Packet ids and the in-flight window of a client session. Entries stay in
 * the order their ids were allocated, which is the order MQTT requires for
 * re-sending unacknowledged PUBLISHes after a reconnect (section 4.6).
 */
#include <string.h>

#include "tl_mqtt.h"

/* Index of id, or count if it is not in flight (no entry holds id 0). */
static size_t index_of(const tl_mqtt_inflight *t, uint16_t id)
{
    size_t i;
    for (i = 0; i < t->count && t->entries[i].packet_id != id; i++)
        ;
    return i;
}

/* PUBLISH (3), SUBSCRIBE (8) or UNSUBSCRIBE (10). */
static int valid_type(unsigned type)
{
    return type < 16 && ((0x0508u >> type) & 1u);
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

static tl_mqtt_status append(tl_mqtt_inflight *t, uint8_t type, uint32_t tag, uint16_t id,
                             uint8_t state)
{
    tl_mqtt_inflight_entry *e;
    if (t->count >= t->window)
        return TL_MQTT_ERR_WINDOW_FULL;
    e = &t->entries[t->count++];
    e->packet_id = id;
    e->type = type;
    e->state = state;
    e->tag = tag;
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_inflight_alloc(tl_mqtt_inflight *t, uint8_t type, uint32_t tag,
                                      uint16_t *id)
{
    uint16_t cand;
    if (t == NULL || id == NULL || !valid_type(type))
        return TL_MQTT_ERR_ARGUMENT;
    if (t->count >= t->window)
        return TL_MQTT_ERR_WINDOW_FULL;
    /* At most window - 1 ids are taken, so this ends within window steps. */
    do {
        cand = t->next_id == 0 ? 1 : t->next_id;
        t->next_id = (uint16_t)(cand + 1);   /* 65535 wraps to 0, read as 1 */
    } while (index_of(t, cand) != t->count);
    *id = cand;
    return append(t, type, tag, cand, TL_MQTT_INFLIGHT_SENT);
}

tl_mqtt_status tl_mqtt_inflight_restore(tl_mqtt_inflight *t, uint8_t type, uint32_t tag,
                                        uint16_t id, uint8_t state)
{
    tl_mqtt_status st;
    if (t == NULL || !valid_type(type) || !valid_state(state))
        return TL_MQTT_ERR_ARGUMENT;
    if (id == 0 || index_of(t, id) != t->count)
        return TL_MQTT_ERR_PACKET_ID;
    if ((st = append(t, type, tag, id, state)) == TL_MQTT_OK)
        t->next_id = (uint16_t)(id + 1);   /* new ids continue after it */
    return st;
}

tl_mqtt_status tl_mqtt_inflight_set_state(tl_mqtt_inflight *t, uint16_t id, uint8_t state)
{
    size_t i;
    if (t == NULL || !valid_state(state))
        return TL_MQTT_ERR_ARGUMENT;
    i = index_of(t, id);
    if (i == t->count)
        return TL_MQTT_ERR_NOT_IN_FLIGHT;
    t->entries[i].state = state;
    return TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_inflight_ack(tl_mqtt_inflight *t, uint8_t ack_type, uint16_t id)
{
    size_t i;
    /* PUBACK, SUBACK and UNSUBACK are the type they acknowledge plus one. */
    if (t == NULL || !valid_type(ack_type - 1u))
        return TL_MQTT_ERR_ARGUMENT;
    i = index_of(t, id);
    if (i == t->count || t->entries[i].type != ack_type - 1u)
        return TL_MQTT_ERR_NOT_IN_FLIGHT;
    t->count--;
    memmove(&t->entries[i], &t->entries[i + 1], (t->count - i) * sizeof t->entries[0]);
    return TL_MQTT_OK;
}

const tl_mqtt_inflight_entry *tl_mqtt_inflight_find(const tl_mqtt_inflight *t, uint16_t id)
{
    size_t i;
    if (t == NULL)
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

void tl_mqtt_inflight_requeue(tl_mqtt_inflight *t)
{
    size_t i, n = 0;
    for (i = 0; i < t->count; i++) {
        if (t->entries[i].type != TL_MQTT_PUBLISH)
            continue;
        t->entries[n] = t->entries[i];
        t->entries[n++].state = TL_MQTT_INFLIGHT_PENDING;
    }
    t->count = n;
}
