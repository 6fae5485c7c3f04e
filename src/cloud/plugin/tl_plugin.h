/*
 * The trustlink Mosquitto plugin (plugin API v5, Mosquitto 2.0): it makes a
 * stock broker behave like AWS IoT Core's message broker.
 *
 *   tl_plugin.c          plugin entry points, options, callback registration
 *   tl_plugin_session.c  one session per connected client; compiled policies
 *                        shared between sessions
 *   tl_plugin_auth.c     BASIC_AUTH: certificate id -> registry -> policies ->
 *                        iot:Connect; TICK: when the registry changed, publish
 *                        what the API queued and kick revoked certificates
 *   tl_plugin_acl.c      ACL_CHECK: iot:Publish/Subscribe/Receive, AWS topic
 *                        limits, reserved topics
 *   tl_plugin_shadow.c   MESSAGE: the Device Shadow service on $aws/things/...
 *
 * Options (plugin_opt_<name> in mosquitto.conf):
 *   database  path of the registry database (required; Mosquitto wants option
 *             names of 3 characters or more)
 *   region   region used in resource ARNs (default us-east-1)
 *   account  account id used in resource ARNs (default 123456789012)
 *
 * Mosquitto runs plugins on its single network thread, so none of this locks.
 */
#ifndef TL_PLUGIN_H
#define TL_PLUGIN_H

#include <stddef.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "../tl_policy.h"
#include "../tl_registry.h"

#define TL_PLUGIN_BUCKETS 1024
/* Sessions are re-checked against the registry on the first tick after
 * another process committed to it, but at most once per TL_PLUGIN_CHECK_MS
 * while commits keep coming (each pass costs a few queries per session). */
#define TL_PLUGIN_CHECK_MS 250
#define TL_PLUGIN_POLL_MS 20        /* how often a tick looks at the registry */
#define TL_PLUGIN_OUTBOX_BATCH 64   /* outbox messages published per tick */

/* A compiled policy, shared by every session that has it attached. */
typedef struct tl_plugin_policy {
    char *name;
    char *document;
    tl_policy compiled;
    int valid;                     /* 0 if the document did not compile */
    unsigned refs;
    struct tl_plugin_policy *next;
} tl_plugin_policy;

typedef struct tl_plugin_session {
    const struct mosquitto *client;
    char client_id[TL_REGISTRY_NAME_MAX + 1];
    char cert_id[TL_REGISTRY_ID_LEN + 1];
    char thing[TL_REGISTRY_NAME_MAX + 1];   /* the client id, if attached */
    int attached;
    int offline;                   /* disconnected, its persistent session kept:
                                      QoS 1 messages queued for it are still
                                      decided by its policies (iot:Receive) */
    tl_plugin_policy **policies;
    size_t npolicies;
    struct tl_plugin_session *next;
} tl_plugin_session;

typedef struct {
    mosquitto_plugin_id_t *id;
    tl_registry *reg;
    char region[32];
    char account[16];
    tl_plugin_session *buckets[TL_PLUGIN_BUCKETS];
    size_t nsessions;
    tl_plugin_policy *policies;
    long last_check_ms;
    long last_poll_ms;
    long long data_version;   /* the registry's, as of the last tick */
    int have_version;
    int stale;                /* sessions need a re-check */
    int outbox_more;          /* the last drain may have left messages */
} tl_plugin;

/* Sessions (tl_plugin_session.c). */
tl_plugin_session *tl_plugin__session_find(tl_plugin *p, const struct mosquitto *client);
tl_plugin_session *tl_plugin__session_new(tl_plugin *p, const struct mosquitto *client);
void tl_plugin__session_remove(tl_plugin *p, const struct mosquitto *client);
/* The session of a client Mosquitto restored from its persistence file after
 * a restart (not connected since): identity from the registry's session
 * table, policies re-read; NULL if there is none or it may not be restored. */
tl_plugin_session *tl_plugin__session_restore(tl_plugin *p, const struct mosquitto *client);
/* Forget the offline session of client_id (its new connection takes over). */
void tl_plugin__session_remove_offline(tl_plugin *p, const char *client_id);
void tl_plugin__sessions_clear(tl_plugin *p);

/* Replace the session's policies with these documents (compiled, cached). */
int tl_plugin__session_set_policies(tl_plugin *p, tl_plugin_session *s,
                                    char **names, char **documents, size_t n);

/* Decide action on a resource of kind for the session. */
tl_policy_decision tl_plugin__authorize(tl_plugin *p, const tl_plugin_session *s,
                                        tl_policy_action action,
                                        tl_policy_resource_kind kind, const char *name);

/* Callbacks. */
int tl_plugin__on_basic_auth(int event, void *event_data, void *userdata);
int tl_plugin__on_acl_check(int event, void *event_data, void *userdata);
int tl_plugin__on_message(int event, void *event_data, void *userdata);
int tl_plugin__on_tick(int event, void *event_data, void *userdata);
int tl_plugin__on_disconnect(int event, void *event_data, void *userdata);

#endif
