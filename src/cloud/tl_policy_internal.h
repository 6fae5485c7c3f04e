/*
 * tl_policy internals shared by tl_policy_parse.c, tl_policy_match.c and
 * tl_policy_eval.c. Not part of the API.
 *
 * A compiled resource is a list of pieces: literal text (in the policy's
 * pool), `*`, `?`, a policy variable, and SEP between the six parts of an
 * ARN. Variables stay pieces (rather than being substituted into a string)
 * so that a value is always literal text, whatever characters it holds, and
 * so that evaluation needs no buffer and has no length limit.
 */
#ifndef TL_POLICY_INTERNAL_H
#define TL_POLICY_INTERNAL_H

#include <stddef.h>

#include "tl_policy.h"

typedef enum {
    TL_POLICY__LIT = 1,  /* off/len: bytes in the pool */
    TL_POLICY__STAR,     /* any run of characters, possibly empty */
    TL_POLICY__QMARK,    /* exactly one character (UTF-8 sequence) */
    TL_POLICY__VAR,      /* off: tl_policy__var, replaced by its value */
    TL_POLICY__SEP       /* ':' between ARN parts */
} tl_policy__piece_kind;

typedef enum {
    TL_POLICY__VAR_CLIENT_ID = 0,
    TL_POLICY__VAR_THING_NAME,
    TL_POLICY__VAR_THING_TYPE,
    TL_POLICY__VAR_IS_ATTACHED,
    TL_POLICY__VAR_COUNT
} tl_policy__var;

/* Number of ARN parts: arn, partition, service, region, account, resource. */
#define TL_POLICY__ARN_PARTS 6

/* Values of the variables for one request; NULL = no value. */
typedef struct {
    const char *val[TL_POLICY__VAR_COUNT];
    size_t len[TL_POLICY__VAR_COUNT];
} tl_policy__vars;

/*
 * Does the piece list p[0..np) (no SEP inside) match all of s[0..n)?
 * `text` is the base of LIT pieces; vars gives VAR values (may be NULL if
 * there are no VAR pieces); fold compares ASCII letters case-insensitively.
 * Iterative, O(n * np) at worst: no exponential backtracking.
 */
int tl_policy__match(const tl_policy__piece *p, size_t np, const char *text,
                     const tl_policy__vars *vars, const char *s, size_t n,
                     int fold);

/*
 * Compile a plain wildcard pattern (an Action) into pieces whose LIT offsets
 * are relative to s. Consecutive `*` collapse into one. Returns the number
 * of pieces, or -1 if more than cap would be needed.
 */
int tl_policy__compile_plain(const char *s, size_t len, tl_policy__piece *out,
                             size_t cap);

/* Bit mask of the known actions matched by an Action pattern (0: none). */
uint32_t tl_policy__action_mask(const char *pattern, size_t len);

/* Is s[0..n) well-formed UTF-8 (structure only: lead and continuation
 * bytes)? Policies must be, so that `?` means one character. */
int tl_policy__utf8_valid(const char *s, size_t n);

/* The tl_policy__var named (case-insensitive, as IAM context keys are),
 * or -1. */
int tl_policy__var_lookup(const char *name, size_t len);

#endif /* TL_POLICY_INTERNAL_H */
