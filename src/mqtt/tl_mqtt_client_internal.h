/* Internals shared by tl_mqtt_client.c, tl_mqtt_client_api.c and
 * tl_mqtt_client_poison.c. */
#ifndef TL_MQTT_CLIENT_INTERNAL_H
#define TL_MQTT_CLIENT_INTERNAL_H

#include "tl_mqtt_client.h"

/* Pass an event to the log callback, if there is one. */
void tl_mqtt__client_say(const tl_mqtt_client *c, tl_mqtt_client_event ev, uint32_t detail);

/* Close the connection, schedule the next attempt, log ev/detail and tell
 * the application; returns why. */
tl_mqtt_client_status tl_mqtt__client_drop(tl_mqtt_client *c, tl_mqtt_client_status why,
                                           tl_mqtt_client_event ev, uint32_t detail);

/* Send all of p or drop the connection. */
tl_mqtt_client_status tl_mqtt__client_send_all(tl_mqtt_client *c, const uint8_t *p, size_t len);

/* Send queued journal messages while connected and the window has room. */
tl_mqtt_client_status tl_mqtt__client_pump(tl_mqtt_client *c);

/* Milliseconds now, from the port. */
uint32_t tl_mqtt__client_now(const tl_mqtt_client *c);

/* The in-flight PUBLISH with packet id id, or (id 0) of journal message
 * seq; NULL if none. */
tl_mqtt_inflight_entry *tl_mqtt__client_in_flight(tl_mqtt_client *c, uint16_t id, uint32_t seq);

/* Poison messages (tl_mqtt_client_poison.c): the peer closed a connection
 * that was up; count it against the journal head if it is to blame, and
 * give the head up after enough strikes. */
void tl_mqtt__client_strike(tl_mqtt_client *c);

#endif
