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

/* documents last: it is left out without on_documents (TL_SHADOW__SUBS). */
const tl_shadow__sub tl_shadow__subs[8] = {
    { TL_SHADOW_GET, TL_SHADOW_TOPIC_ACCEPTED },    { TL_SHADOW_GET, TL_SHADOW_TOPIC_REJECTED },
    { TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_ACCEPTED }, { TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_REJECTED },
    { TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_DELTA },    { TL_SHADOW_DELETE, TL_SHADOW_TOPIC_ACCEPTED },
    { TL_SHADOW_DELETE, TL_SHADOW_TOPIC_REJECTED }, { TL_SHADOW_UPDATE, TL_SHADOW_TOPIC_DOCUMENTS },
};

const char *tl_shadow_action_name(tl_shadow_action a)
{
    return (unsigned)a <= TL_SHADOW_DELETE ? action_names[a] : "?";
}

int tl_shadow__name_ok(const char *s, size_t len, size_t max, char extra)
{
    size_t i;
    if (!s || len == 0 || len > max)
        return 0;
    for (i = 0; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == ':' || ch == '_' || ch == '-' || ch == extra))
            return 0;
    }
    return 1;
}

/* AWS allows the same characters in thing and shadow names. */
int tl_shadow_thing_name_valid(const char *name, size_t len)
{
    return tl_shadow__name_ok(name, len, TL_SHADOW_THING_MAX, ':');
}

int tl_shadow_name_valid(const char *name, size_t len)
{
    return tl_shadow__name_ok(name, len, TL_SHADOW_NAME_MAX, ':');
}

size_t tl_shadow__suffix(char *out, tl_shadow_action action, tl_shadow_topic_kind kind)
{
    size_t n = strlen(action_names[action]);
    memcpy(out, action_names[action], n);
    if (kind != TL_SHADOW_TOPIC_REQUEST) {
        out[n++] = '/';
        strcpy(out + n, kind_names[kind]);
        n += strlen(kind_names[kind]);
    }
    out[n] = '\0';
    return n;
}

long tl_shadow_build_topic(const char *thing, const char *shadow, tl_shadow_action action,
                           tl_shadow_topic_kind kind, char *out, size_t cap)
{
    char sfx[20];   /* "update/documents" */
    const char *part[6];
    size_t o = 0, i, n;
    int named = shadow && shadow[0];
    if (!out || cap == 0 || !thing || !tl_shadow_thing_name_valid(thing, strlen(thing)) ||
        (named && !tl_shadow_name_valid(shadow, strlen(shadow))) ||
        (unsigned)action > TL_SHADOW_DELETE || (unsigned)kind > TL_SHADOW_TOPIC_DOCUMENTS)
        return -1;
    if (kind >= TL_SHADOW_TOPIC_DELTA && action != TL_SHADOW_UPDATE)
        return -1;
    tl_shadow__suffix(sfx, action, kind);
    part[0] = "$aws/things/";
    part[1] = thing;
    part[2] = named ? "/shadow/name/" : "/shadow/";
    part[3] = named ? shadow : "";
    part[4] = named ? "/" : "";
    part[5] = sfx;
    for (i = 0; i < 6; i++) {
        n = strlen(part[i]);
        if (o + n >= cap)   /* room for the NUL */
            return -1;
        memcpy(out + o, part[i], n);
        o += n;
    }
    out[o] = '\0';
    return (long)o;
}

int tl_shadow__match_topic(const tl_shadow_client *c, const char *topic, size_t len,
                           tl_shadow_action *action, tl_shadow_topic_kind *kind)
{
    char sfx[20];
    size_t p = c->topic_len, i, n;
    if (!topic || len < p || memcmp(topic, c->topic, p) != 0)
        return 0;
    for (i = 0; i < 8; i++) {
        n = tl_shadow__suffix(sfx, (tl_shadow_action)tl_shadow__subs[i].action,
                              (tl_shadow_topic_kind)tl_shadow__subs[i].kind);
        if (len - p == n && memcmp(topic + p, sfx, n) == 0) {
            *action = (tl_shadow_action)tl_shadow__subs[i].action;
            *kind = (tl_shadow_topic_kind)tl_shadow__subs[i].kind;
            return 1;
        }
    }
    return 0;
}
