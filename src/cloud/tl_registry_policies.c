/* tl_registry: policies and their attachment to certificates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_registry_internal.h"

static tl_registry_status check_policy(tl_registry *r, const char *name)
{
    if (!tl_registry_valid_policy_name(name))
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid policy name: must be 1-128 characters of [\\w+=,.@-]");
    return TL_REG_OK;
}

/* 1 if the policy exists, 0 if not (message set), -1 on a database error. */
static int policy_exists(tl_registry *r, const char *name)
{
    int found = tl_registry__exists(r, "SELECT 1 FROM policies WHERE name = ?", name);
    if (found == 0)
        tl_registry__fail(r, TL_REG_NOT_FOUND, "Policy not found: %s", name);
    return found;
}

tl_registry_status tl_registry_policy_create(tl_registry *r, const char *name,
                                             const char *document)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    long long now = tl_registry__now();
    int rc;

    tl_registry__ok(r);
    if ((s = check_policy(r, name)) != TL_REG_OK)
        return s;
    if (!document || !document[0] || strlen(document) > TL_REGISTRY_POLICY_DOC_MAX)
        return tl_registry__fail(r, TL_REG_INVALID, "Policy document must be 1 to %d bytes",
                                 TL_REGISTRY_POLICY_DOC_MAX);
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    st = tl_registry__prepare(r, "INSERT INTO policies (name, document, version, created, updated)"
                                 " VALUES (?, ?, 1, ?, ?)");
    if (!st)
        return tl_registry__end(r, TL_REG_INTERNAL);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, document, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now);
    sqlite3_bind_int64(st, 4, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        s = TL_REG_OK;
    else if (rc == SQLITE_CONSTRAINT)
        s = tl_registry__fail(r, TL_REG_ALREADY_EXISTS, "Policy %s already exists", name);
    else
        s = tl_registry__db_fail(r, "insert policy");
    sqlite3_finalize(st);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_policy_get(tl_registry *r, const char *name,
                                          tl_registry_policy *out)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int rc;

    memset(out, 0, sizeof *out);
    tl_registry__ok(r);
    if ((s = check_policy(r, name)) != TL_REG_OK)
        return s;
    st = tl_registry__prepare(r, "SELECT name, document, version, created, updated"
                                 " FROM policies WHERE name = ?");
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->name = tl_registry__strdup((const char *)sqlite3_column_text(st, 0));
        out->document = tl_registry__strdup((const char *)sqlite3_column_text(st, 1));
        out->version = sqlite3_column_int64(st, 2);
        out->created = sqlite3_column_int64(st, 3);
        out->updated = sqlite3_column_int64(st, 4);
        s = out->name && out->document ? TL_REG_OK
                                       : tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    } else if (rc == SQLITE_DONE) {
        s = tl_registry__fail(r, TL_REG_NOT_FOUND, "Policy not found: %s", name);
    } else {
        s = tl_registry__db_fail(r, "get policy");
    }
    sqlite3_finalize(st);
    if (s != TL_REG_OK)
        tl_registry_policy_free(out);
    return s;
}

void tl_registry_policy_free(tl_registry_policy *p)
{
    if (!p)
        return;
    free(p->name);
    free(p->document);
    p->name = p->document = NULL;
}

tl_registry_status tl_registry_policy_delete(tl_registry *r, const char *name)
{
    tl_registry_status s;
    int found;

    tl_registry__ok(r);
    if ((s = check_policy(r, name)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    found = policy_exists(r, name);
    if (found <= 0)
        return tl_registry__end(r, found < 0 ? TL_REG_INTERNAL : TL_REG_NOT_FOUND);
    found = tl_registry__exists(r, "SELECT 1 FROM policy_targets WHERE policy = ?", name);
    if (found != 0)
        return tl_registry__end(r, found < 0 ? TL_REG_INTERNAL
                                   : tl_registry__fail(r, TL_REG_DELETE_CONFLICT,
                                                       "The policy cannot be deleted as the "
                                                       "policy is attached to one or more "
                                                       "principals (name=%s)", name));
    s = tl_registry__run(r, "DELETE FROM policies WHERE name = ?", name, NULL);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_policy_list(tl_registry *r, const char *after, int limit,
                                           char ***names, size_t *n, char *next)
{
    sqlite3_stmt *st;
    tl_registry_status s;

    *names = NULL;
    *n = 0;
    s = tl_registry__page(r, "SELECT name FROM policies WHERE name > ? ORDER BY name LIMIT ?",
                          after, limit, "pageSize", next, &st);
    if (s != TL_REG_OK)
        return s;
    s = tl_registry__collect(r, st, names, n);
    sqlite3_finalize(st);
    if (s == TL_REG_OK && *n > (size_t)limit) {
        /* The extra row only says that there is a next page. */
        free((*names)[--*n]);
        strcpy(next, (*names)[*n - 1]);
    }
    return s;
}

static tl_registry_status link_policy(tl_registry *r, const char *policy, const char *target,
                                      int attach)
{
    char id[TL_REGISTRY_ID_LEN + 1];
    tl_registry_status s;
    int found;

    tl_registry__ok(r);
    if ((s = check_policy(r, policy)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    found = policy_exists(r, policy);
    if (found <= 0)
        return tl_registry__end(r, found < 0 ? TL_REG_INTERNAL : TL_REG_NOT_FOUND);
    if ((s = tl_registry__cert_target(r, target, id)) != TL_REG_OK)
        return tl_registry__end(r, s);
    s = tl_registry__run(r, attach ? "INSERT OR IGNORE INTO policy_targets (policy, cert_id)"
                                     " VALUES (?, ?)"
                                   : "DELETE FROM policy_targets WHERE policy = ? AND cert_id = ?",
                         policy, id);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_policy_attach(tl_registry *r, const char *policy,
                                             const char *target)
{
    return link_policy(r, policy, target, 1);
}

tl_registry_status tl_registry_policy_detach(tl_registry *r, const char *policy,
                                             const char *target)
{
    return link_policy(r, policy, target, 0);
}

tl_registry_status tl_registry_policy_attached(tl_registry *r, const char *target,
                                               char ***names, size_t *n)
{
    char id[TL_REGISTRY_ID_LEN + 1];
    sqlite3_stmt *st;
    tl_registry_status s;
    *names = NULL;
    *n = 0;
    tl_registry__ok(r);
    if ((s = tl_registry__cert_target(r, target, id)) != TL_REG_OK)
        return s;
    if (!(st = tl_registry__prepare(r, "SELECT policy FROM policy_targets WHERE cert_id = ?"
                                       " ORDER BY policy")))
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, names, n);
    sqlite3_finalize(st);
    return s;
}

tl_registry_status tl_registry_policy_targets(tl_registry *r, const char *policy,
                                              char ***ids, size_t *n)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int found;
    *ids = NULL;
    *n = 0;
    tl_registry__ok(r);
    if ((s = check_policy(r, policy)) != TL_REG_OK)
        return s;
    found = policy_exists(r, policy);
    if (found <= 0)
        return found < 0 ? TL_REG_INTERNAL : TL_REG_NOT_FOUND;
    if (!(st = tl_registry__prepare(r, "SELECT cert_id FROM policy_targets WHERE policy = ?"
                                       " ORDER BY cert_id")))
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, policy, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, ids, n);
    sqlite3_finalize(st);
    return s;
}
