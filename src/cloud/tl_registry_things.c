/* tl_registry: things and their attributes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tl_registry_internal.h"

#define ATTR_NAME_MAX 128
#define ATTR_VALUE_MAX 800

/* AWS's attribute name pattern [a-zA-Z0-9_.,@/:#-]+ (values may be empty). */
static int valid_attr_text(const char *s, size_t max, int may_be_empty)
{
    size_t n;
    for (n = 0; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (n >= max ||
            !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("_.,@/:#-", c)))
            return 0;
    }
    return n > 0 || may_be_empty;
}

/* Parse and check an attributes object; NULL input means {}. */
static tl_registry_status parse_attrs(tl_registry *r, const char *json, cJSON **out)
{
    cJSON *o = json ? cJSON_Parse(json) : cJSON_CreateObject();
    const cJSON *it;
    int n = 0;
    *out = NULL;
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return tl_registry__fail(r, TL_REG_INVALID, "attributes must be a JSON object");
    }
    cJSON_ArrayForEach(it, o) {
        if (!cJSON_IsString(it) || !valid_attr_text(it->string, ATTR_NAME_MAX, 0) ||
            !valid_attr_text(it->valuestring, ATTR_VALUE_MAX, 1)) {
            tl_registry_status s = tl_registry__fail(
                r, TL_REG_INVALID, "Invalid attribute '%.128s': names match [a-zA-Z0-9_.,@/:#-]+"
                " (up to %d), values are strings of the same characters (up to %d)",
                it->string ? it->string : "", ATTR_NAME_MAX, ATTR_VALUE_MAX);
            cJSON_Delete(o);
            return s;
        }
        n++;
    }
    if (n > TL_REGISTRY_ATTRS_MAX) {
        cJSON_Delete(o);
        return tl_registry__fail(r, TL_REG_INVALID, "at most %d attributes per thing",
                                 TL_REGISTRY_ATTRS_MAX);
    }
    *out = o;
    return TL_REG_OK;
}

static tl_registry_status check_thing(tl_registry *r, const char *name)
{
    if (!tl_registry_valid_thing_name(name))
        return tl_registry__fail(r, TL_REG_INVALID,
                                 "Invalid thing name: must be 1-128 characters of [a-zA-Z0-9:_-]");
    return TL_REG_OK;
}

/* Read a thing inside the caller's transaction; NOT_FOUND if absent. */
static tl_registry_status read_thing(tl_registry *r, const char *name, tl_registry_thing *t)
{
    sqlite3_stmt *st = tl_registry__prepare(r, "SELECT name, attributes, version, created"
                                               " FROM things WHERE name = ?");
    tl_registry_status s;
    int rc;
    memset(t, 0, sizeof *t);
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->name = tl_registry__strdup((const char *)sqlite3_column_text(st, 0));
        t->attributes = tl_registry__strdup((const char *)sqlite3_column_text(st, 1));
        t->version = sqlite3_column_int64(st, 2);
        t->created = sqlite3_column_int64(st, 3);
        s = t->name && t->attributes ? TL_REG_OK
                                     : tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    } else if (rc == SQLITE_DONE) {
        s = tl_registry__fail(r, TL_REG_NOT_FOUND, "Thing %s cannot be found.", name);
    } else {
        s = tl_registry__db_fail(r, "read thing");
    }
    sqlite3_finalize(st);
    if (s != TL_REG_OK)
        tl_registry_thing_free(t);
    return s;
}

static tl_registry_status insert_thing(tl_registry *r, const char *name, const char *attrs)
{
    sqlite3_stmt *st = tl_registry__prepare(r, "INSERT INTO things (name, attributes, version,"
                                               " created) VALUES (?, ?, 1, ?)");
    tl_registry_status s;
    if (!st)
        return TL_REG_INTERNAL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, attrs, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, tl_registry__now());
    s = sqlite3_step(st) == SQLITE_DONE ? TL_REG_OK : tl_registry__db_fail(r, "insert thing");
    sqlite3_finalize(st);
    return s;
}

tl_registry_status tl_registry_thing_create(tl_registry *r, const char *name,
                                            const char *attributes)
{
    tl_registry_thing old;
    tl_registry_status s;
    cJSON *attrs, *stored;
    char *text;

    tl_registry__ok(r);
    if ((s = check_thing(r, name)) != TL_REG_OK || (s = parse_attrs(r, attributes, &attrs)) != TL_REG_OK)
        return s;
    text = cJSON_PrintUnformatted(attrs);
    if (!text) {
        cJSON_Delete(attrs);
        return tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    }
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        goto out;
    s = read_thing(r, name, &old);
    if (s == TL_REG_OK) {
        /* Same name, same configuration: AWS answers with success. */
        stored = cJSON_Parse(old.attributes);
        s = stored && cJSON_Compare(stored, attrs, 1)
                ? TL_REG_OK
                : tl_registry__fail(r, TL_REG_ALREADY_EXISTS,
                                    "Thing %s already exists in account with different attributes",
                                    name);
        cJSON_Delete(stored);
        tl_registry_thing_free(&old);
    } else if (s == TL_REG_NOT_FOUND) {
        tl_registry__ok(r);
        s = insert_thing(r, name, text);
    }
    s = tl_registry__end(r, s);
out:
    cJSON_free(text);
    cJSON_Delete(attrs);
    return s;
}

tl_registry_status tl_registry_thing_describe(tl_registry *r, const char *name,
                                              tl_registry_thing *out)
{
    tl_registry_status s;
    memset(out, 0, sizeof *out);
    tl_registry__ok(r);
    if ((s = check_thing(r, name)) != TL_REG_OK)
        return s;
    return read_thing(r, name, out);
}

void tl_registry_thing_free(tl_registry_thing *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->attributes);
    t->name = t->attributes = NULL;
}

tl_registry_status tl_registry_thing_update(tl_registry *r, const char *name,
                                            const char *attributes, int merge,
                                            long long expected_version)
{
    tl_registry_thing old;
    tl_registry_status s;
    cJSON *attrs, *result = NULL;
    char *text = NULL;

    tl_registry__ok(r);
    if ((s = check_thing(r, name)) != TL_REG_OK || (s = parse_attrs(r, attributes, &attrs)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK) {
        cJSON_Delete(attrs);
        return s;
    }
    if ((s = read_thing(r, name, &old)) != TL_REG_OK)
        goto done;
    if (expected_version >= 0 && expected_version != old.version) {
        s = tl_registry__fail(r, TL_REG_VERSION_CONFLICT,
                              "The version for thing %s does not match the expected version.",
                              name);
    } else {
        const cJSON *it;
        result = merge ? cJSON_Parse(old.attributes) : cJSON_CreateObject();
        cJSON_ArrayForEach(it, attrs) {
            if (!result)
                break;
            /* An empty value removes the attribute (AWS's rule for merge;
             * without merge it simply is not stored). */
            cJSON_DeleteItemFromObjectCaseSensitive(result, it->string);
            if (it->valuestring[0])
                cJSON_AddStringToObject(result, it->string, it->valuestring);
        }
        if (result && cJSON_GetArraySize(result) > TL_REGISTRY_ATTRS_MAX)
            s = tl_registry__fail(r, TL_REG_INVALID, "at most %d attributes per thing",
                                  TL_REGISTRY_ATTRS_MAX);
        else if (!result || !(text = cJSON_PrintUnformatted(result)))
            s = tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
        else
            s = tl_registry__run(r, "UPDATE things SET attributes = ?2, version = version + 1"
                                    " WHERE name = ?1", name, text);
    }
    tl_registry_thing_free(&old);
done:
    cJSON_free(text);
    cJSON_Delete(result);
    cJSON_Delete(attrs);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_thing_delete(tl_registry *r, const char *name,
                                            long long expected_version)
{
    tl_registry_thing old;
    tl_registry_status s;
    int attached;

    tl_registry__ok(r);
    if ((s = check_thing(r, name)) != TL_REG_OK)
        return s;
    if ((s = tl_registry__begin(r)) != TL_REG_OK)
        return s;
    s = read_thing(r, name, &old);
    if (s == TL_REG_NOT_FOUND) {
        /* AWS: deleting a thing that does not exist succeeds. */
        tl_registry__ok(r);
        return tl_registry__end(r, TL_REG_OK);
    }
    if (s != TL_REG_OK)
        return tl_registry__end(r, s);
    if (expected_version >= 0 && expected_version != old.version)
        s = tl_registry__fail(r, TL_REG_VERSION_CONFLICT,
                              "The version for thing %s does not match the expected version.",
                              name);
    tl_registry_thing_free(&old);
    if (s != TL_REG_OK)
        return tl_registry__end(r, s);
    attached = tl_registry__exists(r, "SELECT 1 FROM thing_principals WHERE thing = ?", name);
    if (attached != 0)
        return tl_registry__end(r, attached < 0 ? TL_REG_INTERNAL
                                   : tl_registry__fail(r, TL_REG_INVALID,
                                                       "Cannot delete thing %s: principals are "
                                                       "attached; detach them first", name));
    s = tl_registry__run(r, "DELETE FROM shadows WHERE thing = ?", name, NULL);
    if (s == TL_REG_OK)
        s = tl_registry__run(r, "DELETE FROM things WHERE name = ?", name, NULL);
    return tl_registry__end(r, s);
}

tl_registry_status tl_registry_thing_list(tl_registry *r, const char *after, int limit,
                                          tl_registry_thing **items, size_t *n, char *next)
{
    sqlite3_stmt *st;
    tl_registry_thing *v;
    tl_registry_status s;
    size_t k = 0;
    int rc;

    *items = NULL;
    *n = 0;
    s = tl_registry__page(r, "SELECT name, attributes, version, created FROM things"
                             " WHERE name > ? ORDER BY name LIMIT ?", after, limit, "maxResults",
                          next, &st);
    if (s != TL_REG_OK)
        return s;
    if (!(v = calloc((size_t)limit, sizeof *v))) {
        sqlite3_finalize(st);
        return tl_registry__fail(r, TL_REG_INTERNAL, "out of memory");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == (size_t)limit) {
            strcpy(next, v[k - 1].name);
            break;
        }
        v[k].name = tl_registry__strdup((const char *)sqlite3_column_text(st, 0));
        v[k].attributes = tl_registry__strdup((const char *)sqlite3_column_text(st, 1));
        v[k].version = sqlite3_column_int64(st, 2);
        v[k].created = sqlite3_column_int64(st, 3);
        k++;
        if (!v[k - 1].name || !v[k - 1].attributes) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        tl_registry_thing_list_free(v, k);
        next[0] = '\0';
        return tl_registry__fail(r, TL_REG_INTERNAL, "list things failed");
    }
    *items = v;
    *n = k;
    return TL_REG_OK;
}

void tl_registry_thing_list_free(tl_registry_thing *items, size_t n)
{
    size_t i;
    for (i = 0; items && i < n; i++)
        tl_registry_thing_free(&items[i]);
    free(items);
}
