/* tl_api_iam: the users of the credentials file; see tl_api_iam.h. */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_api_iam.h"

#define LINE_MAX_LEN 4096

/* The section being read, before it becomes a user. */
typedef struct {
    char name[TL_API_USER_NAME_MAX + 1];
    char key_id[129];
    char secret[129];
    char allow[LINE_MAX_LEN];
    int has_allow;
    int line; /* of the [name] header */
} section;

/* Secrets are cleared before their memory goes back (volatile: the stores
 * must not be optimized away as dead). */
static void wipe_n(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static void wipe(char *s)
{
    if (s)
        wipe_n(s, strlen(s));
}

void tl_api_users_free(tl_api_users *u)
{
    for (size_t i = 0; i < u->n; i++) {
        wipe(u->v[i].secret);
        free(u->v[i].name);
        free(u->v[i].key_id);
        free(u->v[i].secret);
        free(u->v[i].allow);
    }
    free(u->v);
    u->v = NULL;
    u->n = 0;
}

const tl_api_user *tl_api_users_find(const tl_api_users *u, const char *key_id)
{
    for (size_t i = 0; u && i < u->n; i++)
        if (strcmp(u->v[i].key_id, key_id) == 0)
            return &u->v[i];
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* allow, with the spaces around commas dropped, each pattern checked. */
static int normalize_allow(const char *in, char *out, size_t cap, char *err, size_t errcap)
{
    char one[128], why[256];
    size_t used = 0;
    out[0] = '\0';
    while (*in) {
        size_t n = strcspn(in, ",");
        while (n && (*in == ' ' || *in == '\t'))
            in++, n--;
        size_t k = n;
        while (k && (in[k - 1] == ' ' || in[k - 1] == '\t'))
            k--;
        if (k == 0 || k >= sizeof one) {
            snprintf(err, errcap, k ? "an action is too long" : "an empty action in the list");
            return -1;
        }
        memcpy(one, in, k);
        one[k] = '\0';
        if (!tl_api_iam_valid_pattern(one, why, sizeof why)) {
            snprintf(err, errcap, "%s", why);
            return -1;
        }
        if (used + k + 2 > cap) {
            snprintf(err, errcap, "the action list is too long");
            return -1;
        }
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? "," : "", one);
        in += n;
        if (*in == ',')
            in++;
    }
    if (!used) {
        snprintf(err, errcap, "no action allowed (give at least one, e.g. iot:DescribeEndpoint)");
        return -1;
    }
    return 0;
}

static int add_user(tl_api_users *out, section *s, char *err, size_t errcap)
{
    char allow[LINE_MAX_LEN], why[300];
    int admin = out->n == 0;
    if (!s->key_id[0] || !s->secret[0]) {
        snprintf(err, errcap, "line %d: [%s] needs aws_access_key_id and aws_secret_access_key",
                 s->line, s->name);
        return -1;
    }
    if (admin && s->has_allow) {
        snprintf(err, errcap, "line %d: [%s] is the admin (the first section), allowed "
                 "everything; trustlink_allow there would mislead, remove it", s->line, s->name);
        return -1;
    }
    if (!admin && !s->has_allow) {
        snprintf(err, errcap, "line %d: [%s] has no trustlink_allow line (only the first "
                 "section is the admin)", s->line, s->name);
        return -1;
    }
    if (admin)
        snprintf(allow, sizeof allow, "*");
    else if (normalize_allow(s->allow, allow, sizeof allow, why, sizeof why) != 0) {
        snprintf(err, errcap, "line %d: [%s] trustlink_allow: %s", s->line, s->name, why);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++) {
        if (strcmp(out->v[i].name, s->name) == 0 || strcmp(out->v[i].key_id, s->key_id) == 0) {
            snprintf(err, errcap, "line %d: [%s] repeats the %s of [%s]", s->line, s->name,
                     strcmp(out->v[i].name, s->name) == 0 ? "name" : "access key id",
                     out->v[i].name);
            return -1;
        }
    }
    tl_api_user *v = realloc(out->v, (out->n + 1) * sizeof *v);
    if (!v)
        return snprintf(err, errcap, "out of memory"), -1;
    out->v = v;
    tl_api_user *u = &v[out->n];
    u->name = strdup(s->name);
    u->key_id = strdup(s->key_id);
    u->secret = strdup(s->secret);
    u->allow = strdup(allow);
    u->admin = admin;
    out->n++;
    if (!u->name || !u->key_id || !u->secret || !u->allow)
        return snprintf(err, errcap, "out of memory"), -1;
    return 0;
}

/* A key's value into dst; refused when it is too long or has spaces. */
static int take(char *dst, size_t cap, const char *v, const char *key, int line, char *err,
                size_t errcap)
{
    if (strlen(v) >= cap || strpbrk(v, " \t")) {
        snprintf(err, errcap, "line %d: %s is %s", line, key,
                 strlen(v) >= cap ? "too long" : "not one word");
        return -1;
    }
    snprintf(dst, cap, "%s", v);
    return 0;
}

static int parse_line(tl_api_users *out, section *s, int *in_section, char *line, int no,
                      char *err, size_t errcap)
{
    char *p = trim(line);
    if (!*p || *p == '#' || *p == ';')
        return 0;
    if (*p == '[') {
        size_t n = strlen(p);
        if (p[n - 1] != ']') {
            snprintf(err, errcap, "line %d: a section header must end with ]", no);
            return -1;
        }
        p[n - 1] = '\0';
        p = trim(p + 1);
        if (!tl_api_iam_valid_name(p)) {
            snprintf(err, errcap, "line %d: user name \"%.64s\" must be 1-64 of A-Z a-z 0-9 "
                     "+=,.@_-", no, p);
            return -1;
        }
        if (*in_section && add_user(out, s, err, errcap) != 0)
            return -1;
        memset(s, 0, sizeof *s);
        snprintf(s->name, sizeof s->name, "%s", p);
        s->line = no;
        *in_section = 1;
        return 0;
    }
    char *eq = strchr(p, '=');
    if (!eq) {
        snprintf(err, errcap, "line %d: expected [name] or key = value", no);
        return -1;
    }
    *eq = '\0';
    char *key = trim(p), *val = trim(eq + 1);
    if (!*in_section) {
        snprintf(err, errcap, "line %d: %.40s comes before any [section]", no, key);
        return -1;
    }
    if (strcmp(key, "aws_access_key_id") == 0)
        return take(s->key_id, sizeof s->key_id, val, key, no, err, errcap);
    if (strcmp(key, "aws_secret_access_key") == 0)
        return take(s->secret, sizeof s->secret, val, key, no, err, errcap);
    if (strcmp(key, "trustlink_allow") == 0) {
        s->has_allow = 1;
        snprintf(s->allow, sizeof s->allow, "%s", val);
    }
    return 0; /* other keys (region, ...) are the AWS tools' business */
}

int tl_api_users_parse(const char *text, tl_api_users *out, char *err, size_t errcap)
{
    section s;
    char line[LINE_MAX_LEN];
    int in_section = 0, no = 0, rc = 0;
    out->v = NULL;
    out->n = 0;
    memset(&s, 0, sizeof s);
    while (*text && rc == 0) {
        size_t n = strcspn(text, "\n");
        no++;
        if (n >= sizeof line) {
            snprintf(err, errcap, "line %d is longer than %d characters", no, LINE_MAX_LEN - 1);
            rc = -1;
            break;
        }
        memcpy(line, text, n);
        line[n] = '\0';
        text += n + (text[n] == '\n');
        rc = parse_line(out, &s, &in_section, line, no, err, errcap);
    }
    if (rc == 0 && !in_section) {
        snprintf(err, errcap, "no [section] with an access key");
        rc = -1;
    }
    if (rc == 0)
        rc = add_user(out, &s, err, errcap);
    wipe_n(&s, sizeof s);
    wipe_n(line, sizeof line);
    if (rc != 0)
        tl_api_users_free(out);
    return rc;
}
