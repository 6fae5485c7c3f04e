/*
 * Internals shared by the tl_registry_*.c files: the handle, error helpers,
 * transactions. Not part of the registry's contract.
 */
#ifndef TL_REGISTRY_INTERNAL_H
#define TL_REGISTRY_INTERNAL_H

#include <sqlite3.h>

#include "tl_registry.h"

#define TL_REGISTRY__CACHED 8

struct tl_registry {
    sqlite3 *db;
    char msg[512];     /* message of the last failure, "" after success */
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cached[TL_REGISTRY__CACHED];   /* see tl_registry__cached */
};

/* Record a failure message and return st. */
tl_registry_status tl_registry__fail(tl_registry *r, tl_registry_status st,
                                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record SQLite's message for a failed step as an internal failure. */
tl_registry_status tl_registry__db_fail(tl_registry *r, const char *what);

/* Clear the message at the start of an operation. */
void tl_registry__ok(tl_registry *r);

/* Prepare a constant statement; NULL with the message recorded. */
sqlite3_stmt *tl_registry__prepare(tl_registry *r, const char *sql);

/*
 * The statement for sql kept prepared across calls, reset and unbound: for
 * the broker's per-connection path, where parsing SQL cost more than running
 * it. sql must be a string literal (its address is the key). Use it and then
 * sqlite3_reset it; never finalize it (tl_registry_close does). NULL with the
 * message recorded.
 */
sqlite3_stmt *tl_registry__cached(tl_registry *r, const char *sql);

/* BEGIN IMMEDIATE (the write lock is taken up front, so two writers never
 * deadlock upgrading read locks), COMMIT, ROLLBACK. */
tl_registry_status tl_registry__begin(tl_registry *r);
tl_registry_status tl_registry__commit(tl_registry *r);
void tl_registry__rollback(tl_registry *r);

/* Finish an operation that ran inside a transaction: commit on TL_REG_OK,
 * roll back otherwise; returns the final status. */
tl_registry_status tl_registry__end(tl_registry *r, tl_registry_status st);

/* Run a write statement with one or two text parameters (b NULL when the
 * statement has one). */
tl_registry_status tl_registry__run(tl_registry *r, const char *sql, const char *a,
                                    const char *b);

long long tl_registry__now(void);
char *tl_registry__strdup(const char *s);

/* Step stmt to the end, collecting column 0 of each row as strings. */
/*
 * The start of a paged list: check limit (1..TL_REGISTRY_PAGE_MAX; the error
 * names limit_name), prepare sql ("... WHERE key > ? ORDER BY key LIMIT ?")
 * with after (NULL: from the start) and limit + 1 rows, the extra row saying
 * whether there is a next page; then clear next. after and next may be the
 * same buffer: after is bound (copied) before next is cleared.
 */
tl_registry_status tl_registry__page(tl_registry *r, const char *sql, const char *after,
                                     int limit, const char *limit_name, char *next,
                                     sqlite3_stmt **out);

tl_registry_status tl_registry__collect(tl_registry *r, sqlite3_stmt *st,
                                        char ***v, size_t *n);

/* 1 if a row matches the one-parameter query (text parameter). */
int tl_registry__exists(tl_registry *r, const char *sql, const char *a);

/* Resolve a principal/target to a certificate id that must exist:
 * InvalidRequestException for something that is not a certificate,
 * ResourceNotFoundException for an unknown one. */
tl_registry_status tl_registry__cert_target(tl_registry *r, const char *principal,
                                            char id[TL_REGISTRY_ID_LEN + 1]);

#endif
