/* Internals shared by tl_mqtt_client.c and tl_mqtt_client_api.c. */
#ifndef TL_MQTT_CLIENT_INTERNAL_H
#define TL_MQTT_CLIENT_INTERNAL_H

#include "tl_mqtt_client.h"

/* Close the connection, schedule the next attempt, log what/detail and tell
 * the application; returns why. */
tl_mqtt_client_status tl_mqtt__client_drop(tl_mqtt_client *c, tl_mqtt_client_status why,
                                           const char *what, const char *detail);

/* Send all of p or drop the connection. */
tl_mqtt_client_status tl_mqtt__client_send_all(tl_mqtt_client *c, const uint8_t *p, size_t len);

/* Send queued journal messages while connected and the window has room. */
tl_mqtt_client_status tl_mqtt__client_pump(tl_mqtt_client *c);

/* Milliseconds now, from the port. */
uint32_t tl_mqtt__client_now(const tl_mqtt_client *c);

#endif
