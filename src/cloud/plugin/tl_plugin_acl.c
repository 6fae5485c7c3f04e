/*
 * What a connected client may do, decided by its policies as AWS IoT Core
 * decides it (MQTT 3.1.1 behaviour):
 *   PUBLISH    iot:Publish on topic/<t> (+ iot:RetainPublish when retained);
 *              refused -> the connection is closed, as AWS does
 *   SUBSCRIBE  iot:Subscribe on topicfilter/<f>; refused -> SUBACK 0x80
 *   delivery   iot:Receive on topic/<t>; refused -> not delivered
 * plus AWS's topic limits (256 bytes, 7 slashes not counting a
 * $aws/rules/<rule>/ prefix) and its reserved topics: only the shadow
 * service publishes shadow responses, and other $aws/ topics are not open.
 */
#include <string.h>

#include "../tl_aws_topic.h"
#include "tl_plugin.h"

#define AWS_TOPIC_MAX 256
#define AWS_TOPIC_SLASHES_MAX 7

/* AWS's size rules for a topic name or filter. */
static int within_aws_limits(const char *topic)
{
    const char *t = topic;
    int slashes = 0;
    if (strlen(topic) > AWS_TOPIC_MAX)
        return 0;
    if (strncmp(t, "$aws/rules/", 11) == 0) {
        const char *rule_end = strchr(t + 11, '/');
        t = rule_end ? rule_end + 1 : t + strlen(t);
    }
    for (; *t; t++)
        if (*t == '/')
            slashes++;
    return slashes <= AWS_TOPIC_SLASHES_MAX;
}

/* Publishing under $aws/: shadow requests only. */
static int reserved_publish_ok(const char *topic)
{
    tl_shadow_topic st;
    if (strncmp(topic, "$aws/", 5) != 0)
        return 1;
    return tl_aws_shadow_topic_parse(topic, &st) == 1 && st.suffix == TL_SHADOW_SUFFIX_NONE;
}

static int deny_publish(const tl_plugin_session *s, const char *topic, const char *why)
{
    char client_id[TL_REGISTRY_NAME_MAX + 1];
    memcpy(client_id, s->client_id, sizeof client_id);
    mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: %s may not publish to %s (%s): disconnecting",
                         client_id, topic, why);
    mosquitto_kick_client_by_clientid(client_id, false);
    return MOSQ_ERR_ACL_DENIED;
}

int tl_plugin__on_acl_check(int event, void *event_data, void *userdata)
{
    struct mosquitto_evt_acl_check *ev = event_data;
    tl_plugin *p = userdata;
    tl_plugin_session *s = tl_plugin__session_find(p, ev->client);
    (void)event;

    /* Only queueing for a persistent session can come before any connect
     * of this broker's life (its sessions were restored from disk). */
    if (!s && ev->access == MOSQ_ACL_READ)
        s = tl_plugin__session_restore(p, ev->client);
    if (!s)
        return MOSQ_ERR_ACL_DENIED;
    if (ev->access == MOSQ_ACL_UNSUBSCRIBE)
        return MOSQ_ERR_SUCCESS;
    if (!within_aws_limits(ev->topic)) {
        if (ev->access == MOSQ_ACL_WRITE)
            return deny_publish(s, ev->topic, "topic over AWS limits");
        return MOSQ_ERR_ACL_DENIED;
    }
    switch (ev->access) {
    case MOSQ_ACL_SUBSCRIBE:
        if (tl_plugin__authorize(p, s, TL_POLICY_SUBSCRIBE, TL_POLICY_RES_TOPICFILTER,
                                 ev->topic) != TL_POLICY_ALLOW) {
            mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: %s may not subscribe to %s",
                                 s->client_id, ev->topic);
            return MOSQ_ERR_ACL_DENIED;
        }
        return MOSQ_ERR_SUCCESS;
    case MOSQ_ACL_WRITE:
        if (!reserved_publish_ok(ev->topic))
            return deny_publish(s, ev->topic, "reserved topic");
        if (tl_plugin__authorize(p, s, TL_POLICY_PUBLISH, TL_POLICY_RES_TOPIC, ev->topic) !=
            TL_POLICY_ALLOW)
            return deny_publish(s, ev->topic, "iot:Publish not allowed");
        if (ev->retain && tl_plugin__authorize(p, s, TL_POLICY_RETAIN_PUBLISH,
                                               TL_POLICY_RES_TOPIC, ev->topic) != TL_POLICY_ALLOW)
            return deny_publish(s, ev->topic, "iot:RetainPublish not allowed");
        return MOSQ_ERR_SUCCESS;
    case MOSQ_ACL_READ:
        return tl_plugin__authorize(p, s, TL_POLICY_RECEIVE, TL_POLICY_RES_TOPIC, ev->topic) ==
                       TL_POLICY_ALLOW
                   ? MOSQ_ERR_SUCCESS
                   : MOSQ_ERR_ACL_DENIED;
    default:
        return MOSQ_ERR_ACL_DENIED;
    }
}
