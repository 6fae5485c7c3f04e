/*
 * tl_policy document validation and compilation.
 *
 * Strict on purpose: a field we do not understand (Condition, NotAction, a
 * misspelt "Resources") would, if skipped, make a policy grant more or deny
 * less than its author wrote, so every such case is an error naming the
 * field, worded like AWS's MalformedPolicyException.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tl_policy_internal.h"

#define MALFORMED "Policy document is Malformed: "

/* Offsets and counts in tl_policy are 16-bit. */
_Static_assert(TL_POLICY_MAX_CHARS < 65535 && TL_POLICY_MAX_STATEMENTS < 65535 &&
                   TL_POLICY_MAX_RESOURCES < 65535,
               "tl_policy limits must fit in 16 bits");

typedef struct {
    tl_policy *pol;
    tl_policy_error *err;
} ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static tl_policy_status fail(ctx *c, tl_policy_status st, const char *field,
                             const char *fmt, ...)
{
    va_list ap;
    size_t n;
    c->err->status = st;
    snprintf(c->err->field, sizeof c->err->field, "%s", field);
    n = (size_t)snprintf(c->err->message, sizeof c->err->message, "%s", MALFORMED);
    va_start(ap, fmt);
    vsnprintf(c->err->message + n, sizeof c->err->message - n, fmt, ap);
    va_end(ap);
    return st;
}

/* Characters that count against AWS's size limit (all but whitespace
 * between tokens; whitespace inside a string is content), and whether the
 * text holds a NUL, raw or as \u0000, which cJSON would silently cut at. */
static size_t count_chars(const char *d, size_t len, int *has_nul)
{
    size_t i, count = 0;
    int in_str = 0;
    for (i = 0; i < len; i++) {
        char ch = d[i];
        if (ch == '\0')
            *has_nul = 1;
        if (in_str) {
            count++;
            if (ch == '\\' && i + 1 < len) {
                if (d[i + 1] == 'u' && i + 5 < len && memcmp(d + i + 2, "0000", 4) == 0)
                    *has_nul = 1;
                i++;
                count++;
            } else if (ch == '"') {
                in_str = 0;
            }
        } else if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
            count++;
            in_str = ch == '"';
        }
    }
    return count;
}

/* Every member of obj must be in known[] and appear once. */
static tl_policy_status check_members(ctx *c, const cJSON *obj, const char *const *known,
                                      const char *where)
{
    const cJSON *m, *prev;
    size_t k;
    for (m = obj->child; m != NULL; m = m->next) {
        for (k = 0; known[k] != NULL && strcmp(known[k], m->string) != 0; k++)
            ;
        if (known[k] == NULL)
            return fail(c, TL_POLICY_ERR_MALFORMED, where,
                        "unknown field \"%.64s\" in %s", m->string, where);
        for (prev = obj->child; prev != m; prev = prev->next) {
            if (strcmp(prev->string, m->string) == 0)
                return fail(c, TL_POLICY_ERR_MALFORMED, where,
                            "field \"%s\" appears twice in %s", m->string, where);
        }
    }
    return TL_POLICY_OK;
}

static int piece_put(tl_policy *pol, uint8_t kind, uint16_t off, uint16_t len)
{
    if (pol->n_pieces >= TL_POLICY_MAX_CHARS)
        return 0;
    pol->piece[pol->n_pieces].kind = kind;
    pol->piece[pol->n_pieces].off = off;
    pol->piece[pol->n_pieces].len = len;
    pol->n_pieces++;
    return 1;
}

/* One literal byte of a resource, merged into the previous LIT if adjacent. */
static int lit_put(tl_policy *pol, uint16_t first, char ch)
{
    tl_policy__piece *last = pol->n_pieces > first ? &pol->piece[pol->n_pieces - 1] : NULL;
    if (pol->pool_used >= TL_POLICY_MAX_CHARS)
        return 0;
    pol->pool[pol->pool_used++] = ch;
    if (last != NULL && last->kind == TL_POLICY__LIT &&
        last->off + last->len == pol->pool_used - 1) {
        last->len++;
        return 1;
    }
    return piece_put(pol, TL_POLICY__LIT, (uint16_t)(pol->pool_used - 1), 1);
}

/* Does any part of the resource being compiled end with `*`? */
static int star_before_sep(const tl_policy *pol, uint16_t first)
{
    uint16_t i;
    for (i = first; i < pol->n_pieces; i++) {
        if (pol->piece[i].kind == TL_POLICY__STAR &&
            (i + 1 == pol->n_pieces || pol->piece[i + 1].kind == TL_POLICY__SEP))
            return 1;
    }
    return 0;
}

static tl_policy_status compile_resource(ctx *c, const char *s, const char *field)
{
    tl_policy *pol = c->pol;
    tl_policy__resource *r;
    uint16_t first = pol->n_pieces;
    size_t i, seps = 0;
    int ok = 1;

    if (pol->n_resources >= TL_POLICY_MAX_RESOURCES)
        return fail(c, TL_POLICY_ERR_TOO_BIG, field,
                    "too many resources (at most %d per document)", TL_POLICY_MAX_RESOURCES);
    r = &pol->res[pol->n_resources];
    r->vars = 0;
    if (!tl_policy__utf8_valid(s, strlen(s)))
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s is not valid UTF-8", field);
    if (strcmp(s, "*") == 0) {
        ok = piece_put(pol, TL_POLICY__STAR, 0, 0);
    } else if (strncmp(s, "arn:", 4) != 0) {
        return fail(c, TL_POLICY_ERR_MALFORMED, field,
                    "%s: Resource %.128s must be in ARN format or \"*\"", field, s);
    }
    for (i = 0; ok && strcmp(s, "*") != 0 && s[i] != '\0'; i++) {
        char ch = s[i];
        if (ch == '*' || ch == '?') {
            ok = piece_put(pol, ch == '*' ? TL_POLICY__STAR : TL_POLICY__QMARK, 0, 0);
        } else if (ch == ':' && seps < TL_POLICY__ARN_PARTS - 1) {
            seps++;
            ok = piece_put(pol, TL_POLICY__SEP, 0, 0);
        } else if (ch == '$' && s[i + 1] == '{') {
            const char *end = strchr(s + i + 2, '}');
            int v = end ? tl_policy__var_lookup(s + i + 2, (size_t)(end - s - i - 2)) : -1;
            if (end == NULL)
                return fail(c, TL_POLICY_ERR_MALFORMED, field,
                            "%s: policy variable is not closed with '}': %.64s", field, s + i);
            if (v < 0)
                return fail(c, TL_POLICY_ERR_MALFORMED, field,
                            "%s: unsupported policy variable %.*s", field,
                            (int)(end - s - i + 1 > 80 ? 80 : end - s - i + 1), s + i);
            r->vars |= (uint8_t)(1u << v);
            ok = piece_put(pol, TL_POLICY__VAR, (uint16_t)v, 0);
            i = (size_t)(end - s);
        } else if (ch == '$' && s[i + 1] == '(') {
            /* $(*) $(?) $($): the character itself, not a wildcard. */
            if ((s[i + 2] != '*' && s[i + 2] != '?' && s[i + 2] != '$') || s[i + 3] != ')')
                return fail(c, TL_POLICY_ERR_MALFORMED, field,
                            "%s: unknown special character %.4s (use $(*), $(?) or $($))",
                            field, s + i);
            ok = lit_put(pol, first, s[i + 2]);
            i += 3;
        } else {
            ok = lit_put(pol, first, ch);
        }
    }
    if (!ok)
        return fail(c, TL_POLICY_ERR_TOO_BIG, field, "%s: policy is too complex", field);
    /* Fewer than six parts only make sense when a part ending in `*` can
     * stand for the missing ones (IAM: such a `*` expands across colons). */
    if (strcmp(s, "*") != 0 && seps < TL_POLICY__ARN_PARTS - 1 && !star_before_sep(pol, first))
        return fail(c, TL_POLICY_ERR_MALFORMED, field,
                    "%s: Resource %.128s must be in ARN format or \"*\"", field, s);
    r->piece_first = first;
    r->piece_count = (uint16_t)(pol->n_pieces - first);
    pol->n_resources++;
    return TL_POLICY_OK;
}

static tl_policy_status compile_action(ctx *c, tl_policy__statement *st, const char *s,
                                       const char *field)
{
    size_t len = strlen(s);
    uint32_t mask = tl_policy__action_mask(s, len);
    int prefixed = len >= 4 && (s[0] | 0x20) == 'i' && (s[1] | 0x20) == 'o' &&
                   (s[2] | 0x20) == 't' && s[3] == ':';
    if (mask == 0 || (!prefixed && strcmp(s, "*") != 0))
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s: unknown action \"%.64s\"",
                    field, s);
    st->actions |= mask;
    return TL_POLICY_OK;
}

/* Action and Resource: a string or a non-empty array of strings. */
static tl_policy_status each_string(ctx *c, const cJSON *v, const char *field,
                                    tl_policy__statement *st, int is_action)
{
    char item[64];
    const cJSON *e;
    size_t k = 0;
    tl_policy_status rc;
    if (cJSON_IsString(v))
        return is_action ? compile_action(c, st, v->valuestring, field)
                         : compile_resource(c, v->valuestring, field);
    if (!cJSON_IsArray(v))
        return fail(c, TL_POLICY_ERR_MALFORMED, field,
                    "%s must be a string or an array of strings", field);
    if (v->child == NULL)
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s must not be an empty array", field);
    for (e = v->child; e != NULL; e = e->next, k++) {
        snprintf(item, sizeof item, "%s[%zu]", field, k);
        if (!cJSON_IsString(e))
            return fail(c, TL_POLICY_ERR_MALFORMED, item, "%s must be a string", item);
        rc = is_action ? compile_action(c, st, e->valuestring, item)
                       : compile_resource(c, e->valuestring, item);
        if (rc != TL_POLICY_OK)
            return rc;
    }
    return TL_POLICY_OK;
}

static tl_policy_status compile_statement(ctx *c, const cJSON *obj, const char *where)
{
    static const char *const known[] = { "Sid", "Effect", "Action", "Resource",
                                         "Condition", "NotAction", "NotResource",
                                         "Principal", "NotPrincipal", NULL };
    tl_policy *pol = c->pol;
    tl_policy__statement *st = &pol->statement[pol->n_statements];
    const cJSON *m, *eff, *sid;
    char field[64];
    tl_policy_status rc;

    if (!cJSON_IsObject(obj))
        return fail(c, TL_POLICY_ERR_MALFORMED, where, "%s must be an object", where);
    if ((rc = check_members(c, obj, known, where)) != TL_POLICY_OK)
        return rc;
    for (m = obj->child; m != NULL; m = m->next) {
        if (strcmp(m->string, "Condition") == 0 || strncmp(m->string, "Not", 3) == 0 ||
            strcmp(m->string, "Principal") == 0) {
            snprintf(field, sizeof field, "%s.%s", where, m->string);
            return fail(c, TL_POLICY_ERR_UNSUPPORTED, field,
                        "%s is not supported by the trustlink local cloud", field);
        }
    }
    memset(st, 0, sizeof *st);
    st->sid = UINT16_MAX;
    st->res_first = pol->n_resources;
    sid = cJSON_GetObjectItemCaseSensitive(obj, "Sid");
    if (sid != NULL) {
        size_t n = cJSON_IsString(sid) ? strlen(sid->valuestring) : 0;
        snprintf(field, sizeof field, "%s.Sid", where);
        if (!cJSON_IsString(sid))
            return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s must be a string", field);
        if (pol->pool_used + n + 1 > sizeof pol->pool)
            return fail(c, TL_POLICY_ERR_TOO_BIG, field, "%s: policy is too complex", field);
        st->sid = pol->pool_used;
        memcpy(pol->pool + pol->pool_used, sid->valuestring, n + 1);
        pol->pool_used = (uint16_t)(pol->pool_used + n + 1);
    }
    eff = cJSON_GetObjectItemCaseSensitive(obj, "Effect");
    snprintf(field, sizeof field, "%s.Effect", where);
    if (eff == NULL)
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s is required", field);
    if (!cJSON_IsString(eff) ||
        (strcmp(eff->valuestring, "Allow") != 0 && strcmp(eff->valuestring, "Deny") != 0))
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s must be \"Allow\" or \"Deny\"", field);
    st->deny = strcmp(eff->valuestring, "Deny") == 0;
    snprintf(field, sizeof field, "%s.Action", where);
    if ((m = cJSON_GetObjectItemCaseSensitive(obj, "Action")) == NULL)
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s is required", field);
    if ((rc = each_string(c, m, field, st, 1)) != TL_POLICY_OK)
        return rc;
    snprintf(field, sizeof field, "%s.Resource", where);
    if ((m = cJSON_GetObjectItemCaseSensitive(obj, "Resource")) == NULL)
        return fail(c, TL_POLICY_ERR_MALFORMED, field, "%s is required", field);
    if ((rc = each_string(c, m, field, st, 0)) != TL_POLICY_OK)
        return rc;
    st->res_count = (uint16_t)(pol->n_resources - st->res_first);
    pol->n_statements++;
    return TL_POLICY_OK;
}

static tl_policy_status compile_document(ctx *c, const cJSON *root)
{
    static const char *const known[] = { "Version", "Id", "Statement", NULL };
    const cJSON *ver, *id, *stmts, *e;
    char where[32];
    size_t k = 0, count = 0;
    tl_policy_status rc;

    if (!cJSON_IsObject(root))
        return fail(c, TL_POLICY_ERR_MALFORMED, "", "the document must be a JSON object");
    if ((rc = check_members(c, root, known, "the document")) != TL_POLICY_OK) {
        c->err->field[0] = '\0';
        return rc;
    }
    ver = cJSON_GetObjectItemCaseSensitive(root, "Version");
    if (ver == NULL)
        return fail(c, TL_POLICY_ERR_MALFORMED, "Version", "Version is required (\"2012-10-17\")");
    if (!cJSON_IsString(ver))
        return fail(c, TL_POLICY_ERR_MALFORMED, "Version", "Version must be a string");
    if (strcmp(ver->valuestring, "2012-10-17") != 0)
        return fail(c, TL_POLICY_ERR_MALFORMED, "Version",
                    "Version \"%.32s\" is not supported; use \"2012-10-17\"", ver->valuestring);
    id = cJSON_GetObjectItemCaseSensitive(root, "Id");
    if (id != NULL && !cJSON_IsString(id))
        return fail(c, TL_POLICY_ERR_MALFORMED, "Id", "Id must be a string");
    stmts = cJSON_GetObjectItemCaseSensitive(root, "Statement");
    if (stmts == NULL)
        return fail(c, TL_POLICY_ERR_MALFORMED, "Statement", "Statement is required");
    if (cJSON_IsObject(stmts))
        return compile_statement(c, stmts, "Statement");
    if (!cJSON_IsArray(stmts))
        return fail(c, TL_POLICY_ERR_MALFORMED, "Statement",
                    "Statement must be an object or an array of objects");
    for (e = stmts->child; e != NULL; e = e->next)
        count++;
    if (count == 0)
        return fail(c, TL_POLICY_ERR_MALFORMED, "Statement",
                    "Statement must not be an empty array");
    if (count > TL_POLICY_MAX_STATEMENTS)
        return fail(c, TL_POLICY_ERR_TOO_BIG, "Statement",
                    "Statement has %zu entries; at most %d are supported", count,
                    TL_POLICY_MAX_STATEMENTS);
    for (e = stmts->child; e != NULL; e = e->next, k++) {
        snprintf(where, sizeof where, "Statement[%zu]", k);
        if ((rc = compile_statement(c, e, where)) != TL_POLICY_OK)
            return rc;
    }
    return TL_POLICY_OK;
}

tl_policy_status tl_policy_parse(tl_policy *out, const char *doc, size_t len,
                                 tl_policy_error *err)
{
    tl_policy_error scratch;
    ctx c;
    cJSON *root;
    const char *end = NULL;
    size_t chars, i;
    int has_nul = 0;
    tl_policy_status rc;

    c.pol = out;
    c.err = err != NULL ? err : &scratch;
    memset(c.err, 0, sizeof *c.err);
    if (out == NULL || doc == NULL)
        return fail(&c, TL_POLICY_ERR_ARG, "", "no document");
    memset(out, 0, sizeof *out);
    chars = count_chars(doc, len, &has_nul);
    if (chars > TL_POLICY_MAX_CHARS)
        return fail(&c, TL_POLICY_ERR_TOO_BIG, "",
                    "the document has %zu characters without whitespace; the maximum is %d",
                    chars, TL_POLICY_MAX_CHARS);
    if (has_nul)
        return fail(&c, TL_POLICY_ERR_SYNTAX, "", "the document contains a NUL character");
    root = cJSON_ParseWithLengthOpts(doc, len, &end, 0);
    if (root == NULL)
        return fail(&c, TL_POLICY_ERR_SYNTAX, "", "not valid JSON (near byte %zu)",
                    end != NULL && end >= doc ? (size_t)(end - doc) : (size_t)0);
    for (i = (size_t)(end - doc); i < len; i++) {
        if (doc[i] != ' ' && doc[i] != '\t' && doc[i] != '\n' && doc[i] != '\r') {
            cJSON_Delete(root);
            return fail(&c, TL_POLICY_ERR_SYNTAX, "",
                        "not valid JSON (text after the document at byte %zu)", i);
        }
    }
    rc = compile_document(&c, root);
    cJSON_Delete(root);
    if (rc != TL_POLICY_OK)
        memset(out, 0, sizeof *out); /* a half-built policy must allow nothing */
    return rc;
}
