/* Plugin entry points: version negotiation, options, callback registration. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_plugin.h"

static const struct {
    int event;
    MOSQ_FUNC_generic_callback cb;
} callbacks[] = {
    { MOSQ_EVT_BASIC_AUTH, tl_plugin__on_basic_auth },
    { MOSQ_EVT_ACL_CHECK, tl_plugin__on_acl_check },
    { MOSQ_EVT_MESSAGE, tl_plugin__on_message },
    { MOSQ_EVT_TICK, tl_plugin__on_tick },
    { MOSQ_EVT_DISCONNECT, tl_plugin__on_disconnect },
};
#define NCALLBACKS (sizeof callbacks / sizeof callbacks[0])

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
    int i;
    for (i = 0; i < supported_version_count; i++)
        if (supported_versions[i] == 5)
            return 5;
    return -1;
}

static void unregister_all(tl_plugin *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        mosquitto_callback_unregister(p->id, callbacks[i].event, callbacks[i].cb, NULL);
}

static void destroy(tl_plugin *p)
{
    tl_plugin__sessions_clear(p);
    if (p->reg)
        tl_registry_close(p->reg);
    free(p);
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
                          struct mosquitto_opt *options, int option_count)
{
    tl_plugin *p = calloc(1, sizeof *p);
    const char *db = NULL;
    char err[256];
    size_t i;
    int k;

    if (!p)
        return MOSQ_ERR_NOMEM;
    p->id = identifier;
    snprintf(p->region, sizeof p->region, "us-east-1");
    snprintf(p->account, sizeof p->account, "123456789012");
    for (k = 0; k < option_count; k++) {
        if (strcmp(options[k].key, "database") == 0)
            db = options[k].value;
        else if (strcmp(options[k].key, "region") == 0)
            snprintf(p->region, sizeof p->region, "%s", options[k].value);
        else if (strcmp(options[k].key, "account") == 0)
            snprintf(p->account, sizeof p->account, "%s", options[k].value);
        else
            mosquitto_log_printf(MOSQ_LOG_WARNING, "trustlink: unknown option plugin_opt_%s",
                                 options[k].key);
    }
    if (!db) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "trustlink: plugin_opt_database is required");
        free(p);
        return MOSQ_ERR_INVAL;
    }
    if (tl_registry_open(&p->reg, db, err, sizeof err) != TL_REG_OK) {
        mosquitto_log_printf(MOSQ_LOG_ERR, "trustlink: cannot open registry %s: %s", db, err);
        free(p);
        return MOSQ_ERR_UNKNOWN;
    }
    for (i = 0; i < NCALLBACKS; i++) {
        int rc = mosquitto_callback_register(identifier, callbacks[i].event, callbacks[i].cb,
                                             NULL, p);
        if (rc != MOSQ_ERR_SUCCESS) {
            mosquitto_log_printf(MOSQ_LOG_ERR, "trustlink: cannot register callback %d: %d",
                                 callbacks[i].event, rc);
            unregister_all(p, i);
            destroy(p);
            return rc;
        }
    }
    *userdata = p;
    mosquitto_log_printf(MOSQ_LOG_NOTICE, "trustlink: plugin ready (registry %s, %s/%s)", db,
                         p->region, p->account);
    return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
    tl_plugin *p = userdata;
    (void)options;
    (void)option_count;
    if (p) {
        unregister_all(p, NCALLBACKS);
        destroy(p);
    }
    return MOSQ_ERR_SUCCESS;
}
