/* Shadow topics: $aws/things/<thing>/shadow[/name/<shadow>]/<op>[/<suffix>]. */
#include <stdio.h>
#include <string.h>

#include "tl_aws_topic.h"

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ':' || c == '_' || c == '-';
}

static int name_valid(const char *name, size_t len, size_t max)
{
    size_t i;
    if (len == 0 || len > max)
        return 0;
    for (i = 0; i < len; i++)
        if (!name_char(name[i]))
            return 0;
    return 1;
}

int tl_aws_thing_name_valid(const char *name, size_t len)
{
    return name_valid(name, len, TL_AWS_THING_MAX);
}

int tl_aws_shadow_name_valid(const char *name, size_t len)
{
    return name_valid(name, len, TL_AWS_SHADOW_NAME_MAX);
}

/* Next level of a topic: *p points at its start; returns its length and
 * moves *p past the following '/', or to the end. */
static size_t next_level(const char **p)
{
    const char *s = *p, *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    *p = slash ? slash + 1 : s + n;
    return n;
}

static int level_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

int tl_aws_shadow_topic_parse(const char *topic, tl_shadow_topic *t)
{
    static const char prefix[] = "$aws/things/";
    const char *p, *s;
    size_t n;

    if (strncmp(topic, prefix, sizeof prefix - 1) != 0)
        return 0;
    p = topic + sizeof prefix - 1;
    s = p;
    n = next_level(&p);
    if (*p == '\0' && s[n] != '/')
        return 0;                       /* $aws/things/<x> alone */
    {
        const char *q = p;
        size_t m = next_level(&q);
        if (!level_is(p, m, "shadow"))
            return 0;                   /* another $aws/things/<x>/... service */
        if (!tl_aws_thing_name_valid(s, n))
            return -1;
        memcpy(t->thing, s, n);
        t->thing[n] = '\0';
        p = q;
    }
    t->shadow[0] = '\0';
    s = p;
    n = next_level(&p);
    if (level_is(s, n, "name")) {
        s = p;
        n = next_level(&p);
        if (!tl_aws_shadow_name_valid(s, n))
            return -1;
        memcpy(t->shadow, s, n);
        t->shadow[n] = '\0';
        s = p;
        n = next_level(&p);
    }
    if (level_is(s, n, "get"))
        t->op = TL_SHADOW_OP_GET;
    else if (level_is(s, n, "update"))
        t->op = TL_SHADOW_OP_UPDATE;
    else if (level_is(s, n, "delete"))
        t->op = TL_SHADOW_OP_DELETE;
    else
        return -1;
    if (s[n] == '\0') {
        t->suffix = TL_SHADOW_SUFFIX_NONE;
        return 1;
    }
    s = p;
    n = next_level(&p);
    if (*p != '\0' || s[n] != '\0')
        return -1;                      /* anything after the suffix */
    if (level_is(s, n, "accepted"))
        t->suffix = TL_SHADOW_SUFFIX_ACCEPTED;
    else if (level_is(s, n, "rejected"))
        t->suffix = TL_SHADOW_SUFFIX_REJECTED;
    else if (t->op == TL_SHADOW_OP_UPDATE && level_is(s, n, "delta"))
        t->suffix = TL_SHADOW_SUFFIX_DELTA;
    else if (t->op == TL_SHADOW_OP_UPDATE && level_is(s, n, "documents"))
        t->suffix = TL_SHADOW_SUFFIX_DOCUMENTS;
    else
        return -1;
    return 1;
}

int tl_aws_shadow_topic_build(const char *thing, const char *shadow, tl_shadow_op op,
                              tl_shadow_suffix suffix, char *out, size_t cap)
{
    static const char *ops[] = { "get", "update", "delete" };
    static const char *suffixes[] = { "", "/accepted", "/rejected", "/delta", "/documents" };
    int n;
    if (shadow && shadow[0])
        n = snprintf(out, cap, "$aws/things/%s/shadow/name/%s/%s%s", thing, shadow, ops[op],
                     suffixes[suffix]);
    else
        n = snprintf(out, cap, "$aws/things/%s/shadow/%s%s", thing, ops[op], suffixes[suffix]);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}
