/* Words for the client's statuses and log events, for a console. Only what
 * calls these links them: a device that logs numbers carries none. */
#include "tl_mqtt_client.h"

const char *tl_mqtt_client_status_text(tl_mqtt_client_status st)
{
    static const char *const text[] = {
        "success", "invalid argument or topic", "not connected", "QoS 1 journal full",
        "in-flight window full", "packet larger than the buffers", "QoS 1 journal error",
        "transport error", "protocol error from the broker", "connection refused by the broker",
        "broker did not answer in time", "client stopped" };
    return (unsigned)st < sizeof text / sizeof text[0] ? text[st] : "unknown status";
}

/* What an event's detail code is (TL_MQTT_CLIENT_EVENTS). */
enum { NONE, CODEC, JOURNAL, CONNACK, IO, ACK, ID, SEQ, BYTES };

static const char *const event_text[] = {
#define TL_MQTT__TEXT(name, detail, text) text,
    TL_MQTT_CLIENT_EVENTS(TL_MQTT__TEXT)
#undef TL_MQTT__TEXT
};

static const unsigned char event_detail[] = {
#define TL_MQTT__DETAIL(name, detail, text) detail,
    TL_MQTT_CLIENT_EVENTS(TL_MQTT__DETAIL)
#undef TL_MQTT__DETAIL
};

const char *tl_mqtt_client_event_text(tl_mqtt_client_event ev)
{
    return (unsigned)ev < TL_MQTT__LOG_COUNT ? event_text[ev] : "unknown event";
}

const char *tl_mqtt_client_detail_text(tl_mqtt_client_event ev, uint32_t detail)
{
    static const char *const refused[] = {
        "accepted", "unacceptable protocol version", "client id rejected", "server unavailable",
        "bad user name or password", "not authorized" };
    static const char *const io[] = { "timed out", "closed by the broker", "I/O error" };
    if ((unsigned)ev >= TL_MQTT__LOG_COUNT)
        return "";
    switch (event_detail[ev]) {
    case CODEC: return tl_mqtt_status_message((tl_mqtt_status)detail);
    case JOURNAL: return tl_mqtt_journal_status_text((tl_mqtt_journal_status)detail);
    case CONNACK: return detail < 6 ? refused[detail] : "unknown return code";
    case IO: return io[detail < 2 ? detail : 2];
    case ACK: return detail == TL_MQTT_CONNACK ? "no CONNACK in time" : "no PINGRESP in time";
    default: return "";   /* the number says it all */
    }
}
