/*
 * Sessions of connected clients, keyed by Mosquitto's client pointer, and
 * the cache of compiled policies: a policy is compiled once per document and
 * shared by all sessions it is attached to (a compiled policy is ~14 KB; a
 * broker with thousands of devices on one policy keeps one copy).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tl_plugin.h"

static size_t bucket_of(const struct mosquitto *client)
{
    uintptr_t v = (uintptr_t)client;
    v ^= v >> 17;
    v *= 0x9E3779B97F4A7C15ULL;
    return (size_t)(v >> 40) % TL_PLUGIN_BUCKETS;
}

tl_plugin_session *tl_plugin__session_find(tl_plugin *p, const struct mosquitto *client)
{
    tl_plugin_session *s;
    for (s = p->buckets[bucket_of(client)]; s; s = s->next)
        if (s->client == client)
            return s;
    return NULL;
}

static void policy_release(tl_plugin *p, tl_plugin_policy *pol)
{
    tl_plugin_policy **pp;
    if (--pol->refs > 0)
        return;
    for (pp = &p->policies; *pp; pp = &(*pp)->next) {
        if (*pp == pol) {
            *pp = pol->next;
            break;
        }
    }
    free(pol->name);
    free(pol->document);
    free(pol);
}

static void session_free(tl_plugin *p, tl_plugin_session *s)
{
    size_t i;
    for (i = 0; i < s->npolicies; i++)
        policy_release(p, s->policies[i]);
    free(s->policies);
    free(s);
}

void tl_plugin__session_remove(tl_plugin *p, const struct mosquitto *client)
{
    tl_plugin_session **pp;
    for (pp = &p->buckets[bucket_of(client)]; *pp; pp = &(*pp)->next) {
        if ((*pp)->client == client) {
            tl_plugin_session *s = *pp;
            *pp = s->next;
            session_free(p, s);
            p->nsessions--;
            return;
        }
    }
}

void tl_plugin__session_remove_offline(tl_plugin *p, const char *client_id)
{
    size_t b;
    for (b = 0; b < TL_PLUGIN_BUCKETS; b++) {
        tl_plugin_session **pp = &p->buckets[b];
        while (*pp) {
            tl_plugin_session *s = *pp;
            if (s->offline && strcmp(s->client_id, client_id) == 0) {
                *pp = s->next;
                session_free(p, s);
                p->nsessions--;
            } else {
                pp = &s->next;
            }
        }
    }
}

tl_plugin_session *tl_plugin__session_new(tl_plugin *p, const struct mosquitto *client)
{
    tl_plugin_session *s;
    size_t b = bucket_of(client);
    tl_plugin__session_remove(p, client);   /* a re-authentication */
    s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->client = client;
    s->next = p->buckets[b];
    p->buckets[b] = s;
    p->nsessions++;
    return s;
}

void tl_plugin__sessions_clear(tl_plugin *p)
{
    size_t b;
    for (b = 0; b < TL_PLUGIN_BUCKETS; b++) {
        while (p->buckets[b]) {
            tl_plugin_session *s = p->buckets[b];
            p->buckets[b] = s->next;
            session_free(p, s);
        }
    }
    p->nsessions = 0;
}

/* The cached compiled form of (name, document), created if needed. */
static tl_plugin_policy *policy_get(tl_plugin *p, const char *name, const char *document)
{
    tl_plugin_policy *pol;
    tl_policy_error err;
    for (pol = p->policies; pol; pol = pol->next) {
        if (strcmp(pol->name, name) == 0 && strcmp(pol->document, document) == 0) {
            pol->refs++;
            return pol;
        }
    }
    pol = calloc(1, sizeof *pol);
    if (!pol)
        return NULL;
    pol->name = strdup(name);
    pol->document = strdup(document);
    if (!pol->name || !pol->document) {
        free(pol->name);
        free(pol->document);
        free(pol);
        return NULL;
    }
    pol->valid = tl_policy_parse(&pol->compiled, document, strlen(document), &err) == TL_POLICY_OK;
    if (!pol->valid)
        mosquitto_log_printf(MOSQ_LOG_WARNING, "trustlink: policy %s ignored: %s", name,
                             err.message);
    pol->refs = 1;
    pol->next = p->policies;
    p->policies = pol;
    return pol;
}

int tl_plugin__session_set_policies(tl_plugin *p, tl_plugin_session *s,
                                    char **names, char **documents, size_t n)
{
    tl_plugin_policy **fresh = n ? calloc(n, sizeof *fresh) : NULL;
    size_t i;
    if (n && !fresh)
        return -1;
    for (i = 0; i < n; i++) {
        fresh[i] = policy_get(p, names[i], documents[i]);
        if (!fresh[i]) {
            while (i-- > 0)
                policy_release(p, fresh[i]);
            free(fresh);
            return -1;
        }
    }
    for (i = 0; i < s->npolicies; i++)
        policy_release(p, s->policies[i]);
    free(s->policies);
    s->policies = fresh;
    s->npolicies = n;
    return 0;
}

tl_policy_decision tl_plugin__authorize(tl_plugin *p, const tl_plugin_session *s,
                                        tl_policy_action action,
                                        tl_policy_resource_kind kind, const char *name)
{
    enum { MAXPOL = 16 };
    const tl_policy *list[MAXPOL];
    char arn[512];
    tl_policy_request req;
    size_t i, n = 0;

    if (tl_policy_arn(arn, sizeof arn, p->region, p->account, kind, name) < 0)
        return TL_POLICY_DENY_IMPLICIT;
    for (i = 0; i < s->npolicies && n < MAXPOL; i++)
        if (s->policies[i]->valid)
            list[n++] = &s->policies[i]->compiled;
    memset(&req, 0, sizeof req);
    req.action = action;
    req.resource = arn;
    req.client_id = s->client_id;
    req.thing_name = s->attached ? s->thing : NULL;
    req.thing_attached = s->attached;
    return tl_policy_eval(list, n, &req, NULL);
}
