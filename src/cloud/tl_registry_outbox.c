/* tl_registry: the outbox of messages for the broker plugin to publish, and
 * the data version that tells it whether anything changed at all. */
#include <string.h>

#include "tl_registry_internal.h"

tl_registry_status tl_registry_outbox_add(tl_registry *r, const char *topic,
                                          const char *payload)
{
    sqlite3_stmt *st;
    int rc;
    tl_registry__ok(r);
    st = tl_registry__prepare(r, "INSERT INTO outbox (topic, payload) VALUES (?, ?)");
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, topic, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, payload, (int)strlen(payload), SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TL_REG_OK : tl_registry__db_fail(r, "queue a message");
}

tl_registry_status tl_registry_outbox_drain(tl_registry *r, size_t max,
                                            tl_registry_outbox_fn fn, void *arg,
                                            size_t *count)
{
    sqlite3_stmt *sel, *del;
    tl_registry_status s;
    size_t n = 0;
    int rc;

    *count = 0;
    /* Cheap when empty, which it nearly always is: no write transaction. */
    sel = tl_registry__prepare(r, "SELECT id, topic, payload FROM outbox ORDER BY id LIMIT ?");
    if (!sel)
        return TL_REG_INTERNAL;
    sqlite3_bind_int64(sel, 1, (sqlite3_int64)max);
    rc = sqlite3_step(sel);
    if (rc == SQLITE_DONE) {
        sqlite3_finalize(sel);
        return TL_REG_OK;
    }
    sqlite3_reset(sel);
    if ((s = tl_registry__begin(r)) != TL_REG_OK) {
        sqlite3_finalize(sel);
        return s;
    }
    del = tl_registry__prepare(r, "DELETE FROM outbox WHERE id = ?");
    while (del && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        fn(arg, (const char *)sqlite3_column_text(sel, 1), sqlite3_column_blob(sel, 2),
           (size_t)sqlite3_column_bytes(sel, 2));
        sqlite3_bind_int64(del, 1, sqlite3_column_int64(sel, 0));
        if (sqlite3_step(del) != SQLITE_DONE)
            break;
        sqlite3_reset(del);
        n++;
    }
    sqlite3_finalize(sel);
    if (!del || rc != SQLITE_DONE) {
        sqlite3_finalize(del);
        tl_registry__rollback(r);
        return tl_registry__db_fail(r, "drain the outbox");
    }
    sqlite3_finalize(del);
    *count = n;
    return tl_registry__commit(r);
}

tl_registry_status tl_registry_data_version(tl_registry *r, long long *version)
{
    sqlite3_stmt *st;
    int rc;
    tl_registry__ok(r);
    st = tl_registry__cached(r, "PRAGMA data_version");
    if (!st)
        return TL_REG_INTERNAL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TL_REG_OK : tl_registry__db_fail(r, "read the data version");
}
