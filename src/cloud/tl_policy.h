/*
 * tl_policy: AWS IoT Core policies for the local cloud (host side, C11).
 *
 * The broker plugin asks this module, for every CONNECT, PUBLISH, SUBSCRIBE
 * and message delivery, whether the policies attached to the client's
 * certificate allow the action on the resource. The answer follows AWS IoT
 * Core (which follows IAM): an explicit Deny in any attached policy wins, an
 * Allow grants, and anything not allowed is denied implicitly.
 *
 * Two steps:
 *   tl_policy_parse()  validates a policy document strictly and compiles it
 *                      into a tl_policy, a plain caller-owned struct with no
 *                      pointers (it can be copied, stored, placed statically).
 *                      A bad document gets one error in AWS's words,
 *                      "Policy document is Malformed: ...", naming the field.
 *   tl_policy_eval()   decides one request against a set of compiled policies.
 *                      Pure, no I/O, no allocation; safe to call concurrently.
 *
 * Supported language (what AWS IoT documents; see the module's tests):
 *   {"Version": "2012-10-17", "Id"?: string,
 *    "Statement": statement | [statement, ...]}
 *   statement = {"Sid"?: string, "Effect": "Allow" | "Deny",
 *                "Action": string | [string, ...],
 *                "Resource": string | [string, ...]}
 *   - Actions are "iot:<Name>" (case-insensitive, as in IAM) from the list in
 *     tl_policy_action, or "*"; `*` and `?` wildcards may stand for part of a
 *     name ("iot:*", "iot:*Shadow"), but each must match a known action.
 *   - Resources are "*" or ARNs "arn:aws:iot:<region>:<account>:<type>/<name>",
 *     types client/, topic/, topicfilter/, thing/ (valid UTF-8). As in IAM,
 *     ARN parts are matched one by one, case-sensitively, with `*` (any run
 *     of characters, `/` included) and `?` (one UTF-8 character) as the only
 *     wildcards, and a `*` that ends a part may also cover the following
 *     parts ("arn:aws:iot:*" is every IoT resource). MQTT's `+` and `#` are
 *     ordinary text in a policy.
 *   - Policy variables in resources: ${iot:ClientId},
 *     ${iot:Connection.Thing.ThingName}, ${iot:Connection.Thing.ThingTypeName},
 *     ${iot:Connection.Thing.IsAttached} ("true"/"false"), names
 *     case-insensitive; and the fixed $(*), $(?), $($) for a literal *, ?, $.
 *     A substituted value is literal text: a client id containing `*` is not
 *     a wildcard. A resource whose variable has no value in the request (no
 *     thing attached, so no ThingName) matches nothing, for Allow and Deny.
 *   - Version is required and must be "2012-10-17" (IAM would read a missing
 *     one as 2008-10-17, where ${...} is plain text; refusing is clearer).
 *   - Not supported, and refused with an error rather than ignored (ignoring
 *     them would grant more than the author meant): Condition, NotAction,
 *     NotResource, Principal, NotPrincipal, other variables.
 *   - The document may be at most TL_POLICY_MAX_CHARS characters not counting
 *     whitespace between JSON tokens (AWS: 2048, "excluding whitespace").
 *
 * Naming: tl_policy_* is the public API; tl_policy__* are internals shared
 * between the module's files (tl_policy_parse.c, tl_policy_match.c,
 * tl_policy_eval.c), declared in tl_policy_internal.h.
 */
#ifndef TL_POLICY_H
#define TL_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* Limits; override with -D. The defaults fit any document AWS accepts. */
#ifndef TL_POLICY_MAX_CHARS
#define TL_POLICY_MAX_CHARS 2048    /* document size without whitespace (AWS) */
#endif
#ifndef TL_POLICY_MAX_STATEMENTS
#define TL_POLICY_MAX_STATEMENTS 64 /* ours: more cannot fit in 2048 chars */
#endif
#ifndef TL_POLICY_MAX_RESOURCES
#define TL_POLICY_MAX_RESOURCES 512 /* ours: 2048 chars hold at most 512 */
#endif
#ifndef TL_POLICY_PARTITION
#define TL_POLICY_PARTITION "aws"   /* ARN partition used by tl_policy_arn() */
#endif

/* The actions a policy can name, as bits of a statement's action mask. */
typedef enum {
    TL_POLICY_CONNECT = 0,              /* iot:Connect, resource client/<id> */
    TL_POLICY_PUBLISH,                  /* iot:Publish, topic/<topic> */
    TL_POLICY_SUBSCRIBE,                /* iot:Subscribe, topicfilter/<filter> */
    TL_POLICY_RECEIVE,                  /* iot:Receive, topic/<topic> */
    TL_POLICY_RETAIN_PUBLISH,           /* iot:RetainPublish, topic/<topic>;
                                           AWS: a retained PUBLISH needs this
                                           and TL_POLICY_PUBLISH (ask both) */
    TL_POLICY_DELETE_CONNECTION,        /* iot:DeleteConnection, client/<id> */
    TL_POLICY_GET_RETAINED_MESSAGE,     /* iot:GetRetainedMessage, topic/<t> */
    TL_POLICY_LIST_RETAINED_MESSAGES,   /* iot:ListRetainedMessages, "*" */
    TL_POLICY_GET_THING_SHADOW,         /* iot:GetThingShadow, thing/<name> */
    TL_POLICY_UPDATE_THING_SHADOW,      /* iot:UpdateThingShadow, thing/<name> */
    TL_POLICY_DELETE_THING_SHADOW,      /* iot:DeleteThingShadow, thing/<name> */
    TL_POLICY_LIST_NAMED_SHADOWS,       /* iot:ListNamedShadowsForThing */
    TL_POLICY_ACTION__COUNT
} tl_policy_action;

/* Resource types, for tl_policy_arn(). */
typedef enum {
    TL_POLICY_RES_CLIENT,       /* client/<client id> */
    TL_POLICY_RES_TOPIC,        /* topic/<topic name> */
    TL_POLICY_RES_TOPICFILTER,  /* topicfilter/<topic filter> */
    TL_POLICY_RES_THING         /* thing/<thing name>[/<shadow name>] */
} tl_policy_resource_kind;

typedef enum {
    TL_POLICY_OK = 0,
    TL_POLICY_ERR_ARG,        /* NULL pointer or similar misuse */
    TL_POLICY_ERR_TOO_BIG,    /* over TL_POLICY_MAX_CHARS or another limit */
    TL_POLICY_ERR_SYNTAX,     /* not JSON */
    TL_POLICY_ERR_MALFORMED,  /* JSON, but not a valid policy */
    TL_POLICY_ERR_UNSUPPORTED /* valid for AWS, not supported here (Condition) */
} tl_policy_status;

typedef enum {
    TL_POLICY_DENY_IMPLICIT = 0, /* no Allow matched (the default) */
    TL_POLICY_ALLOW,             /* an Allow matched and no Deny did */
    TL_POLICY_DENY_EXPLICIT      /* a Deny matched */
} tl_policy_decision;

/* Why a tl_policy_parse() failed. */
typedef struct {
    tl_policy_status status;
    char field[64];     /* e.g. "Statement[1].Action[0]", "" for the document */
    char message[256];  /* "Policy document is Malformed: ..." (full text) */
} tl_policy_error;

/* Internals of a compiled policy; read them only through the functions. */
typedef struct {
    uint8_t kind;       /* tl_policy__piece_kind */
    uint16_t off;       /* LIT: offset in pool; VAR: variable id */
    uint16_t len;       /* LIT: length */
} tl_policy__piece;

typedef struct {
    uint32_t actions;   /* bit per tl_policy_action */
    uint8_t deny;       /* 1 for Effect Deny */
    uint16_t res_first; /* first index in res[] */
    uint16_t res_count;
    uint16_t sid;       /* offset of the Sid in pool, or UINT16_MAX */
} tl_policy__statement;

typedef struct {
    uint16_t piece_first; /* pieces of this resource, in piece[] */
    uint16_t piece_count;
    uint8_t vars;         /* bit per variable used (must all have values) */
} tl_policy__resource;

/* A compiled policy (about 18 KB): owned by the caller, no pointers inside. */
typedef struct {
    uint16_t n_statements, n_resources, n_pieces, pool_used;
    tl_policy__statement statement[TL_POLICY_MAX_STATEMENTS];
    tl_policy__resource res[TL_POLICY_MAX_RESOURCES];
    tl_policy__piece piece[TL_POLICY_MAX_CHARS];
    char pool[TL_POLICY_MAX_CHARS + 1]; /* literal text and Sids, NUL-ended */
} tl_policy;

/* What is being asked. Strings are NUL-terminated; NULL means "no value". */
typedef struct {
    tl_policy_action action;
    const char *resource;        /* full ARN, see tl_policy_arn() */
    const char *client_id;       /* ${iot:ClientId} */
    const char *thing_name;      /* ${iot:Connection.Thing.ThingName}: NULL
                                    when no thing is attached (the caller
                                    decides which thing: AWS takes the one
                                    attached to the certificate, named as
                                    the client id when several are) */
    const char *thing_type_name; /* ${iot:Connection.Thing.ThingTypeName} */
    int thing_attached;          /* ${iot:Connection.Thing.IsAttached} */
} tl_policy_request;

/* Which statement decided (for logs). */
typedef struct {
    size_t policy;     /* index into the policies given to tl_policy_eval */
    size_t statement;  /* index of the statement in that policy */
    const char *sid;   /* its Sid, or NULL */
} tl_policy_reason;

/*
 * Validate and compile a policy document of `len` bytes (need not be
 * NUL-terminated). On success fills *out and returns TL_POLICY_OK; otherwise
 * returns the status, fills *err (if not NULL) and leaves *out unusable (it
 * is cleared to a policy with no statement, which allows nothing).
 * Allocates only temporarily (cJSON) and frees it before returning. Not for
 * concurrent calls: cJSON records parse errors in a global.
 */
tl_policy_status tl_policy_parse(tl_policy *out, const char *doc, size_t len,
                                 tl_policy_error *err);

/*
 * Decide a request against n compiled policies (the ones attached to the
 * certificate; NULL entries are skipped). An explicit Deny in any of them
 * wins over any Allow; without a matching Allow the answer is
 * TL_POLICY_DENY_IMPLICIT, also for malformed requests (NULL resource,
 * unknown action). If why is not NULL and the answer is not implicit, it
 * names the deciding statement (the first Deny, else the first Allow).
 */
tl_policy_decision tl_policy_eval(const tl_policy *const *policies, size_t n,
                                  const tl_policy_request *req,
                                  tl_policy_reason *why);

/* The usual single-policy case of tl_policy_eval(). */
tl_policy_decision tl_policy_eval_one(const tl_policy *policy,
                                      const tl_policy_request *req);

/*
 * Write "arn:aws:iot:<region>:<account>:<kind>/<name>" into buf (size bytes,
 * NUL-terminated). Returns the length written, or -1 if buf is too small or
 * an argument is NULL (buf then holds "" when size > 0).
 */
int tl_policy_arn(char *buf, size_t size, const char *region,
                  const char *account, tl_policy_resource_kind kind,
                  const char *name);

/* "iot:Connect" and so on; NULL for an out-of-range value. */
const char *tl_policy_action_name(tl_policy_action action);

/* The action named (case-insensitive, no wildcards), or -1. */
int tl_policy_action_from_name(const char *name);

/* "ALLOW", "DENY_EXPLICIT", "DENY_IMPLICIT". */
const char *tl_policy_decision_name(tl_policy_decision d);

#endif /* TL_POLICY_H */
