/* tl_registry: thing principals (AttachThingPrincipal and friends). */
#include <stdlib.h>
#include <string.h>

#include "tl_registry_internal.h"

static tl_registry_status check_thing(tl_registry *r, const char *name)
{
    if (!tl_registry_valid_thing_name(name))
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid thing name: must be 1-128 characters of [a-zA-Z0-9:_-]");
    return TL_REG_OK;
}

/* Attach or detach a thing and a certificate. */
static tl_registry_status link_thing(tl_registry *r, const char *thing, const char *principal,
                                     int attach)
{
    char id[TL_REGISTRY_ID_LEN + 1];
    tl_registry_status s;
    int found;

    tl_registry__ok(r);
    if ((s = check_thing(r, thing)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    found = tl_registry__exists(r, "SELECT 1 FROM things WHERE name = ?", thing);
    if (found <= 0)
        return tl_registry__end(r, found < 0 ? TL_REG_INTERNAL
                                   : tl_registry__fail(r, TL_REG_NOT_FOUND,
                                                       "Thing %s cannot be found.", thing));
    if ((s = tl_registry__cert_target(r, principal, id)) != TL_REG_OK)
        return tl_registry__end(r, s);
    s = tl_registry__run(r, attach ? "INSERT OR IGNORE INTO thing_principals (thing, cert_id)"
                                     " VALUES (?, ?)"
                                   : "DELETE FROM thing_principals WHERE thing = ? AND cert_id = ?",
                         thing, id);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_thing_attach(tl_registry *r, const char *thing,
                                            const char *principal)
{
    return link_thing(r, thing, principal, 1);
}

tl_registry_status tl_registry_thing_detach(tl_registry *r, const char *thing,
                                            const char *principal)
{
    return link_thing(r, thing, principal, 0);
}

tl_registry_status tl_registry_thing_principals(tl_registry *r, const char *thing,
                                                char ***ids, size_t *n)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int found;
    *ids = NULL;
    *n = 0;
    tl_registry__ok(r);
    if ((s = check_thing(r, thing)) != TL_REG_OK)
        return s;
    found = tl_registry__exists(r, "SELECT 1 FROM things WHERE name = ?", thing);
    if (found <= 0)
        return found < 0 ? TL_REG_INTERNAL
                         : tl_registry__fail(r, TL_REG_NOT_FOUND, "Thing %s cannot be found.", thing);
    if (!(st = tl_registry__prepare(r, "SELECT cert_id FROM thing_principals WHERE thing = ?"
                                       " ORDER BY cert_id")))
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, thing, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, ids, n);
    sqlite3_finalize(st);
    return s;
}

tl_registry_status tl_registry_principal_things(tl_registry *r, const char *principal,
                                                char ***names, size_t *n)
{
    char id[TL_REGISTRY_ID_LEN + 1];
    sqlite3_stmt *st;
    tl_registry_status s;
    *names = NULL;
    *n = 0;
    tl_registry__ok(r);
    if ((s = tl_registry__cert_target(r, principal, id)) != TL_REG_OK)
        return s;
    if (!(st = tl_registry__prepare(r, "SELECT thing FROM thing_principals WHERE cert_id = ?"
                                       " ORDER BY thing")))
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, names, n);
    sqlite3_finalize(st);
    return s;
}
