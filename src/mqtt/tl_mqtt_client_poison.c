/* Poison messages: strikes against the journal head and giving it up (see
 * tl_mqtt_client.h). tl_mqtt__client_pump() sends a suspect head alone and
 * notes when the head goes out (head_sent, head_seq, head_acks). */
#include "tl_mqtt_client_internal.h"

void tl_mqtt__client_strike(tl_mqtt_client *c)
{
    unsigned limit = c->cfg.poison_strikes ? c->cfg.poison_strikes : TL_MQTT_POISON_STRIKES;
    tl_mqtt_inflight_entry *e;
    tl_mqtt_journal_msg m;
    tl_mqtt_journal_status js;
    uint32_t head;
    if (!c->head_sent || !c->journal->count)   /* head_sent: there is a journal */
        return;
    head = c->journal->live[0].seq;
    /* A PUBACK after the head went out means the broker was still taking
     * messages: the closure is not the head's doing. */
    if (head != c->head_seq || c->acks != c->head_acks)
        return;
    if (c->strikes && c->suspect_seq == head) {
        c->strikes++;
    } else {
        c->suspect_seq = head;
        c->strikes = 1;
    }
    if (c->strikes < limit)
        return;
    c->strikes = 0;
    if ((e = tl_mqtt__client_in_flight(c, 0, head)) != NULL)   /* its packet id is free again */
        (void)tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_PUBACK, e->packet_id);
    if (tl_mqtt_journal_read(c->journal, head, &m) == TL_MQTT_JOURNAL_OK) {
        if (c->cb.on_dead)
            c->cb.on_dead(c->cb.user, &m);
        else
            tl_mqtt__client_say(c, TL_MQTT_LOG_GIVEN_UP, head);
    }
    if ((js = tl_mqtt_journal_dead(c->journal, head)) != TL_MQTT_JOURNAL_OK)
        tl_mqtt__client_say(c, TL_MQTT_LOG_DEAD_LOST, js);
}
