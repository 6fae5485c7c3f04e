/*
 * Internals of `trustlink cloud things|certs|policies|revoke`
 * (cmd_cloud_admin.c, cmd_cloud_admin_certs.c): the registry through the
 * control-plane API, called as the AWS CLI calls it, with tl_aws (SigV4 by
 * libcurl; credentials, region and endpoint from the options, the
 * environment and ~/.aws). The same commands work against the local cloud
 * (after eval "$(trustlink cloud start)", which exports AWS_ENDPOINT_URL and
 * the rest) and against AWS IoT Core.
 *
 * Output: a readable table or list by default; --json prints the API's JSON
 * (pages of a list merged into one array, as the AWS CLI does).
 */
#ifndef TL_CLI_CLOUD_ADMIN_H
#define TL_CLI_CLOUD_ADMIN_H

#include <cjson/cJSON.h>

#include "../provision/tl_aws.h"
#include "tl_cli.h"

/* The options every admin command takes, first in its option table. */
#define TL_CLI_ADMIN_OPTS                                                                    \
    { "endpoint-url", 0, "URL", "API endpoint (default $AWS_ENDPOINT_URL, else AWS IoT)" },  \
    { "profile", 0, "NAME", "credentials profile in ~/.aws (default: environment first)" }, \
    { "region", 0, "REGION", "region (default $AWS_REGION, else the profile's)" }

/*
 * Parse the arguments (exactly npos positional ones, named by what in the
 * usage error) and set up the API client. 1 to go on; 0 to stop with *rc the
 * exit code (help printed, usage error, no credentials).
 */
int tl_cli_admin_begin(tl_cli *cli, tl_cli_args *a, const char *prog, const tl_cli_help *help,
                       int argc, char **argv, int npos, const char *what, tl_aws_client *c,
                       int *rc);

/*
 * One signed request. 0 with *out the parsed response ({} for an empty
 * body; free with cJSON_Delete), or TL_CLI_EXIT_FAIL after printing
 * "trustlink: <action>: <why>" (the API's status, error name and message,
 * or why no answer came).
 */
int tl_cli_admin_call(tl_aws_client *c, const char *action, const char *method,
                      const char *path, const char *body, const char *const *headers,
                      cJSON **out);

/*
 * Every page of a list: GET path (which may carry a query), then again with
 * token_param=<the response's next_key> until there is none. *out is
 * {"<key>": [all items]}. 0 or TL_CLI_EXIT_FAIL (printed).
 */
int tl_cli_admin_list(tl_aws_client *c, const char *action, const char *path, const char *key,
                      const char *token_param, const char *next_key, cJSON **out);

/* Percent-encode a path segment or query value; TL_CLI_EXIT_USAGE (printed,
 * naming what) when it is too long. */
int tl_cli_admin_escape(const char *prog, const char *what, const char *s, char *out,
                        size_t cap);

/* Print o as indented JSON on stdout. */
void tl_cli_admin_print_json(const cJSON *o);

/* A string member, or "" when absent or not a string. */
const char *tl_cli_admin_str(const cJSON *o, const char *key);

/* A member holding Unix seconds as "YYYY-MM-DD HH:MM:SS UTC" ("-" if absent). */
const char *tl_cli_admin_time(const cJSON *o, const char *key, char *buf, size_t cap);

/* The certificate commands and `cloud revoke` (cmd_cloud_admin_certs.c). */
extern const tl_cli_cmd tl_cli_cloud_cert_cmds[];
extern const tl_cli_cmd tl_cli_cloud_policy_cmds[];
int tl_cli_cloud_cmd_revoke(tl_cli *cli, const char *prog, int argc, char **argv);

/* The thing commands (cmd_cloud_admin.c). */
extern const tl_cli_cmd tl_cli_cloud_thing_cmds[];

#endif
