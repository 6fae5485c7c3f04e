/*
 * tl_api_iam: who may call which operation of the local cloud's API, in the
 * shape of AWS IAM identity policies (allow lists only, no Deny, no
 * resource restrictions).
 *
 * Users live in the cloud directory's `credentials` file, which stays an AWS
 * shared credentials file (the AWS CLI and SDKs read it with --profile NAME
 * and ignore the extra key):
 *
 *   [default]                          the first section: the admin, allowed
 *   aws_access_key_id = AKIA...        everything (a trustlink_allow line
 *   aws_secret_access_key = ...        there is refused, so nobody believes
 *                                      the admin is restricted)
 *   [reader]                           every further section: a user named
 *   aws_access_key_id = AKIA...        by the section, allowed only the
 *   aws_secret_access_key = ...        actions listed, comma-separated
 *   trustlink_allow = iot:DescribeEndpoint,iot:Describe*
 *
 * Action patterns match like IAM's Action element: case-insensitive, `*` any
 * run of characters, `?` one character. A pattern that matches none of the
 * actions the API knows (tl_api_iam_known) is refused as a typo.
 *
 * Every API route maps to one action and the ARN it acts on
 * (tl_api_iam_operation), from one table, so a route added without an entry
 * is refused to everyone but the admin instead of being open.
 *
 * Naming: tl_api_iam_* for the pure functions here (no I/O; unit-tested),
 * tl_api_users_* for the parsed credentials file.
 */
#ifndef TL_API_IAM_H
#define TL_API_IAM_H

#include <stddef.h>

#define TL_API_USER_NAME_MAX 64 /* IAM's limit for user names */

typedef struct {
    char *name;   /* the section name */
    char *key_id;
    char *secret;
    char *allow;  /* comma-separated patterns; "*" for the admin */
    int admin;    /* 1 for the first section */
} tl_api_user;

typedef struct {
    tl_api_user *v;
    size_t n;
} tl_api_users;

/*
 * Parse a credentials file. Refused with a message naming the line: no
 * section, a key outside a section, a section without both keys, a duplicate
 * user name or access key id, an invalid user name, a bad or unknown action
 * pattern, trustlink_allow on the admin or missing on another user. out is
 * empty after a failure. 0, or -1 with err.
 */
int tl_api_users_parse(const char *text, tl_api_users *out, char *err, size_t errcap);

/* Free the users, wiping the secrets first. Safe on an empty set. */
void tl_api_users_free(tl_api_users *u);

/* The user with this access key id, or NULL. */
const tl_api_user *tl_api_users_find(const tl_api_users *u, const char *key_id);

/* 1 if name is a valid user name: 1..64 of [A-Za-z0-9+=,.@_-]. */
int tl_api_iam_valid_name(const char *name);

/* 1 if pattern is well formed (`*`, or `iot:` followed by letters, digits,
 * `*` and `?`) and matches at least one known action; else 0 with the reason
 * in err. */
int tl_api_iam_valid_pattern(const char *pattern, char *err, size_t errcap);

/* 1 if pattern matches action (IAM rules above). */
int tl_api_iam_match(const char *pattern, const char *action);

/* 1 if one of the comma-separated patterns in allow matches action. */
int tl_api_iam_allows(const char *allow, const char *action);

/* The actions the API knows (NULL-terminated), e.g. "iot:CreateThing". */
extern const char *const tl_api_iam_known[];

/*
 * The operation a request performs: its action and the ARN of the resource
 * ("*" for account-wide operations such as the List calls, as AWS's service
 * authorization reference has them). path is without the query; body (may be
 * NULL) supplies AttachPolicy's/DetachPolicy's target. 0, or -1 if no route
 * matches method and path.
 */
int tl_api_iam_operation(const char *method, const char *path, const char *body,
                         size_t body_len, const char *region, const char *account,
                         char *action, size_t actioncap, char *arn, size_t arncap);

#endif
