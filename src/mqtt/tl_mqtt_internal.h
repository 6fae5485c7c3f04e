/*
 * tl_mqtt_internal.h: helpers shared by the files of the MQTT codec
 * (tl_mqtt__ prefix). Not part of the public contract.
 */
#ifndef TL_MQTT_INTERNAL_H
#define TL_MQTT_INTERNAL_H

#include "tl_mqtt.h"

/* aws_limits of opt, with NULL meaning none. */
#define TL_MQTT__AWS(opt) ((opt) != NULL && (opt)->aws_limits)

/* The part of a topic that AWS IoT limits count: after "$aws/rules/<rule>/". */
size_t tl_mqtt__aws_counted_offset(const char *t, size_t len);

#endif
