/*
 * tl_mqtt_internal.h: helpers shared by the files of the MQTT codec
 * (tl_mqtt__ prefix). Not part of the public contract.
 */
#ifndef TL_MQTT_INTERNAL_H
#define TL_MQTT_INTERNAL_H

#include "tl_mqtt.h"

/* aws_limits of opt, with NULL meaning none. */
#define TL_MQTT__AWS(opt) ((opt) != NULL && (opt)->aws_limits)

/* A string (utf8 set) or binary field: pointer and length as
 * tl_mqtt_check_string() checks them, UTF-8 only with utf8. */
tl_mqtt_status tl_mqtt__check_field(const void *p, size_t len, int utf8);

/* A topic name, or with filter set a topic filter: string rules, non-empty,
 * wildcards, then the AWS IoT limits (tl_mqtt_check_topic_name/_filter). */
tl_mqtt_status tl_mqtt__check_topic(const char *t, size_t len, const tl_mqtt_options *opt,
                                    int filter);

/* tl_mqtt_encode_subscribe() from the packet id and an array of count
 * filters (the client's, without copying them into a tl_mqtt_subscribe). */
tl_mqtt_status tl_mqtt__encode_subscribe(uint16_t packet_id, const tl_mqtt_filter *f,
                                         size_t count, const tl_mqtt_options *opt,
                                         uint8_t *buf, size_t cap, size_t *out_len);

/* The part of a topic that AWS IoT limits count: after "$aws/rules/<rule>/". */
size_t tl_mqtt__aws_counted_offset(const char *t, size_t len);

#endif
