/* Helpers shared by the MQTT codec tests. */
#ifndef MQTT_TEST_UTIL_H
#define MQTT_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mqtt/tl_mqtt.h"

/* Parse "10 0D 00 04" (spaces optional) into out; returns the byte count. */
static inline size_t hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s >= '0' && *s <= '9') v = *s - '0';
        else if (*s >= 'a' && *s <= 'f') v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') v = *s - 'A' + 10;
        else continue;
        if (hi < 0) {
            hi = v;
        } else {
            if (n < cap)
                out[n] = (uint8_t)(hi << 4 | v);
            n++;
            hi = -1;
        }
    }
    return n;
}

static inline tl_mqtt_str str(const char *s)
{
    tl_mqtt_str r;
    r.ptr = s;
    r.len = strlen(s);
    return r;
}

static inline int str_eq(tl_mqtt_str a, tl_mqtt_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

#endif
