/*
 * Who may connect: the TLS client certificate's SHA-256 is its id in the
 * registry; only ACTIVE certificates pass, and then only if an attached
 * policy allows iot:Connect on client/<client id>. Afterwards, whenever
 * another process changed the registry (TICK), every session is re-checked
 * so that a revoked or deactivated certificate is kicked within a second and
 * policy changes reach connected clients.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tl_plugin.h"

/* Certificate id of the client's certificate; 0 or -1 if it has none. */
static int client_cert_id(const struct mosquitto *client, char id[TL_REGISTRY_ID_LEN + 1])
{
    X509 *x = mosquitto_client_certificate(client);
    unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
    unsigned int mdlen = 0, i;
    int len;
    if (!x)
        return -1;
    len = i2d_X509(x, &der);
    X509_free(x);
    if (len <= 0)
        return -1;
    if (!EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        OPENSSL_free(der);
        return -1;
    }
    OPENSSL_free(der);
    for (i = 0; i < mdlen; i++)
        snprintf(id + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* Load the principal's state into the session; 0, or -1 to refuse. */
static int refresh_session(tl_plugin *p, tl_plugin_session *s, const char **why)
{
    tl_registry_principal pr;
    size_t i;
    tl_registry_status st = tl_registry_principal_lookup(p->reg, s->cert_id, &pr);
    if (st != TL_REG_OK) {
        *why = st == TL_REG_NOT_FOUND ? "certificate not registered" : "registry error";
        return -1;
    }
    if (pr.status != TL_CERT_ACTIVE) {
        *why = pr.status == TL_CERT_REVOKED ? "certificate REVOKED" : "certificate not ACTIVE";
        tl_registry_principal_free(&pr);
        return -1;
    }
    s->attached = 0;
    for (i = 0; i < pr.nthings; i++)
        if (strcmp(pr.things[i], s->client_id) == 0)
            s->attached = 1;
    snprintf(s->thing, sizeof s->thing, "%s", s->attached ? s->client_id : "");
    if (tl_plugin__session_set_policies(p, s, pr.policy_names, pr.policy_documents,
                                        pr.npolicies) != 0) {
        *why = "out of memory";
        tl_registry_principal_free(&pr);
        return -1;
    }
    tl_registry_principal_free(&pr);
    return 0;
}

int tl_plugin__on_basic_auth(int event, void *event_data, void *userdata)
{
    struct mosquitto_evt_basic_auth *ev = event_data;
    tl_plugin *p = userdata;
    tl_plugin_session *s;
    const char *client_id = mosquitto_client_id(ev->client);
    const char *why = NULL;
    char id[TL_REGISTRY_ID_LEN + 1];
    (void)event;

    if (!client_id || !client_id[0] || strlen(client_id) > TL_REGISTRY_NAME_MAX) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: refused: client id empty or over 128 bytes");
        return MOSQ_ERR_AUTH;
    }
    if (client_cert_id(ev->client, id) != 0) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: refused %s: no client certificate",
                             client_id);
        return MOSQ_ERR_AUTH;
    }
    /* Mosquitto hands a persistent session over to the new connection and
     * frees the old context: its offline entry here goes too. */
    tl_plugin__session_remove_offline(p, client_id);
    s = tl_plugin__session_new(p, ev->client);
    if (!s)
        return MOSQ_ERR_NOMEM;
    snprintf(s->client_id, sizeof s->client_id, "%s", client_id);
    memcpy(s->cert_id, id, sizeof s->cert_id);
    if (refresh_session(p, s, &why) != 0) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: refused %s (cert %.12s): %s",
                             client_id, id, why);
        tl_plugin__session_remove(p, ev->client);
        return MOSQ_ERR_AUTH;
    }
    if (tl_plugin__authorize(p, s, TL_POLICY_CONNECT, TL_POLICY_RES_CLIENT, client_id) !=
        TL_POLICY_ALLOW) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE,
                             "trustlink: refused %s (cert %.12s): iot:Connect not allowed",
                             client_id, id);
        tl_plugin__session_remove(p, ev->client);
        return MOSQ_ERR_AUTH;
    }
    /* A persistent session must survive a broker restart with its owner:
     * remember which certificate opened it (tl_plugin__session_restore). */
    if (!mosquitto_client_clean_session(ev->client))
        tl_registry_session_remember(p->reg, client_id, id);
    else
        tl_registry_session_forget(p->reg, client_id);
    mosquitto_log_printf(MOSQ_LOG_INFO, "trustlink: %s connected (cert %.12s, thing %s)",
                         client_id, id, s->attached ? s->thing : "(none attached)");
    return MOSQ_ERR_SUCCESS;
}

tl_plugin_session *tl_plugin__session_restore(tl_plugin *p, const struct mosquitto *client)
{
    const char *client_id = mosquitto_client_id(client), *why = NULL;
    char cert_id[TL_REGISTRY_ID_LEN + 1];
    tl_plugin_session *s;
    if (!client_id || mosquitto_client_clean_session(client) ||
        strlen(client_id) > TL_REGISTRY_NAME_MAX ||
        tl_registry_session_cert(p->reg, client_id, cert_id) != TL_REG_OK)
        return NULL;
    if (!(s = tl_plugin__session_new(p, client)))
        return NULL;
    snprintf(s->client_id, sizeof s->client_id, "%s", client_id);
    memcpy(s->cert_id, cert_id, sizeof s->cert_id);
    s->offline = 1;
    if (refresh_session(p, s, &why) != 0) {
        mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: persistent session of %s not "
                             "restored: %s", client_id, why);
        tl_plugin__session_remove(p, client);
        return NULL;
    }
    mosquitto_log_printf(MOSQ_LOG_INFO, "trustlink: persistent session of %s restored "
                         "(cert %.12s)", client_id, cert_id);
    return s;
}

/* Publish what the HTTP API queued (shadow changes made over REST). */
static void publish_queued(void *arg, const char *topic, const void *payload, size_t len)
{
    (void)arg;
    mosquitto_broker_publish_copy(NULL, topic, (int)len, payload, 1, false, NULL);
}

/* Re-check every session; kick those whose certificate or policies no longer
 * let them connect. */
static void recheck_sessions(tl_plugin *p)
{
    size_t b, n = p->nsessions;
    for (b = 0; b < TL_PLUGIN_BUCKETS; b++) {
        tl_plugin_session *s = p->buckets[b];
        while (s) {
            tl_plugin_session *next = s->next;
            const char *why = NULL;
            if (refresh_session(p, s, &why) != 0 ||
                tl_plugin__authorize(p, s, TL_POLICY_CONNECT, TL_POLICY_RES_CLIENT,
                                     s->client_id) != TL_POLICY_ALLOW) {
                char client_id[TL_REGISTRY_NAME_MAX + 1];
                snprintf(client_id, sizeof client_id, "%s", s->client_id);
                int offline = s->offline;
                mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: %s %s: %s",
                                     offline ? "forgetting the offline session of"
                                             : "disconnecting",
                                     client_id, why ? why : "iot:Connect no longer allowed");
                tl_plugin__session_remove(p, s->client);
                if (!offline)
                    mosquitto_kick_client_by_clientid(client_id, false);
            }
            s = next;
        }
    }
    mosquitto_log_printf(MOSQ_LOG_DEBUG, "trustlink: registry changed, %zu sessions re-checked",
                         n);
}

static long monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Mosquitto ticks on every pass of its event loop: a few times a second when
 * idle, thousands of times under load. Only another process's commit (the
 * API revoking a certificate, attaching a policy, queueing a shadow message)
 * can change what a session may do, and SQLite's data version says whether
 * one happened; it is read at most every TL_PLUGIN_POLL_MS, so that neither
 * an idle broker with thousands of sessions nor a busy one spends time on
 * the registry when nothing changed.
 */
int tl_plugin__on_tick(int event, void *event_data, void *userdata)
{
    tl_plugin *p = userdata;
    long long version;
    long now_ms = monotonic_ms();
    int changed = 1;   /* version unreadable: behave as if it moved */
    (void)event;
    (void)event_data;   /* Mosquitto 2.0.11 leaves its time fields at 0 */

    if (now_ms - p->last_poll_ms < TL_PLUGIN_POLL_MS)
        return MOSQ_ERR_SUCCESS;
    p->last_poll_ms = now_ms;
    if (tl_registry_data_version(p->reg, &version) == TL_REG_OK) {
        changed = !p->have_version || version != p->data_version;
        p->data_version = version;
        p->have_version = 1;
    }
    if (changed || p->outbox_more) {
        size_t queued = 0;
        tl_registry_status st = tl_registry_outbox_drain(p->reg, TL_PLUGIN_OUTBOX_BATCH,
                                                         publish_queued, NULL, &queued);
        /* A full batch or a failed drain (the API holding the write lock)
         * may leave messages that no later commit announces. */
        p->outbox_more = st != TL_REG_OK || queued == TL_PLUGIN_OUTBOX_BATCH;
    }
    if (changed)
        p->stale = 1;
    if (!p->stale)
        return MOSQ_ERR_SUCCESS;
    if (now_ms - p->last_check_ms < TL_PLUGIN_CHECK_MS)
        return MOSQ_ERR_SUCCESS;
    p->last_check_ms = now_ms;
    p->stale = 0;
    recheck_sessions(p);
    return MOSQ_ERR_SUCCESS;
}

int tl_plugin__on_disconnect(int event, void *event_data, void *userdata)
{
    struct mosquitto_evt_disconnect *ev = event_data;
    tl_plugin_session *s = tl_plugin__session_find(userdata, ev->client);
    (void)event;
    /* A persistent session outlives its connection: Mosquitto queues QoS 1
     * messages for it and asks, for each, whether it may receive them. Keep
     * what decides that (identity and policies, still re-checked on
     * registry changes) until the client comes back or is revoked. */
    if (s && !mosquitto_client_clean_session(ev->client))
        s->offline = 1;
    else
        tl_plugin__session_remove(userdata, ev->client);
    return MOSQ_ERR_SUCCESS;
}
