/*
 * Topic names and filters (MQTT 3.1.1 section 4.7) and the AWS IoT Core
 * topic limits, plus the filter matcher.
 */
#include <string.h>

#include "tl_mqtt_internal.h"

size_t tl_mqtt__aws_counted_offset(const char *t, size_t len)
{
    static const char prefix[] = "$aws/rules/";
    const size_t plen = sizeof prefix - 1;
    size_t i;
    if (len <= plen)
        return 0;
    for (i = 0; i < plen; i++) {
        char c = t[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != prefix[i])
            return 0;
    }
    for (i = plen; i < len; i++) {
        if (t[i] == '/')
            return i > plen ? i + 1 : 0;   /* the rule name must not be empty */
    }
    return 0;
}

tl_mqtt_status tl_mqtt__check_topic(const char *t, size_t len, const tl_mqtt_options *opt,
                                    int filter)
{
    size_t i, off, slashes = 0;
    tl_mqtt_status st = tl_mqtt__check_field(t, len, 1);
    if (st != TL_MQTT_OK)
        return st;
    if (len == 0)
        return TL_MQTT_ERR_TOPIC_EMPTY;
    for (i = 0; i < len; i++) {
        if (t[i] != '+' && t[i] != '#')
            continue;
        if (!filter)
            return TL_MQTT_ERR_TOPIC_WILDCARD;
        /* A wildcard fills its level: '/' or an end on both sides; '#' only
         * in the last level. */
        if ((i > 0 && t[i - 1] != '/') || (i + 1 < len && (t[i + 1] != '/' || t[i] == '#')))
            return TL_MQTT_ERR_TOPIC_FILTER;
    }
    if (!TL_MQTT__AWS(opt))
        return TL_MQTT_OK;
    off = tl_mqtt__aws_counted_offset(t, len);
    if (len - off > TL_MQTT_AWS_MAX_TOPIC_LEN)
        return TL_MQTT_ERR_TOPIC_TOO_LONG;
    for (i = off; i < len; i++)
        slashes += t[i] == '/';
    return slashes > TL_MQTT_AWS_MAX_TOPIC_SLASHES ? TL_MQTT_ERR_TOPIC_LEVELS : TL_MQTT_OK;
}

tl_mqtt_status tl_mqtt_check_topic_name(const char *t, size_t len, const tl_mqtt_options *opt)
{
    return tl_mqtt__check_topic(t, len, opt, 0);
}

tl_mqtt_status tl_mqtt_check_topic_filter(const char *f, size_t len,
                                          const tl_mqtt_options *opt)
{
    return tl_mqtt__check_topic(f, len, opt, 1);
}

/* End of the level starting at i. */
static size_t level_end(const char *s, size_t len, size_t i)
{
    while (i < len && s[i] != '/')
        i++;
    return i;
}

int tl_mqtt_topic_matches(const char *filter, size_t filter_len, const char *topic,
                          size_t topic_len)
{
    size_t fi = 0, ti = 0;
    if (tl_mqtt_check_topic_filter(filter, filter_len, NULL) != TL_MQTT_OK ||
        tl_mqtt_check_topic_name(topic, topic_len, NULL) != TL_MQTT_OK)
        return 0;
    if (topic[0] == '$' && (filter[0] == '+' || filter[0] == '#'))
        return 0;
    for (;;) {
        size_t fe, te;
        if (fi < filter_len && filter[fi] == '#')
            return 1;   /* valid filters have '#' alone in the last level */
        fe = level_end(filter, filter_len, fi);
        te = level_end(topic, topic_len, ti);
        if (!(fe - fi == 1 && filter[fi] == '+') &&
            (fe - fi != te - ti || memcmp(filter + fi, topic + ti, fe - fi) != 0))
            return 0;
        if (fe == filter_len || te == topic_len) {
            if (fe == filter_len && te == topic_len)
                return 1;
            /* The topic ended first: "a/#" still matches "a". */
            return te == topic_len && fe + 2 == filter_len && filter[fe + 1] == '#';
        }
        fi = fe + 1;
        ti = te + 1;
    }
}
