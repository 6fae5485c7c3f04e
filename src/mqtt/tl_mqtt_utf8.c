/*
 * MQTT 3.1.1 string rules (section 1.5.3): well-formed UTF-8 as RFC 3629
 * defines it, no surrogates (U+D800..U+DFFF), no U+0000, at most 65535
 * bytes. Code points the spec only discourages (controls, non-characters)
 * are accepted, as the spec requires of receivers.
 */
#include "tl_mqtt_internal.h"

int tl_mqtt_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (len > 0 && s == NULL)
        return 0;
    while (i < len) {
        unsigned c = p[i++], n, k;
        unsigned long cp;
        if (c < 0x80) {
            if (c == 0)
                return 0;
            continue;
        }
        if (c < 0xC2 || c > 0xF4)
            return 0;   /* continuation byte, overlong lead C0/C1, or F5..FF */
        n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;   /* continuation bytes */
        if (len - i < n)
            return 0;
        cp = c & (0x3Fu >> n);
        for (k = 0; k < n; k++) {
            if ((p[i + k] & 0xC0u) != 0x80u)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3Fu);
        }
        i += n;
        /* Overlong (below 0x800 in 3 bytes, 0x10000 in 4; 2 bytes from C2
         * are never), beyond Unicode, or a surrogate. */
        if (cp < 1UL << (5 * n + 1) || cp > 0x10FFFFUL || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
    }
    return 1;
}

tl_mqtt_status tl_mqtt__check_field(const void *p, size_t len, int utf8)
{
    if (p == NULL && len > 0)
        return TL_MQTT_ERR_ARGUMENT;
    if (len > 65535u)
        return TL_MQTT_ERR_STRING_TOO_LONG;
    return !utf8 || tl_mqtt_utf8_valid(p, len) ? TL_MQTT_OK : TL_MQTT_ERR_UTF8;
}

tl_mqtt_status tl_mqtt_check_string(const char *s, size_t len)
{
    return tl_mqtt__check_field(s, len, 1);
}

#if TL_MQTT_STATUS_TEXT
static const char *const tl_mqtt__names[] = {
#define TL_MQTT__NAME(name, msg) #name,
    TL_MQTT_STATUSES(TL_MQTT__NAME)
#undef TL_MQTT__NAME
};

static const char *const tl_mqtt__messages[] = {
#define TL_MQTT__MSG(name, msg) msg,
    TL_MQTT_STATUSES(TL_MQTT__MSG)
#undef TL_MQTT__MSG
};

const char *tl_mqtt_status_name(tl_mqtt_status st)
{
    if ((unsigned)st >= (unsigned)TL_MQTT__STATUS_COUNT)
        return "UNKNOWN";
    return tl_mqtt__names[st];
}

const char *tl_mqtt_status_message(tl_mqtt_status st)
{
    if ((unsigned)st >= (unsigned)TL_MQTT__STATUS_COUNT)
        return "unknown status";
    return tl_mqtt__messages[st];
}
#else
/* A device build: each status is its number ("#13"), the same for the name
 * and the message. */
const char *tl_mqtt_status_name(tl_mqtt_status st)
{
    static const char number[][4] = {
        "#0",  "#1",  "#2",  "#3",  "#4",  "#5",  "#6",  "#7",  "#8",  "#9",
        "#10", "#11", "#12", "#13", "#14", "#15", "#16", "#17", "#18", "#19",
        "#20", "#21", "#22", "#23", "#24", "#25", "#26", "#27", "#28", "#29",
        "#30", "#31", "#32", "#33", "#34", "#35", "#36", "#37", "#38" };
    /* One number per status. */
    typedef char one_per_status[sizeof number / sizeof number[0] == TL_MQTT__STATUS_COUNT ? 1
                                                                                        : -1];
    (void)sizeof(one_per_status);
    if ((unsigned)st >= (unsigned)TL_MQTT__STATUS_COUNT)
        return "#?";
    return number[st];
}

const char *tl_mqtt_status_message(tl_mqtt_status st)
{
    return tl_mqtt_status_name(st);
}
#endif
