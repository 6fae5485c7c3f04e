/*
 * The Device Shadow service over MQTT: a device publishes a request on
 * $aws/things/<thing>/shadow[/name/<n>]/{get,update,delete} (allowed by its
 * policy, see tl_plugin_acl.c) and the service answers on .../accepted or
 * .../rejected, and for updates also on .../delta and .../documents. The
 * document rules are tl_shadow_svc's; shadows live in the registry, written
 * with optimistic locking so the HTTP API and the broker never lose an update.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tl_aws_topic.h"
#include "../tl_shadow_svc.h"
#include "tl_plugin.h"

static void publish(const tl_shadow_topic *t, tl_shadow_suffix suffix, const char *payload)
{
    char topic[300];
    if (!payload)
        return;
    if (tl_aws_shadow_topic_build(t->thing, t->shadow, t->op, suffix, topic, sizeof topic) != 0)
        return;
    mosquitto_broker_publish_copy(NULL, topic, (int)strlen(payload), payload, 1, false, NULL);
}

static void reject(const tl_shadow_topic *t, int code, const char *message, long now)
{
    tl_shadow_error err;
    char *doc;
    err.code = code;
    strncpy(err.message, message, sizeof err.message - 1);
    err.message[sizeof err.message - 1] = '\0';
    doc = tl_shadow_svc_error_doc(&err, NULL, now);
    publish(t, TL_SHADOW_SUFFIX_REJECTED, doc);
    free(doc);
}

static void do_update(tl_plugin *p, const tl_shadow_topic *t, const char *stored,
                      long long version, const char *req, size_t len, long now)
{
    tl_shadow_update_out out;
    tl_shadow_error err;
    char *edoc = NULL;
    long long new_version;
    tl_registry_status st;

    if (tl_shadow_svc_update(stored, req, len, now, &out, &err, &edoc) != 0) {
        publish(t, TL_SHADOW_SUFFIX_REJECTED, edoc);
        free(edoc);
        return;
    }
    st = tl_registry_shadow_put(p->reg, t->thing, t->shadow, out.stored,
                                stored ? version : 0, &new_version);
    if (st == TL_REG_VERSION_CONFLICT || st == TL_REG_ALREADY_EXISTS)
        reject(t, 409, "Version conflict", now);
    else if (st != TL_REG_OK)
        reject(t, 500, "Internal service failure", now);
    else {
        publish(t, TL_SHADOW_SUFFIX_ACCEPTED, out.accepted);
        publish(t, TL_SHADOW_SUFFIX_DOCUMENTS, out.documents);
        publish(t, TL_SHADOW_SUFFIX_DELTA, out.delta);
    }
    tl_shadow_svc_free(&out);
}

int tl_plugin__on_message(int event, void *event_data, void *userdata)
{
    struct mosquitto_evt_message *ev = event_data;
    tl_plugin *p = userdata;
    tl_shadow_topic t;
    tl_shadow_error err;
    char *stored = NULL, *resp = NULL, *edoc = NULL;
    long long version = 0, updated = 0, deleted_version = 0;
    long now = (long)time(NULL);
    tl_registry_status st;
    (void)event;

    if (tl_aws_shadow_topic_parse(ev->topic, &t) != 1 || t.suffix != TL_SHADOW_SUFFIX_NONE)
        return MOSQ_ERR_SUCCESS;
    st = tl_registry_shadow_get(p->reg, t.thing, t.shadow, &stored, &version, &updated);
    if (st != TL_REG_OK && st != TL_REG_NOT_FOUND) {
        reject(&t, 500, "Internal service failure", now);
        return MOSQ_ERR_SUCCESS;
    }
    switch (t.op) {
    case TL_SHADOW_OP_UPDATE:
        do_update(p, &t, stored, version, ev->payload, ev->payloadlen, now);
        break;
    case TL_SHADOW_OP_GET:
        resp = tl_shadow_svc_get(stored, t.shadow[0] ? t.shadow : t.thing, ev->payload,
                                 ev->payloadlen, now, &err, &edoc);
        publish(&t, resp ? TL_SHADOW_SUFFIX_ACCEPTED : TL_SHADOW_SUFFIX_REJECTED,
                resp ? resp : edoc);
        break;
    case TL_SHADOW_OP_DELETE:
        resp = tl_shadow_svc_delete(stored, t.shadow[0] ? t.shadow : t.thing, ev->payload,
                                    ev->payloadlen, now, &err, &edoc);
        if (resp && tl_registry_shadow_delete(p->reg, t.thing, t.shadow, &deleted_version) !=
                        TL_REG_OK) {
            free(resp);
            resp = NULL;
            reject(&t, 500, "Internal service failure", now);
            break;
        }
        publish(&t, resp ? TL_SHADOW_SUFFIX_ACCEPTED : TL_SHADOW_SUFFIX_REJECTED,
                resp ? resp : edoc);
        break;
    }
    free(resp);
    free(edoc);
    free(stored);
    return MOSQ_ERR_SUCCESS;
}
