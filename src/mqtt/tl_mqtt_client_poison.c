/* Poison messages: strikes against the journal head, sending it alone
 * while it is suspect, and giving it up (see tl_mqtt_client.h). */
#include "tl_mqtt_client_internal.h"

void tl_mqtt__client_sent(tl_mqtt_client *c, uint32_t seq)
{
    if (tl_mqtt_journal_count(c->journal) && seq == tl_mqtt_journal_seq_at(c->journal, 0)) {
        c->head_sent = 1;
        c->head_seq = seq;
        c->head_acks = c->acks;
    }
}

int tl_mqtt__client_isolated(const tl_mqtt_client *c)
{
    return c->strikes && c->journal && tl_mqtt_journal_count(c->journal) &&
           tl_mqtt_journal_seq_at(c->journal, 0) == c->suspect_seq;
}

void tl_mqtt__client_strike(tl_mqtt_client *c)
{
    unsigned limit = c->cfg.poison_strikes ? c->cfg.poison_strikes : TL_MQTT_POISON_STRIKES;
    tl_mqtt_journal_msg m;
    uint32_t head;
    size_t i;
    if (!c->journal || !c->head_sent || !tl_mqtt_journal_count(c->journal))
        return;
    head = tl_mqtt_journal_seq_at(c->journal, 0);
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
    for (i = 0; i < c->nmap && c->map[i].seq != head; i++)
        ;
    if (i < c->nmap) {   /* its packet id is free again */
        (void)tl_mqtt_inflight_ack(&c->inflight, TL_MQTT_PUBACK, c->map[i].packet_id);
        c->map[i] = c->map[--c->nmap];
    }
    if (tl_mqtt_journal_read(c->journal, head, &m) == TL_MQTT_JOURNAL_OK) {
        if (c->cb.log && !c->cb.on_dead)
            c->cb.log(c->cb.user, "QoS 1 message given up: the broker closed the connection "
                                  "right after it each time", "refused (topic not allowed?)");
        if (c->cb.on_dead)
            c->cb.on_dead(c->cb.user, &m);
    }
    if (tl_mqtt_journal_dead(c->journal, head) != TL_MQTT_JOURNAL_OK && c->cb.log)
        c->cb.log(c->cb.user, "could not record a message as given up",
                  "it is sent again after a restart");
}
