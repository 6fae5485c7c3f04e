/* Shared between the files of src/shadow; not part of the contract. */
#ifndef TL_SHADOW_INTERNAL_H
#define TL_SHADOW_INTERNAL_H

#include "tl_shadow.h"

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

#endif
