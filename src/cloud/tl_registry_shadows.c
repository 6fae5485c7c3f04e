/* tl_registry: Device Shadow document storage with optimistic versions. */
#include <stdlib.h>
#include <string.h>

#include "tl_registry_internal.h"

static tl_registry_status check_names(tl_registry *r, const char *thing, const char *shadow)
{
    if (!tl_registry_valid_thing_name(thing))
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid thing name: must be 1-128 characters of [a-zA-Z0-9:_-]");
    if (!shadow || (shadow[0] && !tl_registry_valid_shadow_name(shadow)))
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid shadow name: must be 1-64 characters of [a-zA-Z0-9:_-]");
    return TL_REG_OK;
}

/* The stored version inside the caller's transaction: 0 if there is no
 * shadow, -1 on a database error. */
static long long stored_version(tl_registry *r, const char *thing, const char *shadow)
{
    sqlite3_stmt *st = tl_registry__prepare(r, "SELECT version FROM shadows"
                                               " WHERE thing = ? AND name = ?");
    long long v = 0;
    int rc;
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, thing, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, shadow, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        v = -1;
    sqlite3_finalize(st);
    if (v < 0)
        tl_registry__db_fail(r, "read shadow");
    return v;
}

static tl_registry_status not_found(tl_registry *r, const char *thing, const char *shadow)
{
    if (shadow[0])
        return tl_registry__fail(r, TL_REG_NOT_FOUND, "No shadow exists with name: '%s~%s'",
                                 thing, shadow);
    return tl_registry__fail(r, TL_REG_NOT_FOUND, "No shadow exists with name: '%s'", thing);
}

tl_registry_status tl_registry_shadow_get(tl_registry *r, const char *thing,
                                          const char *shadow_name, char **document,
                                          long long *version, long long *updated)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int rc;

    *document = NULL;
    tl_registry__ok(r);
    if ((s = check_names(r, thing, shadow_name)) != TL_REG_OK)
        return s;
    st = tl_registry__prepare(r, "SELECT document, version, updated FROM shadows"
                                 " WHERE thing = ? AND name = ?");
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, thing, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, shadow_name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *document = tl_registry__strdup((const char *)sqlite3_column_text(st, 0));
        if (version)
            *version = sqlite3_column_int64(st, 1);
        if (updated)
            *updated = sqlite3_column_int64(st, 2);
        s = *document ? TL_REG_OK : tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    } else if (rc == SQLITE_DONE) {
        s = not_found(r, thing, shadow_name);
    } else {
        s = tl_registry__db_fail(r, "get shadow");
    }
    sqlite3_finalize(st);
    return s;
}

tl_registry_status tl_registry_shadow_put(tl_registry *r, const char *thing,
                                          const char *shadow_name, const char *document,
                                          long long expected_version, long long *new_version)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    long long cur;

    tl_registry__ok(r);
    if ((s = check_names(r, thing, shadow_name)) != TL_REG_OK)
        return s;
    if (!document)
        return tl_registry__fail(r, TL_REG_INVALID, "missing shadow document");
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    cur = stored_version(r, thing, shadow_name);
    if (cur < 0)
        return tl_registry__end(r, TL_REG_INTERNAL);
    if (expected_version >= 0 && expected_version != cur)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_VERSION_CONFLICT,
                                                     "Version conflict"));
    st = tl_registry__prepare(r, "INSERT INTO shadows (thing, name, document, version, updated)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (thing, name) DO"
                                 " UPDATE SET document = ?3, version = ?4, updated = ?5");
    if (!st)
        return tl_registry__end(r, TL_REG_INTERNAL);
    sqlite3_bind_text(st, 1, thing, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, shadow_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, document, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, cur + 1);
    sqlite3_bind_int64(st, 5, tl_registry__now());
    s = sqlite3_step(st) == SQLITE_DONE ? TL_REG_OK : tl_registry__db_fail(r, "write shadow");
    sqlite3_finalize(st);
    if (s == TL_REG_OK && new_version)
        *new_version = cur + 1;
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_shadow_delete(tl_registry *r, const char *thing,
                                             const char *shadow_name, long long *deleted_version)
{
    tl_registry_status s;
    long long cur;

    tl_registry__ok(r);
    if ((s = check_names(r, thing, shadow_name)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    cur = stored_version(r, thing, shadow_name);
    if (cur <= 0)
        return tl_registry__end(r, cur < 0 ? TL_REG_INTERNAL : not_found(r, thing, shadow_name));
    s = tl_registry__run(r, "DELETE FROM shadows WHERE thing = ? AND name = ?", thing, shadow_name);
    if (s == TL_REG_OK && deleted_version)
        *deleted_version = cur;
    return tl_registry__end(r, s);
}
