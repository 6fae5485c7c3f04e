/* tl_registry: certificates and the broker's principal lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_registry_internal.h"

/* A certificate id must already be the canonical 64 lowercase hex digits
 * (the API normalizes ARNs with tl_registry_parse_cert_principal). */
static tl_registry_status check_id(tl_registry *r, const char *id)
{
    char canon[TL_REGISTRY_ID_LEN + 1];
    if (!id || strncmp(id, "arn:", 4) == 0 || tl_registry_parse_cert_principal(id, canon) != 0 ||
        strcmp(canon, id) != 0)
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid certificate id: expected 64 lowercase hex digits");
    return TL_REG_OK;
}

tl_registry_status tl_registry_cert_create(tl_registry *r, const char *id, const char *pem,
                                           tl_registry_cert_status status)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    long long now = tl_registry__now();
    int rc;

    tl_registry__ok(r);
    if ((s = check_id(r, id)) != TL_REG_OK)
        return s;
    if (!pem || strncmp(pem, "-----BEGIN CERTIFICATE-----", 27) != 0)
        return tl_registry__fail(r, TL_REG_INVALID, "Invalid certificate PEM");
    if ((unsigned)status > TL_CERT_PENDING_TRANSFER)
        return tl_registry__fail(r, TL_REG_INVALID, "Invalid certificate status");
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    st = tl_registry__prepare(r, "INSERT INTO certificates (id, pem, status, created, updated)"
                                 " VALUES (?, ?, ?, ?, ?)");
    if (!st)
        return tl_registry__end(r, TL_REG_INTERNAL);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, pem, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, tl_registry_cert_status_name(status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, now);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE)
        s = TL_REG_OK;
    else if (rc == SQLITE_CONSTRAINT)
        s = tl_registry__fail(r, TL_REG_ALREADY_EXISTS,
                              "The certificate is already provisioned or registered (id %s)", id);
    else
        s = tl_registry__db_fail(r, "insert certificate");
    sqlite3_finalize(st);
    return tl_registry__end(r, s);
}

/* Fill c from a row (id, status, created, updated[, pem]). */
static int row_to_cert(sqlite3_stmt *st, tl_registry_cert *c, int with_pem)
{
    const char *id = (const char *)sqlite3_column_text(st, 0);
    int s = tl_registry_cert_status_parse((const char *)sqlite3_column_text(st, 1));
    memset(c, 0, sizeof *c);
    strncpy(c->id, id ? id : "", TL_REGISTRY_ID_LEN);
    c->status = s < 0 ? TL_CERT_INACTIVE : (tl_registry_cert_status)s;
    c->created = sqlite3_column_int64(st, 2);
    c->updated = sqlite3_column_int64(st, 3);
    if (with_pem && !(c->pem = tl_registry__strdup((const char *)sqlite3_column_text(st, 4))))
        return -1;
    return 0;
}

tl_registry_status tl_registry_cert_describe(tl_registry *r, const char *id,
                                             tl_registry_cert *out)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int rc;

    memset(out, 0, sizeof *out);
    tl_registry__ok(r);
    if ((s = check_id(r, id)) != TL_REG_OK)
        return s;
    st = tl_registry__prepare(r, "SELECT id, status, created, updated, pem FROM certificates"
                                 " WHERE id = ?");
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        s = row_to_cert(st, out, 1) == 0 ? TL_REG_OK
                                         : tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    else if (rc == SQLITE_DONE)
        s = tl_registry__fail(r, TL_REG_NOT_FOUND, "The certificate %s does not exist", id);
    else
        s = tl_registry__db_fail(r, "describe certificate");
    sqlite3_finalize(st);
    return s;
}

void tl_registry_cert_free(tl_registry_cert *c)
{
    if (c) {
        free(c->pem);
        c->pem = NULL;
    }
}

/* Current status of a certificate inside a transaction; -1 if unknown,
 * -2 on a database error. */
static int current_status(tl_registry *r, const char *id)
{
    sqlite3_stmt *st = tl_registry__cached(r, "SELECT status FROM certificates WHERE id = ?");
    int s = -1;
    if (!st)
        return -2;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    switch (sqlite3_step(st)) {
    case SQLITE_ROW:
        s = tl_registry_cert_status_parse((const char *)sqlite3_column_text(st, 0));
        break;
    case SQLITE_DONE:
        break;
    default:
        s = -2;   /* a failed read is not "no such certificate" */
        tl_registry__db_fail(r, "read certificate");
        break;
    }
    sqlite3_reset(st);
    return s;
}

tl_registry_status tl_registry_cert_update_status(tl_registry *r, const char *id,
                                                  tl_registry_cert_status status)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int cur;

    tl_registry__ok(r);
    if ((s = check_id(r, id)) != TL_REG_OK)
        return s;
    if ((unsigned)status > TL_CERT_REVOKED)
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid new status: expected ACTIVE, INACTIVE or REVOKED");
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    cur = current_status(r, id);
    if (cur == -2)
        return tl_registry__end(r, TL_REG_INTERNAL);
    if (cur < 0)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_NOT_FOUND,
                                                     "The certificate %s does not exist", id));
    if (cur == TL_CERT_REVOKED && status != TL_CERT_REVOKED)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_CERT_STATE,
                                                     "Certificate %s is revoked and cannot be "
                                                     "activated or deactivated", id));
    st = tl_registry__prepare(r, "UPDATE certificates SET status = ?, updated = ? WHERE id = ?");
    if (!st)
        return tl_registry__end(r, TL_REG_INTERNAL);
    sqlite3_bind_text(st, 1, tl_registry_cert_status_name(status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tl_registry__now());
    sqlite3_bind_text(st, 3, id, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st) == SQLITE_DONE ? TL_REG_OK : tl_registry__db_fail(r, "update certificate");
    sqlite3_finalize(st);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_cert_delete(tl_registry *r, const char *id)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    int cur, n;

    tl_registry__ok(r);
    if ((s = check_id(r, id)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    cur = current_status(r, id);
    if (cur == -2)
        return tl_registry__end(r, TL_REG_INTERNAL);
    if (cur < 0)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_NOT_FOUND,
                                                     "The certificate %s does not exist", id));
    if (cur == TL_CERT_ACTIVE)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_CERT_STATE,
                                                     "Certificate must be deactivated "
                                                     "(not ACTIVE) before deletion."));
    n = tl_registry__exists(r, "SELECT 1 FROM policy_targets WHERE cert_id = ?", id);
    if (n > 0)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_DELETE_CONFLICT,
                                                     "Certificate policies must be detached "
                                                     "before deletion (id %s)", id));
    if (n == 0)
        n = tl_registry__exists(r, "SELECT 1 FROM thing_principals WHERE cert_id = ?", id);
    if (n > 0)
        return tl_registry__end(r, tl_registry__fail(r, TL_REG_DELETE_CONFLICT,
                                                     "Things must be detached before "
                                                     "deletion (id %s)", id));
    if (n < 0)
        return tl_registry__end(r, TL_REG_INTERNAL);
    st = tl_registry__prepare(r, "DELETE FROM certificates WHERE id = ?");
    if (!st)
        return tl_registry__end(r, TL_REG_INTERNAL);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st) == SQLITE_DONE ? TL_REG_OK : tl_registry__db_fail(r, "delete certificate");
    sqlite3_finalize(st);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_cert_list(tl_registry *r, const char *after, int limit,
                                         tl_registry_cert **items, size_t *n, char *next)
{
    sqlite3_stmt *st;
    tl_registry_cert *v;
    tl_registry_status s;
    size_t k = 0;
    int rc;

    *items = NULL;
    *n = 0;
    s = tl_registry__page(r, "SELECT id, status, created, updated FROM certificates"
                             " WHERE id > ? ORDER BY id LIMIT ?", after, limit, "pageSize", next, &st);
    if (s != TL_REG_OK)
        return s;
    if (!(v = calloc((size_t)limit, sizeof *v))) {
        sqlite3_finalize(st);
        return tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == (size_t)limit) {
            strcpy(next, v[k - 1].id);
            break;
        }
        row_to_cert(st, &v[k++], 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        free(v);
        next[0] = '\0';
        return tl_registry__fail(r, TL_REG_INTERNAL, "list certificates failed");
    }
    *items = v;
    *n = k;
    return TL_REG_OK;
}

void tl_registry_cert_list_free(tl_registry_cert *items, size_t n)
{
    size_t i;
    for (i = 0; items && i < n; i++)
        free(items[i].pem);
    free(items);
}

tl_registry_status tl_registry_principal_lookup(tl_registry *r, const char *cert_id,
                                                tl_registry_principal *out)
{
    sqlite3_stmt *st;
    tl_registry_status s;
    size_t nd = 0;
    int cur;

    memset(out, 0, sizeof *out);
    tl_registry__ok(r);
    if ((s = check_id(r, cert_id)) != TL_REG_OK)
        return s;
    /* One read transaction, so status, things and policies agree. Every
     * connection to the broker comes here: the statements stay prepared. */
    if (!(st = tl_registry__cached(r, "BEGIN")) || sqlite3_step(st) != SQLITE_DONE)
        return tl_registry__db_fail(r, "begin");
    cur = current_status(r, cert_id);
    if (cur < 0) {
        tl_registry__rollback(r);
        return cur == -2 ? TL_REG_INTERNAL
                         : tl_registry__fail(r, TL_REG_NOT_FOUND,
                                             "The certificate %s does not exist", cert_id);
    }
    strcpy(out->id, cert_id);
    out->status = (tl_registry_cert_status)cur;
    st = tl_registry__cached(r, "SELECT thing FROM thing_principals WHERE cert_id = ?"
                                 " ORDER BY thing");
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, cert_id, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, &out->things, &out->nthings);
    sqlite3_reset(st);
    if (s != TL_REG_OK)
        goto fail;
    st = tl_registry__cached(r, "SELECT p.name FROM policy_targets t JOIN policies p"
                                 " ON p.name = t.policy WHERE t.cert_id = ? ORDER BY p.name");
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, cert_id, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, &out->policy_names, &out->npolicies);
    sqlite3_reset(st);
    if (s != TL_REG_OK)
        goto fail;
    st = tl_registry__cached(r, "SELECT p.document FROM policy_targets t JOIN policies p"
                                 " ON p.name = t.policy WHERE t.cert_id = ? ORDER BY p.name");
    if (!st)
        goto fail;
    sqlite3_bind_text(st, 1, cert_id, -1, SQLITE_TRANSIENT);
    s = tl_registry__collect(r, st, &out->policy_documents, &nd);
    sqlite3_reset(st);
    if (s != TL_REG_OK || nd != out->npolicies)
        goto fail;
    st = tl_registry__cached(r, "ROLLBACK");   /* read-only: ending it is all that is left */
    if (st && sqlite3_step(st) == SQLITE_DONE)
        return TL_REG_OK;
fail:
    tl_registry__rollback(r);
    tl_registry_strings_free(out->policy_documents, nd);
    out->policy_documents = NULL;
    tl_registry_principal_free(out);
    return r->msg[0] ? TL_REG_INTERNAL
                     : tl_registry__fail(r, TL_REG_INTERNAL, "principal lookup failed");
}

void tl_registry_principal_free(tl_registry_principal *p)
{
    if (!p)
        return;
    tl_registry_strings_free(p->things, p->nthings);
    tl_registry_strings_free(p->policy_names, p->npolicies);
    tl_registry_strings_free(p->policy_documents, p->policy_documents ? p->npolicies : 0);
    p->things = p->policy_names = p->policy_documents = NULL;
    p->nthings = p->npolicies = 0;
}
