/* trustlink shadow get|update|delete|watch: the device's Shadow client
 * (src/shadow) over the device MQTT stack (cli_mqtt.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../json/tl_json.h"
#include "../shadow/tl_shadow.h"
#include "cli_mqtt.h"

typedef struct {
    tl_cli_mqtt *m;
    tl_shadow_client sc;
    char tx[TL_SHADOW_STATE_MAX + 512];
    int json;
    const char *what;                    /* "get", "update", "delete" */
    char token[TL_SHADOW_TOKEN_MAX + 1]; /* of the command's request */
    int done, rc, refused;
    long count, events;                  /* watch */
} sh_state;

static const tl_cli_opt common_opts[] = {
    { "name", 'n', "SHADOW", "named shadow (default shadow.name; empty: the classic shadow)" },
    { "thing", 0, "THING", "thing name (default aws.thing_name)" },
    { "timeout", 0, "SECONDS", "give up when there is no answer within SECONDS (default 10)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_opt update_opts[] = {
    { "desired", 0, "JSON", "desired state object, e.g. '{\"led\":\"on\"}'" },
    { "reported", 0, "JSON", "reported state object" },
    { "state", 0, "JSON", "the whole state object: {\"desired\":...,\"reported\":...}" },
    { "version", 0, "N", "apply only if the shadow has version N (else 409 Version conflict)" },
    { "name", 'n', "SHADOW", "named shadow (default shadow.name; empty: the classic shadow)" },
    { "thing", 0, "THING", "thing name (default aws.thing_name)" },
    { "timeout", 0, "SECONDS", "give up when there is no answer within SECONDS (default 10)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_opt watch_opts[] = {
    { "name", 'n', "SHADOW", "named shadow (default shadow.name; empty: the classic shadow)" },
    { "thing", 0, "THING", "thing name (default aws.thing_name)" },
    { "count", 'C', "COUNT", "exit after COUNT events" },
    { "wait", 'W', "SECONDS", "exit with an error if not done within SECONDS" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help get_help = {
    "[--name SHADOW] [--thing THING]",
    "Get the device's shadow over MQTT ($aws/things/THING/shadow[/name/SHADOW]/get)\n"
    "and print its version and state (--json: the accepted document).",
    common_opts, 1 };

static const tl_cli_help update_help = {
    "--desired JSON | --reported JSON | --state JSON [--version N] [--name SHADOW]",
    "Update the device's shadow over MQTT and print the accepted state and new\n"
    "version (--json: the accepted document). A rejected update exits 1 with\n"
    "AWS's code and message, e.g. 409 Version conflict.",
    update_opts, 1 };

static const tl_cli_help delete_help = {
    "[--name SHADOW] [--thing THING]",
    "Delete the device's shadow over MQTT.",
    common_opts, 1 };

static const tl_cli_help watch_help = {
    "[--name SHADOW] [-C COUNT] [-W SECONDS]",
    "Stay connected as the device and print one line per shadow event: each delta\n"
    "(\"version N delta {...}\") and, after every (re)connect, the resynchronising\n"
    "GET (\"version N resync {delta}\", or \"resync (no shadow)\"). --json prints\n"
    "each event as a JSON object.",
    watch_opts, 1 };

/* Print "version N" and each state section (or the raw document). */
static void print_document(const sh_state *s, const tl_shadow_response *r)
{
    static const char *const sections[] = { "desired", "reported", "delta" };
    size_t i;
    if (s->json) {
        printf("%.*s\n", (int)r->document.len, r->document.ptr);
        return;
    }
    if (r->action == TL_SHADOW_DELETE) {
        printf("deleted (version %lu)\n", (unsigned long)r->version);
        return;
    }
    printf("version %lu\n", (unsigned long)r->version);
    for (i = 0; r->state.ptr && i < 3; i++) {
        tl_shadow_span v;
        if (tl_shadow_json_find(r->state, sections[i], &v) == TL_SHADOW_OK)
            printf("%-8s %.*s\n", sections[i], (int)v.len, v.ptr);
    }
}

/* The resync GET's outcome, as a watch event. */
static void print_resync(sh_state *s, const tl_shadow_response *r)
{
    tl_shadow_span d = { "{}", 2 };
    if (r->status == TL_SHADOW_ERR_REJECTED && r->code == 404) {
        printf(s->json ? "{\"event\":\"resync\",\"version\":0,\"shadow\":false}\n"
                       : "resync (no shadow)\n");
    } else if (r->status != TL_SHADOW_OK) {
        fprintf(stderr, "trustlink: shadow resync failed: %s%s%d %s\n",
                tl_shadow_status_text(r->status), r->code ? ": " : "", r->code, r->message);
        return;
    } else {
        if (r->state.ptr)
            (void)tl_shadow_json_object(r->state, "delta", &d);
        if (s->json)
            printf("{\"event\":\"resync\",\"version\":%lu,\"delta\":%.*s}\n",
                   (unsigned long)r->version, (int)d.len, d.ptr);
        else
            printf("version %lu resync %.*s\n", (unsigned long)r->version, (int)d.len, d.ptr);
    }
    fflush(stdout);
    s->events++;
}

static void on_response(void *user, const tl_shadow_response *r)
{
    sh_state *s = user;
    if (r->resync) {
        if (!s->what)
            print_resync(s, r);
        return;
    }
    if (!s->what || strcmp(r->client_token, s->token) != 0)
        return;
    s->done = 1;
    if (r->status == TL_SHADOW_OK) {
        print_document(s, r);
        s->rc = TL_CLI_EXIT_OK;
    } else if (r->status == TL_SHADOW_ERR_REJECTED) {
        s->rc = tl_cli_fail("shadow %s rejected: %d %s", s->what, r->code, r->message);
    } else if (r->status == TL_SHADOW_ERR_TIMEOUT) {
        s->rc = tl_cli_fail("shadow %s: no response from the shadow service", s->what);
    } else {
        s->rc = tl_cli_fail("shadow %s: %s", s->what, tl_shadow_status_text(r->status));
    }
}

static void on_delta(void *user, const tl_shadow_delta *d)
{
    sh_state *s = user;
    if (s->what || d->from_get)   /* the resync line already carries it */
        return;
    if (s->json)
        printf("{\"event\":\"delta\",\"version\":%lu,\"state\":%.*s}\n",
               (unsigned long)d->version, (int)d->state.len, d->state.ptr);
    else
        printf("version %lu delta %.*s\n", (unsigned long)d->version, (int)d->state.len,
               d->state.ptr);
    fflush(stdout);
    s->events++;
}

static void on_error(void *user, tl_shadow_status st, const char *what)
{
    sh_state *s = user;
    if (st == TL_SHADOW_ERR_SUBSCRIBE) {
        s->refused = 1;
        tl_cli_fail("the broker refused the subscriptions to $aws/things/%s/shadow/... "
                    "(does the policy allow iot:Subscribe to them?)", s->sc.thing);
    } else if (st == TL_SHADOW_ERR_MQTT) {
        tl_cli_fail("shadow %s: %s", what,
                    tl_mqtt_client_status_text((tl_mqtt_client_status)s->sc.mqtt_error));
    } else {
        tl_cli_fail("shadow %s message refused: %s", what, tl_shadow_status_text(st));
    }
}

/* MQTT callbacks (user is the tl_cli_mqtt) feeding the shadow client. */
static void mq_connected(void *user, int session_present)
{
    sh_state *s = ((tl_cli_mqtt *)user)->app;
    (void)session_present;
    (void)tl_shadow_on_connect(&s->sc);
}

static void mq_suback(void *user, uint16_t id, const uint8_t *codes, size_t n)
{
    sh_state *s = ((tl_cli_mqtt *)user)->app;
    (void)tl_shadow_handle_suback(&s->sc, id, codes, n);
}

static void mq_message(void *user, const tl_mqtt_publish *p)
{
    sh_state *s = ((tl_cli_mqtt *)user)->app;
    (void)tl_shadow_handle_publish(&s->sc, p->topic.ptr, p->topic.len, p->payload,
                                   p->payload_len);
}

/* Config, names, MQTT session and shadow client: ready to poll. */
static int sh_open(tl_cli *cli, sh_state *s, const tl_cli_args *a, uint32_t timeout_ms)
{
    tl_config cfg;
    tl_mqtt_callbacks cb;
    tl_shadow_config sc;
    tl_shadow_callbacks scb = { on_response, on_delta, NULL, on_error, s };
    tl_shadow_io io;
    const char *thing = tl_cli_opt_value(a, "thing"), *name = tl_cli_opt_value(a, "name");
    int r;
    if ((r = tl_cli_load_config(cli, &cfg, 1)) != 0)
        return r;
    if (!thing)
        thing = tl_config_str(&cfg, TL_CFG_AWS_THING_NAME);
    if (!name)
        name = tl_config_str(&cfg, TL_CFG_SHADOW_NAME);
    if (!thing[0])
        return tl_cli_fail("no thing name: set aws.thing_name or pass --thing");
    if (!tl_shadow_thing_name_valid(thing, strlen(thing)))
        return tl_cli_fail("thing name '%s': expected 1-128 of A-Z a-z 0-9 : _ -", thing);
    if (name[0] && !tl_shadow_name_valid(name, strlen(name)))
        return tl_cli_fail("shadow name '%s': expected 1-64 of A-Z a-z 0-9 : _ -", name);
    if (!(s->m = calloc(1, sizeof *s->m)))
        return tl_cli_fail("out of memory");
    s->m->app = s;
    memset(&cb, 0, sizeof cb);
    cb.on_connect = mq_connected;
    cb.on_suback = mq_suback;
    cb.on_message = mq_message;
    /* No journal: a request left unanswered must not be replayed by a later
     * run; the response is the acknowledgement. */
    if (tl_cli_mqtt_open(s->m, &cfg, NULL, 0, &cb))
        return TL_CLI_EXIT_FAIL;
    memset(&sc, 0, sizeof sc);
    sc.thing = thing;
    sc.shadow = name;
    sc.token_prefix = "cli";
    /* Differ per run, so that an answer to an earlier run never matches. */
    sc.token_counter = (uint32_t)time(NULL) * 1000u + (uint32_t)getpid() % 1000u;
    sc.timeout_ms = timeout_ms;
    tl_shadow_io_mqtt(&io, &s->m->client);
    if (tl_shadow_init(&s->sc, &sc, &io, &scb, s->tx, sizeof s->tx) != TL_SHADOW_OK)
        return tl_cli_fail("shadow client: invalid settings");
    return tl_cli_mqtt_connect(s->m, timeout_ms);
}

static void sh_close(sh_state *s)
{
    if (s->m) {
        tl_cli_mqtt_close(s->m);
        free(s->m);
    }
    free(s);
}

/* Build the state object of `update` into out from its options. */
static int update_state(const char *prog, const tl_cli_args *a, char *out, size_t cap)
{
    static const char *const opts[] = { "desired", "reported", "state" };
    const char *v = NULL, *which = NULL;
    tl_json_error je;
    size_t i;
    for (i = 0; i < 3; i++) {
        if (!tl_cli_opt_value(a, opts[i]))
            continue;
        if (which)
            return tl_cli_usage_error(prog, "give one of --desired, --reported, --state");
        which = opts[i];
        v = tl_cli_opt_value(a, opts[i]);
    }
    if (!which)
        return tl_cli_usage_error(prog, "what to update? (--desired, --reported or --state JSON)");
    if (tl_json_check(v, strlen(v), 8, &je) != TL_JSON_OK) {
        unsigned line, col;
        tl_json_line_col(v, strlen(v), je.offset, &line, &col);
        return tl_cli_usage_error(prog, "--%s: invalid JSON at column %u: %s", which, col,
                                  je.what);
    }
    if (v[strspn(v, " \t\r\n")] != '{')
        return tl_cli_usage_error(prog, "--%s: expected a JSON object", which);
    if (strlen(v) + 16 > TL_SHADOW_STATE_MAX || strlen(v) + 16 > cap)
        return tl_cli_usage_error(prog, "--%s: larger than the shadow's 8 KB limit", which);
    if (strcmp(which, "state") == 0)
        snprintf(out, cap, "%s", v);
    else
        snprintf(out, cap, "{\"%s\":%s}", which, v);
    return 0;
}

static int run_request(tl_cli *cli, const char *prog, const tl_cli_help *help,
                       tl_shadow_action action, int argc, char **argv)
{
    static char state[TL_SHADOW_STATE_MAX + 1];
    tl_cli_args a;
    sh_state *s;
    const char *v;
    long timeout_s = 10, version = 0;
    uint32_t start;
    tl_shadow_status st;
    int r, rc;

    if ((r = tl_cli_parse(cli, &a, prog, help, argc, argv)) != 0)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if ((v = tl_cli_opt_value(&a, "timeout")) &&
        tl_cli_parse_long(prog, "--timeout", v, 1, 3600, &timeout_s))
        return TL_CLI_EXIT_USAGE;
    if (action == TL_SHADOW_UPDATE) {
        if ((r = update_state(prog, &a, state, sizeof state)) != 0)
            return r;
        if ((v = tl_cli_opt_value(&a, "version")) &&
            tl_cli_parse_long(prog, "--version", v, 1, 2147483647L, &version))
            return TL_CLI_EXIT_USAGE;
    }
    if (!(s = calloc(1, sizeof *s)))
        return tl_cli_fail("out of memory");
    s->json = cli->json;
    s->what = tl_shadow_action_name(action);
    s->rc = TL_CLI_EXIT_FAIL;
    if ((rc = sh_open(cli, s, &a, (uint32_t)timeout_s * 1000u)) != 0) {
        sh_close(s);
        return rc;
    }
    /* Requests wait for the subscriptions, or the answer could be missed. */
    start = tl_cli_mqtt_now();
    while (!s->sc.subscribed && !s->refused &&
           tl_cli_mqtt_now() - start < (uint32_t)timeout_s * 1000u)
        (void)tl_mqtt_client_poll(&s->m->client, 100);
    if (s->refused) {
        sh_close(s);
        return TL_CLI_EXIT_FAIL;
    }
    if (!s->sc.subscribed) {
        rc = tl_cli_fail("shadow %s: no SUBACK within %ld s", s->what, timeout_s);
        sh_close(s);
        return rc;
    }
    if (action == TL_SHADOW_GET)
        st = tl_shadow_get(&s->sc, s->token);
    else if (action == TL_SHADOW_DELETE)
        st = tl_shadow_delete(&s->sc, s->token);
    else
        st = tl_shadow_update(&s->sc, state, strlen(state), (uint32_t)version, s->token);
    if (st != TL_SHADOW_OK) {
        rc = tl_cli_fail("shadow %s: %s", s->what, st == TL_SHADOW_ERR_MQTT
                         ? tl_mqtt_client_status_text((tl_mqtt_client_status)s->sc.mqtt_error)
                         : tl_shadow_status_text(st));
        sh_close(s);
        return rc;
    }
    while (!s->done) {   /* the shadow client times the request out */
        (void)tl_mqtt_client_poll(&s->m->client, 100);
        tl_shadow_poll(&s->sc);
    }
    rc = s->rc;
    sh_close(s);
    return rc;
}

static int cmd_get(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return run_request(cli, prog, &get_help, TL_SHADOW_GET, argc, argv);
}

static int cmd_update(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return run_request(cli, prog, &update_help, TL_SHADOW_UPDATE, argc, argv);
}

static int cmd_delete(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return run_request(cli, prog, &delete_help, TL_SHADOW_DELETE, argc, argv);
}

static int cmd_watch(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    sh_state *s;
    const char *v;
    long wait_s = 0, count = 0;
    uint32_t start = tl_cli_mqtt_now();
    int r, rc;

    if ((r = tl_cli_parse(cli, &a, prog, &watch_help, argc, argv)) != 0)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    if ((v = tl_cli_opt_value(&a, "count")) &&
        tl_cli_parse_long(prog, "-C", v, 1, 2000000000, &count))
        return TL_CLI_EXIT_USAGE;
    if ((v = tl_cli_opt_value(&a, "wait")) && tl_cli_parse_long(prog, "-W", v, 1, 86400, &wait_s))
        return TL_CLI_EXIT_USAGE;
    if (!(s = calloc(1, sizeof *s)))
        return tl_cli_fail("out of memory");
    s->json = cli->json;
    rc = sh_open(cli, s, &a, wait_s ? (uint32_t)wait_s * 1000u : 30000u);
    while (rc == TL_CLI_EXIT_OK && !s->refused && !(count && s->events >= count)) {
        if (wait_s && tl_cli_mqtt_now() - start > (uint32_t)wait_s * 1000u) {
            rc = tl_cli_fail("timed out after %ld s (%ld events)", wait_s, s->events);
            break;
        }
        (void)tl_mqtt_client_poll(&s->m->client, 200);
        tl_shadow_poll(&s->sc);
    }
    if (s->refused)
        rc = TL_CLI_EXIT_FAIL;
    sh_close(s);
    return rc;
}

const tl_cli_cmd tl_cli_shadow_cmds[] = {
    { "get", "print the device's shadow (version, desired, reported, delta)", cmd_get, NULL },
    { "update", "update desired or reported state (optionally at a version)", cmd_update, NULL },
    { "delete", "delete the device's shadow", cmd_delete, NULL },
    { "watch", "print deltas and resyncs as the device receives them", cmd_watch, NULL },
    { NULL, NULL, NULL, NULL }
};
