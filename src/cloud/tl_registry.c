/* tl_registry: opening the database, schema, errors, names, transactions. */
#define _POSIX_C_SOURCE 200809L
#include "tl_registry_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The schema. Foreign keys back up the checks the code makes itself, so that
 * a bug can never leave an attachment pointing at nothing. user_version
 * numbers the schema for later migrations.
 */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS certificates ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  pem TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN"
    "    ('ACTIVE','INACTIVE','REVOKED','PENDING_TRANSFER')),"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS things ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  attributes TEXT NOT NULL DEFAULT '{}',"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS policies ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  document TEXT NOT NULL,"
    "  version INTEGER NOT NULL DEFAULT 1,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS policy_targets ("
    "  policy TEXT NOT NULL REFERENCES policies(name),"
    "  cert_id TEXT NOT NULL REFERENCES certificates(id),"
    "  PRIMARY KEY (policy, cert_id));"
    "CREATE INDEX IF NOT EXISTS policy_targets_cert ON policy_targets(cert_id);"
    "CREATE TABLE IF NOT EXISTS thing_principals ("
    "  thing TEXT NOT NULL REFERENCES things(name),"
    "  cert_id TEXT NOT NULL REFERENCES certificates(id),"
    "  PRIMARY KEY (thing, cert_id));"
    "CREATE INDEX IF NOT EXISTS thing_principals_cert ON thing_principals(cert_id);"
    "CREATE TABLE IF NOT EXISTS shadows ("
    "  thing TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  document TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  PRIMARY KEY (thing, name));"
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  topic TEXT NOT NULL,"
    "  payload BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS mqtt_sessions ("
    "  client_id TEXT PRIMARY KEY,"
    "  cert_id TEXT NOT NULL);"
    "PRAGMA user_version = 1;";

tl_registry_status tl_registry__fail(tl_registry *r, tl_registry_status st,
                                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    return st;
}

tl_registry_status tl_registry__db_fail(tl_registry *r, const char *what)
{
    return tl_registry__fail(r, TL_REG_INTERNAL, "%s: %s", what, sqlite3_errmsg(r->db));
}

void tl_registry__ok(tl_registry *r)
{
    r->msg[0] = '\0';
}

sqlite3_stmt *tl_registry__prepare(tl_registry *r, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
        tl_registry__db_fail(r, "prepare");
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *tl_registry__cached(tl_registry *r, const char *sql)
{
    size_t i;
    for (i = 0; i < TL_REGISTRY__CACHED && r->cached[i].sql; i++) {
        if (r->cached[i].sql == sql) {
            sqlite3_reset(r->cached[i].st);
            sqlite3_clear_bindings(r->cached[i].st);
            return r->cached[i].st;
        }
    }
    if (i == TL_REGISTRY__CACHED) {
        tl_registry__fail(r, TL_REG_INTERNAL, "statement cache full");
        return NULL;
    }
    if (sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &r->cached[i].st, NULL) !=
        SQLITE_OK) {
        tl_registry__db_fail(r, "prepare");
        sqlite3_finalize(r->cached[i].st);
        r->cached[i].st = NULL;
        return NULL;
    }
    r->cached[i].sql = sql;
    return r->cached[i].st;
}

tl_registry_status tl_registry__begin(tl_registry *r)
{
    if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return tl_registry__db_fail(r, "begin");
    return TL_REG_OK;
}

tl_registry_status tl_registry__commit(tl_registry *r)
{
    if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        tl_registry_status st = tl_registry__db_fail(r, "commit");
        tl_registry__rollback(r);
        return st;
    }
    return TL_REG_OK;
}

void tl_registry__rollback(tl_registry *r)
{
    if (!sqlite3_get_autocommit(r->db))
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

tl_registry_status tl_registry__end(tl_registry *r, tl_registry_status st)
{
    if (st == TL_REG_OK)
        return tl_registry__commit(r);
    tl_registry__rollback(r);
    return st;
}

tl_registry_status tl_registry__run(tl_registry *r, const char *sql, const char *a,
                                    const char *b)
{
    sqlite3_stmt *st = tl_registry__prepare(r, sql);
    tl_registry_status s;
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    s = sqlite3_step(st) == SQLITE_DONE ? TL_REG_OK : tl_registry__db_fail(r, "write");
    sqlite3_finalize(st);
    return s;
}

long long tl_registry__now(void)
{
    return (long long)time(NULL);
}

char *tl_registry__strdup(const char *s)
{
    size_t n = strlen(s ? s : "");
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s ? s : "", n + 1);
    return d;
}

tl_registry_status tl_registry__page(tl_registry *r, const char *sql, const char *after,
                                     int limit, const char *limit_name, char *next,
                                     sqlite3_stmt **out)
{
    *out = NULL;
    tl_registry__ok(r);
    if (limit < 1 || limit > TL_REGISTRY_PAGE_MAX)
        return tl_registry__fail(r, TL_REG_INVALID, "%s must be 1 to %d", limit_name,
                                 TL_REGISTRY_PAGE_MAX);
    if (!(*out = tl_registry__prepare(r, sql)))
        return TL_REG_INTERNAL;
    sqlite3_bind_text(*out, 1, after ? after : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(*out, 2, limit + 1);
    next[0] = '\0';
    return TL_REG_OK;
}

tl_registry_status tl_registry__collect(tl_registry *r, sqlite3_stmt *st, char ***v, size_t *n)
{
    size_t cap = 0;
    int rc;
    *v = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *s;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **nv = realloc(*v, ncap * sizeof *nv);
            if (!nv)
                goto oom;
            *v = nv;
            cap = ncap;
        }
        if (!(s = tl_registry__strdup((const char *)sqlite3_column_text(st, 0))))
            goto oom;
        (*v)[(*n)++] = s;
    }
    if (rc == SQLITE_DONE)
        return TL_REG_OK;
    tl_registry_strings_free(*v, *n);
    *v = NULL;
    *n = 0;
    return tl_registry__db_fail(r, "query");
oom:
    tl_registry_strings_free(*v, *n);
    *v = NULL;
    *n = 0;
    return tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
}

void tl_registry_strings_free(char **v, size_t n)
{
    size_t i;
    for (i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

int tl_registry__exists(tl_registry *r, const char *sql, const char *a)
{
    sqlite3_stmt *st = tl_registry__prepare(r, sql);
    int found;
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    switch (sqlite3_step(st)) {
    case SQLITE_ROW: found = 1; break;
    case SQLITE_DONE: found = 0; break;
    default: found = -1; tl_registry__db_fail(r, "query"); break;   /* busy, I/O */
    }
    sqlite3_finalize(st);
    return found;
}

tl_registry_status tl_registry__cert_target(tl_registry *r, const char *principal,
                                            char id[TL_REGISTRY_ID_LEN + 1])
{
    int found;
    if (tl_registry_parse_cert_principal(principal, id) != 0)
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid principal: expected a certificate ARN or id");
    found = tl_registry__exists(r, "SELECT 1 FROM certificates WHERE id = ?", id);
    if (found < 0)
        return TL_REG_INTERNAL;
    if (!found)
        return tl_registry__fail(r, TL_REG_NOT_FOUND, "The certificate %s does not exist", id);
    return TL_REG_OK;
}

tl_registry_status tl_registry_open(tl_registry **out, const char *path,
                                    char *err, size_t errcap)
{
    tl_registry *r = calloc(1, sizeof *r);
    tl_registry_status st = TL_REG_OK;
    *out = NULL;
    if (!r) {
        snprintf(err, errcap, "out of memory");
        return TL_REG_INTERNAL;
    }
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errcap, "cannot open %s: %s", path,
                 r->db ? sqlite3_errmsg(r->db) : "out of memory");
        tl_registry_close(r);
        return TL_REG_INTERNAL;
    }
    /* The broker plugin and the API share the file: wait for each other's
     * write locks instead of failing, and let readers run beside a writer. */
    sqlite3_busy_timeout(r->db, TL_REGISTRY_BUSY_MS);
    if (sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                            "PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
        (st = tl_registry__begin(r)) != TL_REG_OK ||
        sqlite3_exec(r->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        (st = tl_registry__commit(r)) != TL_REG_OK) {
        snprintf(err, errcap, "%s: cannot set up the registry: %s", path, sqlite3_errmsg(r->db));
        tl_registry__rollback(r);
        tl_registry_close(r);
        return TL_REG_INTERNAL;
    }
    *out = r;
    return st;
}

void tl_registry_close(tl_registry *r)
{
    size_t i;
    if (!r)
        return;
    for (i = 0; i < TL_REGISTRY__CACHED; i++)
        sqlite3_finalize(r->cached[i].st);
    sqlite3_close(r->db);
    free(r);
}

const char *tl_registry_message(const tl_registry *r)
{
    return r->msg;
}

const char *tl_registry_error_name(tl_registry_status st)
{
    switch (st) {
    case TL_REG_OK: return "";
    case TL_REG_ALREADY_EXISTS: return "ResourceAlreadyExistsException";
    case TL_REG_NOT_FOUND: return "ResourceNotFoundException";
    case TL_REG_INVALID: return "InvalidRequestException";
    case TL_REG_DELETE_CONFLICT: return "DeleteConflictException";
    case TL_REG_CERT_STATE: return "CertificateStateException";
    case TL_REG_VERSION_CONFLICT: return "VersionConflictException";
    default: return "InternalFailureException";
    }
}

int tl_registry_http_status(tl_registry_status st)
{
    switch (st) {
    case TL_REG_OK: return 200;
    case TL_REG_ALREADY_EXISTS: return 409;
    case TL_REG_NOT_FOUND: return 404;
    case TL_REG_INVALID: return 400;
    case TL_REG_DELETE_CONFLICT: return 409;
    case TL_REG_CERT_STATE: return 406;
    case TL_REG_VERSION_CONFLICT: return 409;
    default: return 500;
    }
}

static const char *const status_names[] = { "ACTIVE", "INACTIVE", "REVOKED", "PENDING_TRANSFER" };

const char *tl_registry_cert_status_name(tl_registry_cert_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "UNKNOWN";
}

int tl_registry_cert_status_parse(const char *word)
{
    int i;
    for (i = 0; word && i < 4; i++)
        if (strcmp(word, status_names[i]) == 0)
            return i;
    return -1;
}

/* 1..max bytes, each in the allowed set; plain ASCII tests (no locale). */
static int valid_name(const char *s, size_t max, const char *extra)
{
    size_t n = 0;
    if (!s)
        return 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !strchr(extra, c))
            return 0;
        if (n >= max)
            return 0;
    }
    return n >= 1;
}

int tl_registry_valid_thing_name(const char *name)
{
    return valid_name(name, TL_REGISTRY_NAME_MAX, ":_-");
}

int tl_registry_valid_policy_name(const char *name)
{
    /* [\w+=,.@-]: \w is letters, digits and underscore */
    return valid_name(name, TL_REGISTRY_NAME_MAX, "_+=,.@-");
}

int tl_registry_valid_shadow_name(const char *name)
{
    return valid_name(name, TL_REGISTRY_SHADOW_NAME_MAX, ":_-");
}

int tl_registry_parse_cert_principal(const char *p, char id[TL_REGISTRY_ID_LEN + 1])
{
    const char *hex = p;
    size_t i;
    if (!p)
        return -1;
    if (strncmp(p, "arn:", 4) == 0) {
        /* arn:aws:iot:REGION:ACCOUNT:cert/ID (any partition, region, account) */
        const char *c = strstr(p, ":cert/");
        if (!c || strncmp(p, "arn:aws", 7) != 0 || !strstr(p, ":iot:"))
            return -1;
        hex = c + 6;
    }
    if (strlen(hex) != TL_REGISTRY_ID_LEN)
        return -1;
    for (i = 0; i < TL_REGISTRY_ID_LEN; i++) {
        if (!isxdigit((unsigned char)hex[i]))
            return -1;
        id[i] = (char)tolower((unsigned char)hex[i]);
    }
    id[TL_REGISTRY_ID_LEN] = '\0';
    return 0;
}

tl_registry_status tl_registry_count(tl_registry *r, long *things, long *certs, long *policies)
{
    static const char *const sql[3] = { "SELECT count(*) FROM things",
                                        "SELECT count(*) FROM certificates",
                                        "SELECT count(*) FROM policies" };
    long *out[3] = { things, certs, policies };
    int i;
    tl_registry__ok(r);
    for (i = 0; i < 3; i++) {
        sqlite3_stmt *st = tl_registry__prepare(r, sql[i]);
        if (!st)
            return TL_REG_INTERNAL;
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return tl_registry__db_fail(r, "count");
        }
        if (out[i])
            *out[i] = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return TL_REG_OK;
}
