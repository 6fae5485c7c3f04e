/* tl_registry: persistent MQTT sessions and the certificate that opened them. */
#include <string.h>

#include "tl_registry_internal.h"

tl_registry_status tl_registry_session_remember(tl_registry *r, const char *client_id,
                                                const char *cert_id)
{
    tl_registry__ok(r);
    return tl_registry__run(r, "INSERT OR REPLACE INTO mqtt_sessions (client_id, cert_id)"
                               " VALUES (?, ?)", client_id, cert_id);
}

tl_registry_status tl_registry_session_forget(tl_registry *r, const char *client_id)
{
    tl_registry__ok(r);
    return tl_registry__run(r, "DELETE FROM mqtt_sessions WHERE client_id = ?", client_id,
                            NULL);
}

tl_registry_status tl_registry_session_cert(tl_registry *r, const char *client_id,
                                            char cert_id[TL_REGISTRY_ID_LEN + 1])
{
    static const char sql[] = "SELECT cert_id FROM mqtt_sessions WHERE client_id = ?";
    sqlite3_stmt *st;
    tl_registry_status s = TL_REG_OK;
    int rc;
    tl_registry__ok(r);
    if (!(st = tl_registry__cached(r, sql)))
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, client_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        if (v && strlen((const char *)v) == TL_REGISTRY_ID_LEN)
            memcpy(cert_id, v, TL_REGISTRY_ID_LEN + 1);
        else
            s = tl_registry__fail(r, TL_REG_INTERNAL, "damaged session row for %s", client_id);
    } else if (rc == SQLITE_DONE) {
        s = tl_registry__fail(r, TL_REG_NOT_FOUND, "no persistent session for %s", client_id);
    } else {
        s = tl_registry__db_fail(r, "reading a session");
    }
    sqlite3_reset(st);
    return s;
}
