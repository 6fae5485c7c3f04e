/*
 * tl_aws_topic: AWS IoT's reserved shadow topics, parsed and built.
 *
 *   $aws/things/<thing>/shadow/<op>[/<suffix>]
 *   $aws/things/<thing>/shadow/name/<shadow>/<op>[/<suffix>]
 * with <op> one of get, update, delete and <suffix> one of accepted,
 * rejected (all ops), delta, documents (update only). Requests have no
 * suffix; responses are published by the shadow service only.
 */
#ifndef TL_AWS_TOPIC_H
#define TL_AWS_TOPIC_H

#include <stddef.h>

#define TL_AWS_THING_MAX 128
#define TL_AWS_SHADOW_NAME_MAX 64

typedef enum { TL_SHADOW_OP_GET, TL_SHADOW_OP_UPDATE, TL_SHADOW_OP_DELETE } tl_shadow_op;

typedef enum {
    TL_SHADOW_SUFFIX_NONE,       /* a request */
    TL_SHADOW_SUFFIX_ACCEPTED,
    TL_SHADOW_SUFFIX_REJECTED,
    TL_SHADOW_SUFFIX_DELTA,
    TL_SHADOW_SUFFIX_DOCUMENTS
} tl_shadow_suffix;

typedef struct {
    char thing[TL_AWS_THING_MAX + 1];
    char shadow[TL_AWS_SHADOW_NAME_MAX + 1];   /* "" for the classic shadow */
    tl_shadow_op op;
    tl_shadow_suffix suffix;
} tl_shadow_topic;

/*
 * Parse a topic. Returns 1 if it is a shadow topic (filled into *t), 0 if it
 * is not under $aws/things/+/shadow, -1 if it is but is malformed (unknown
 * operation, empty or over-long names, bad characters).
 */
int tl_aws_shadow_topic_parse(const char *topic, tl_shadow_topic *t);

/* Build the topic for thing/shadow/op/suffix into out; -1 if it does not fit. */
int tl_aws_shadow_topic_build(const char *thing, const char *shadow, tl_shadow_op op,
                              tl_shadow_suffix suffix, char *out, size_t cap);

/* 1 if name is a valid thing name: 1-128 of [a-zA-Z0-9:_-]. */
int tl_aws_thing_name_valid(const char *name, size_t len);

/* 1 if name is a valid shadow name: 1-64 of [a-zA-Z0-9:_-]. */
int tl_aws_shadow_name_valid(const char *name, size_t len);

#endif
