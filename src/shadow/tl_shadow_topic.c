/* Shadow names, topics and status texts. */
#include <string.h>

#include "tl_shadow_internal.h"

static const char *const status_names[] = {
#define TL_SHADOW__NAME(name, msg) #name,
    TL_SHADOW_STATUSES(TL_SHADOW__NAME)
#undef TL_SHADOW__NAME
};

#if TL_SHADOW_STATUS_TEXT
static const char *const status_texts[] = {
#define TL_SHADOW__TEXT(name, msg) msg,
    TL_SHADOW_STATUSES(TL_SHADOW__TEXT)
#undef TL_SHADOW__TEXT
};
#else
#define status_texts status_names
#endif

const char *tl_shadow_status_name(tl_shadow_status st)
{
    return (unsigned)st < TL_SHADOW__STATUS_COUNT ? status_names[st] : "UNKNOWN";
}

const char *tl_shadow_status_text(tl_shadow_status st)
{
    return (unsigned)st < TL_SHADOW__STATUS_COUNT ? status_texts[st] : "unknown status";
}

static const char *const action_names[] = { "get", "update", "delete" };
static const char *const kind_names[] = { "", "accepted", "rejected", "delta", "documents" };

const char *tl_shadow_action_name(tl_shadow_action a)
{
    return (unsigned)a <= TL_SHADOW_DELETE ? action_names[a] : "?";
}

/* AWS allows the same characters in thing and shadow names. */
static int name_ok(const char *s, size_t len, size_t max)
{
    size_t i;
    if (!s || len == 0 || len > max)
        return 0;
    for (i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == ':' || ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

int tl_shadow_thing_name_valid(const char *name, size_t len)
{
    return name_ok(name, len, TL_SHADOW_THING_MAX);
}

int tl_shadow_name_valid(const char *name, size_t len)
{
    return name_ok(name, len, TL_SHADOW_NAME_MAX);
}

/* Append s to out at *o, keeping room for the NUL; 0 if it does not fit. */
static int put(char *out, size_t cap, size_t *o, const char *s)
{
    size_t n = strlen(s);
    if (*o + n >= cap)
        return 0;
    memcpy(out + *o, s, n);
    *o += n;
    return 1;
}

long tl_shadow_build_topic(const char *thing, const char *shadow, tl_shadow_action action,
                           tl_shadow_topic_kind kind, char *out, size_t cap)
{
    size_t o = 0;
    int named = shadow && shadow[0];
    if (!out || cap == 0 || !thing || !tl_shadow_thing_name_valid(thing, strlen(thing)) ||
        (named && !tl_shadow_name_valid(shadow, strlen(shadow))) ||
        (unsigned)action > TL_SHADOW_DELETE || (unsigned)kind > TL_SHADOW_TOPIC_DOCUMENTS)
        return -1;
    if (kind >= TL_SHADOW_TOPIC_DELTA && action != TL_SHADOW_UPDATE)
        return -1;
    if (!put(out, cap, &o, "$aws/things/") || !put(out, cap, &o, thing) ||
        !put(out, cap, &o, "/shadow/"))
        return -1;
    if (named && (!put(out, cap, &o, "name/") || !put(out, cap, &o, shadow) ||
                  !put(out, cap, &o, "/")))
        return -1;
    if (!put(out, cap, &o, action_names[action]))
        return -1;
    if (kind != TL_SHADOW_TOPIC_REQUEST &&
        (!put(out, cap, &o, "/") || !put(out, cap, &o, kind_names[kind])))
        return -1;
    out[o] = '\0';
    return (long)o;
}

/* Does t[0..len) start with s? Advances *p past it. */
static int eat(const char *t, size_t len, size_t *p, const char *s)
{
    size_t n = strlen(s);
    if (len - *p < n || memcmp(t + *p, s, n) != 0)
        return 0;
    *p += n;
    return 1;
}

int tl_shadow__match_topic(const tl_shadow_client *c, const char *topic, size_t len,
                           tl_shadow_action *action, tl_shadow_topic_kind *kind)
{
    size_t p = 0, a;
    unsigned k;
    if (!topic || !eat(topic, len, &p, "$aws/things/") || !eat(topic, len, &p, c->thing) ||
        !eat(topic, len, &p, "/shadow/"))
        return 0;
    if (c->shadow[0] && (!eat(topic, len, &p, "name/") || !eat(topic, len, &p, c->shadow) ||
                         !eat(topic, len, &p, "/")))
        return 0;
    for (a = 0; a <= TL_SHADOW_DELETE; a++) {
        size_t q = p;
        if (!eat(topic, len, &q, action_names[a]) || !eat(topic, len, &q, "/"))
            continue;
        for (k = TL_SHADOW_TOPIC_ACCEPTED; k <= TL_SHADOW_TOPIC_DOCUMENTS; k++) {
            size_t r = q;
            if (k >= TL_SHADOW_TOPIC_DELTA && a != TL_SHADOW_UPDATE)
                break;
            if (eat(topic, len, &r, kind_names[k]) && r == len) {
                *action = (tl_shadow_action)a;
                *kind = (tl_shadow_topic_kind)k;
                return 1;
            }
        }
    }
    return 0;
}
