/*
 * tl_aws: a small client for AWS's REST APIs, as the AWS CLI would call them
 * (host side, C11, libcurl).
 *
 * Requests are signed with Signature Version 4 by libcurl itself
 * (CURLOPT_AWS_SIGV4), so this module only finds the credentials, the region
 * and the endpoint, sends the request and turns AWS's error shape into text.
 * It serves `trustlink aws-iot-setup` and `trustlink cloud things|certs|...`
 * against the real AWS IoT Core and the local cloud alike.
 *
 * Where things come from, in the AWS CLI's order:
 *   credentials  an explicit profile (--profile) from the files; else
 *                AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY [/ AWS_SESSION_TOKEN];
 *                else the profile $AWS_PROFILE (or "default") from
 *                $AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and
 *                $AWS_CONFIG_FILE (~/.aws/config, "[profile NAME]" sections)
 *   region       explicit, else AWS_REGION, AWS_DEFAULT_REGION, the profile's
 *                `region` in the config file
 *   endpoint     explicit (--endpoint-url), else AWS_ENDPOINT_URL_IOT,
 *                AWS_ENDPOINT_URL, else https://iot.REGION.amazonaws.com
 *   CA bundle    AWS_CA_BUNDLE, else the system's
 *
 * Secrets never appear in a message this module writes: errors name the file
 * or variable, never a key.
 */
#ifndef TL_AWS_H
#define TL_AWS_H

#include <stddef.h>

typedef struct {
    char access_key_id[128];
    char secret_access_key[128];
    char session_token[2048];      /* "" when none */
    char region[64];
    char source[320];              /* where the keys came from, for messages */
} tl_aws_creds;

/*
 * Find credentials and region. profile: an explicit profile name or NULL;
 * region: an explicit region or NULL. 0, or -1 with a one-line reason in err
 * ("no AWS credentials: set AWS_ACCESS_KEY_ID ... or ...").
 */
int tl_aws_creds_load(tl_aws_creds *c, const char *profile, const char *region, char *err,
                      size_t errcap);

typedef struct {
    tl_aws_creds creds;
    char endpoint[512];            /* scheme://host[:port], no trailing slash */
    char ca_file[1024];            /* "" = the system's trust store */
    char service[16];              /* SigV4 service name: "iot" */
    long timeout_ms;               /* whole request; default 15000 */
} tl_aws_client;

/*
 * Set up a client for service ("iot"): credentials and region as above,
 * endpoint_url explicit or NULL. 0, or -1 with err.
 */
int tl_aws_client_init(tl_aws_client *c, const char *service, const char *endpoint_url,
                       const char *profile, const char *region, char *err, size_t errcap);

typedef struct {
    long status;                   /* HTTP status; 0 when none came back */
    char *body;                    /* NUL-terminated response body (malloc) */
    size_t body_len;
    char error_type[128];          /* AWS error name ("ResourceNotFoundException"),
                                      "" on 2xx */
    char message[1024];            /* AWS's error message, "" on 2xx */
} tl_aws_response;

/*
 * Send one signed request. path includes the query ("/things/t1",
 * "/certificates?setAsActive=true"); body NULL for none (sent as JSON
 * otherwise); headers: NULL-terminated extra "Name: value" lines or NULL.
 * 0 when a response came back (whatever its status: check resp->status),
 * -1 with err when none did (refused, DNS, TLS, timeout). Free resp with
 * tl_aws_response_free in both cases.
 */
int tl_aws_request(tl_aws_client *c, const char *method, const char *path, const char *body,
                   const char *const *headers, tl_aws_response *resp, char *err,
                   size_t errcap);

void tl_aws_response_free(tl_aws_response *resp);

/*
 * A one-line account of a failed response, for the user: "403
 * AccessDeniedException: User ... is not authorized to perform: iot:CreateThing
 * ..." and, when access was denied, the IAM action that was missing
 * (action names the call's permission, e.g. "iot:CreateThing"; may be NULL).
 */
void tl_aws_describe_error(const tl_aws_response *resp, const char *action, char *out,
                           size_t cap);

/* Percent-encode s for a URL path segment (RFC 3986 unreserved kept). 0, or
 * -1 if it does not fit. */
int tl_aws_escape(const char *s, char *out, size_t cap);

#endif
