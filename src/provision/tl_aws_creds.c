/* tl_aws: credentials and region from the environment and the AWS CLI's files. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_aws.h"

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

/* Copy src into dst; -1 if it does not fit (a value longer than any real
 * key is refused rather than cut). */
static int copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

static char *trim(char *s)
{
    char *e;
    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/*
 * Look up key in section of an INI file as the AWS CLI writes them. Returns 1
 * found (value in out), 0 not found or no file, -1 with err for a value too
 * long. Lines are "key = value"; '#' and ';' start comments.
 */
static int ini_get(const char *path, const char *section, const char *key, char *out,
                   size_t cap, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int in_section = 0, found = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line), *eq;
        if (*s == '#' || *s == ';' || *s == '\0')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end) {
                *end = '\0';
                in_section = strcmp(trim(s + 1), section) == 0;
            }
            continue;
        }
        if (!in_section || !(eq = strchr(s, '=')))
            continue;
        *eq = '\0';
        if (strcmp(trim(s), key) != 0)
            continue;
        if (copy(out, cap, trim(eq + 1)) != 0) {
            snprintf(err, errcap, "%s: [%s] %s is too long", path, section, key);
            found = -1;
        } else {
            found = 1;
        }
        break;
    }
    fclose(f);
    return found;
}

/* $VAR, else ~/.aws/NAME. */
static void aws_file(char *out, size_t cap, const char *var, const char *name)
{
    const char *v = env(var), *home = env("HOME");
    if (v)
        snprintf(out, cap, "%s", v);
    else
        snprintf(out, cap, "%s/.aws/%s", home ? home : ".", name);
}

static int from_files(tl_aws_creds *c, const char *profile, char *err, size_t errcap)
{
    char cred_path[1024], conf_path[1024], conf_section[200];
    int a, b, t;
    aws_file(cred_path, sizeof cred_path, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    aws_file(conf_path, sizeof conf_path, "AWS_CONFIG_FILE", "config");
    /* The config file names non-default profiles "[profile NAME]". */
    if (strcmp(profile, "default") == 0)
        snprintf(conf_section, sizeof conf_section, "default");
    else
        snprintf(conf_section, sizeof conf_section, "profile %s", profile);
    a = ini_get(cred_path, profile, "aws_access_key_id", c->access_key_id,
                sizeof c->access_key_id, err, errcap);
    b = ini_get(cred_path, profile, "aws_secret_access_key", c->secret_access_key,
                sizeof c->secret_access_key, err, errcap);
    if (a < 0 || b < 0)
        return -1;
    snprintf(c->source, sizeof c->source, "%.250s [%.60s]", cred_path, profile);
    if (a == 0 || b == 0) {
        /* The AWS CLI also accepts keys in the config file. */
        a = ini_get(conf_path, conf_section, "aws_access_key_id", c->access_key_id,
                    sizeof c->access_key_id, err, errcap);
        b = ini_get(conf_path, conf_section, "aws_secret_access_key", c->secret_access_key,
                    sizeof c->secret_access_key, err, errcap);
        if (a < 0 || b < 0)
            return -1;
        snprintf(c->source, sizeof c->source, "%.250s [%.60s]", conf_path, conf_section);
    }
    if (a == 0 || b == 0) {
        snprintf(err, errcap,
                 "no AWS credentials for profile '%s': set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key "
                 "to [%s] in %s", profile, profile, cred_path);
        return -1;
    }
    t = ini_get(cred_path, profile, "aws_session_token", c->session_token,
                sizeof c->session_token, err, errcap);
    if (t < 0)
        return -1;
    if (!c->region[0] &&
        ini_get(conf_path, conf_section, "region", c->region, sizeof c->region, err,
                errcap) < 0)
        return -1;
    return 0;
}

int tl_aws_creds_load(tl_aws_creds *c, const char *profile, const char *region, char *err,
                      size_t errcap)
{
    const char *v;
    memset(c, 0, sizeof *c);
    if (region && region[0]) {
        if (copy(c->region, sizeof c->region, region) != 0) {
            snprintf(err, errcap, "region '%.40s...' is too long", region);
            return -1;
        }
    } else if ((v = env("AWS_REGION")) || (v = env("AWS_DEFAULT_REGION"))) {
        if (copy(c->region, sizeof c->region, v) != 0) {
            snprintf(err, errcap, "AWS_REGION is too long");
            return -1;
        }
    }
    if (!profile && env("AWS_ACCESS_KEY_ID") && env("AWS_SECRET_ACCESS_KEY")) {
        if (copy(c->access_key_id, sizeof c->access_key_id, env("AWS_ACCESS_KEY_ID")) ||
            copy(c->secret_access_key, sizeof c->secret_access_key,
                 env("AWS_SECRET_ACCESS_KEY")) ||
            copy(c->session_token, sizeof c->session_token,
                 env("AWS_SESSION_TOKEN") ? env("AWS_SESSION_TOKEN") : "")) {
            snprintf(err, errcap, "an AWS_* credential variable is too long");
            return -1;
        }
        snprintf(c->source, sizeof c->source, "environment (AWS_ACCESS_KEY_ID)");
    } else {
        if (!profile)
            profile = env("AWS_PROFILE") ? env("AWS_PROFILE") : "default";
        if (from_files(c, profile, err, errcap) != 0)
            return -1;
    }
    if (!c->region[0]) {
        snprintf(err, errcap, "no AWS region: use --aws-region, set AWS_REGION, or add "
                 "region to the profile in ~/.aws/config");
        return -1;
    }
    for (v = c->region; *v; v++)
        if (!isalnum((unsigned char)*v) && *v != '-') {
            snprintf(err, errcap, "region '%s' is not a region name (like us-east-1)",
                     c->region);
            return -1;
        }
    return 0;
}
