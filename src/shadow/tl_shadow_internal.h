/* Shared between the files of src/shadow; not part of the contract. */
#ifndef TL_SHADOW_INTERNAL_H
#define TL_SHADOW_INTERNAL_H

#include "tl_shadow.h"

/* The topics the client subscribes to, in one SUBSCRIBE: the first
 * TL_SHADOW__SUBS(c) of these eight. update/documents, the largest messages
 * (two whole documents), comes last and only with an on_documents. */
typedef struct {
    uint8_t action, kind;   /* tl_shadow_action, tl_shadow_topic_kind */
} tl_shadow__sub;
extern const tl_shadow__sub tl_shadow__subs[8];
#define TL_SHADOW__SUBS(c) ((c)->cb.on_documents ? 8u : 7u)

/* 1 if s[0..len) is 1..max of [A-Za-z0-9:_-] and extra (':' for none). */
int tl_shadow__name_ok(const char *s, size_t len, size_t max, char extra);

/*
 * Write a topic's tail "<action>[/<kind>]" (at most 16 bytes) and a NUL at
 * out; returns its length. The client keeps the topic's head
 * ("$aws/things/<thing>/shadow/[name/<shadow>/]") in c->topic, so each
 * topic it sends or subscribes is that head and one of these tails.
 */
size_t tl_shadow__suffix(char *out, tl_shadow_action action, tl_shadow_topic_kind kind);

/* Record st as the last error and tell on_error (what: the step or topic). */
void tl_shadow__fail(tl_shadow_client *c, tl_shadow_status st, const char *what);

/*
 * Is topic[0..len) one of c's shadow topics? Returns 1 and sets *action and
 * *kind (a response kind, never REQUEST), or 0.
 */
int tl_shadow__match_topic(const tl_shadow_client *c, const char *topic, size_t len,
                           tl_shadow_action *action, tl_shadow_topic_kind *kind);

/* Finish pending request slot i: call on_response with r (whose action,
 * client_token and resync are filled in here) and free the slot. */
void tl_shadow__finish(tl_shadow_client *c, size_t i, tl_shadow_response *r);

/* End with st and no answer the pending requests that are overdue (st
 * ERR_TIMEOUT) or else those of action a. */
void tl_shadow__end(tl_shadow_client *c, tl_shadow_status st, tl_shadow_action a);

#endif
