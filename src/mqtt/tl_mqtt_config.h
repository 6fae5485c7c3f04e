/*
 * tl_mqtt_config.h: compile-time limits of the MQTT codec.
 *
 * Every value is a default: define it with -D, or put the definitions in a
 * header of your own and build with -DTL_MQTT_USER_CONFIG='"my_config.h"'.
 * The AWS IoT Core limits apply only when a caller sets aws_limits in its
 * tl_mqtt_options; the protocol limits always apply.
 */
#ifndef TL_MQTT_CONFIG_H
#define TL_MQTT_CONFIG_H

#ifdef TL_MQTT_USER_CONFIG
#include TL_MQTT_USER_CONFIG
#endif

/* Topic filters one SUBSCRIBE/UNSUBSCRIBE struct holds (and SUBACK codes). */
#ifndef TL_MQTT_MAX_FILTERS
#define TL_MQTT_MAX_FILTERS 8
#endif

/* Entries in a tl_mqtt_inflight table (AWS IoT allows up to 100 in flight). */
#ifndef TL_MQTT_INFLIGHT_MAX
#define TL_MQTT_INFLIGHT_MAX 16
#endif

/* AWS IoT Core: topic (and filter) bytes, "$aws/rules/<rule>/" not counted. */
#ifndef TL_MQTT_AWS_MAX_TOPIC_LEN
#define TL_MQTT_AWS_MAX_TOPIC_LEN 256
#endif

/* AWS IoT Core: '/' characters in a topic or filter, same prefix rule. */
#ifndef TL_MQTT_AWS_MAX_TOPIC_SLASHES
#define TL_MQTT_AWS_MAX_TOPIC_SLASHES 7
#endif

/* AWS IoT Core: PUBLISH payload bytes (128 KB). */
#ifndef TL_MQTT_AWS_MAX_PAYLOAD
#define TL_MQTT_AWS_MAX_PAYLOAD 131072UL
#endif

/* AWS IoT Core: client id bytes. */
#ifndef TL_MQTT_AWS_MAX_CLIENT_ID
#define TL_MQTT_AWS_MAX_CLIENT_ID 128
#endif

/* AWS IoT Core: topic filters in one SUBSCRIBE. */
#ifndef TL_MQTT_AWS_MAX_FILTERS
#define TL_MQTT_AWS_MAX_FILTERS 8
#endif

/* AWS IoT Core: keep-alive range in seconds, checked by the CONNECT serializer. */
#ifndef TL_MQTT_AWS_KEEP_ALIVE_MIN
#define TL_MQTT_AWS_KEEP_ALIVE_MIN 30
#endif
#ifndef TL_MQTT_AWS_KEEP_ALIVE_MAX
#define TL_MQTT_AWS_KEEP_ALIVE_MAX 1200
#endif

/* 1: tl_mqtt_status_name() and tl_mqtt_status_message() return the names
 * and sentences of tl_mqtt.h; 0 (a device build) drops both, about 2 KB of
 * flash, and both return the status number instead ("#13"). */
#ifndef TL_MQTT_STATUS_TEXT
#define TL_MQTT_STATUS_TEXT 1
#endif

/* MQTT 3.1.1 itself (not configurable): the largest remaining length. */
#define TL_MQTT_MAX_REMAINING_LENGTH 268435455UL

#endif
