/*
 * trustlink agent: the device. Connects with the configured identity (the
 * chip signs the TLS handshake), keeps its shadow in sync, publishes
 * telemetry every agent.interval seconds on things/<thing>/telemetry (QoS 1,
 * through the journal, so nothing is lost while offline), reconnects after
 * faults with backoff, and on SIGINT/SIGTERM sends what the journal holds
 * (a few seconds at most) and stops. One event per line on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../agent/tl_agent.h"
#include "cli_mqtt.h"

/* Set by the signal handler: the one piece of process-wide state. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

typedef struct {
    tl_cli_mqtt m;
    tl_shadow_client shadow;
    char shadow_tx[TL_SHADOW_STATE_MAX + 256];
    tl_agent agent;
    char thing[129];
    char topic[300];
    long max_messages;       /* --count: stop after this many telemetry messages */
    int synced;              /* the resync GET after (re)connect has answered */
} agent_run;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%s ", ts);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void on_connect(void *user, int session_present)
{
    tl_cli_mqtt *m = user;
    agent_run *r = m->app;
    tl_shadow_status st;
    m->ever_connected = 1;
    r->synced = 0;
    say("connected to %s:%u as %s (session present: %s)", m->host, m->port, m->client_id,
        session_present ? "yes" : "no");
    if ((st = tl_shadow_on_connect(&r->shadow)) != TL_SHADOW_OK)
        say("shadow: cannot subscribe: %s", tl_shadow_status_text(st));
}

static void on_disconnect(void *user, tl_mqtt_client_status why)
{
    tl_cli_mqtt *m = user;
    say("disconnected: %s%s%s", tl_mqtt_client_status_text(why), m->err[0] ? ": " : "",
        m->err[0] ? m->err : "");
    m->err[0] = '\0';
}

static void on_log(void *user, tl_mqtt_client_event ev, uint32_t detail)
{
    tl_cli_mqtt *m = user;
    const char *why = tl_mqtt_client_detail_text(ev, detail);
    if (ev == TL_MQTT_LOG_CANNOT_CONNECT) {
        say("cannot connect: %s", m->err[0] ? m->err : "transport failed");
        m->err[0] = '\0';
    } else {
        say("%s%s%s", tl_mqtt_client_event_text(ev), why[0] ? ": " : "", why);
    }
}

static void on_message(void *user, const tl_mqtt_publish *msg)
{
    tl_cli_mqtt *m = user;
    agent_run *r = m->app;
    if (!tl_shadow_handle_publish(&r->shadow, msg->topic.ptr, msg->topic.len, msg->payload,
                                  msg->payload_len))
        say("message on %.*s (%zu bytes)", (int)msg->topic.len, msg->topic.ptr,
            msg->payload_len);
}

static void on_suback(void *user, uint16_t packet_id, const uint8_t *codes, size_t count)
{
    tl_cli_mqtt *m = user;
    agent_run *r = m->app;
    tl_shadow_handle_suback(&r->shadow, packet_id, codes, count);
}

static void on_delta(void *user, const tl_shadow_delta *d)
{
    agent_run *r = user;
    char note[200];
    int changed = tl_agent_apply(&r->agent, d->state, note, sizeof note);
    say("shadow delta (version %lu%s): %.*s -> interval %gs, led %s%s%s",
        (unsigned long)d->version, d->from_get ? ", from the resync GET" : "",
        (int)d->state.len, d->state.ptr, r->agent.interval_ms / 1000.0,
        r->agent.led ? "on" : "off", note[0] ? "; " : "", note);
    if (changed < 0)
        say("shadow delta ignored: its state is not a JSON object");
}

static void on_response(void *user, const tl_shadow_response *resp)
{
    agent_run *r = user;
    if (resp->resync)
        r->synced = 1;
    if (resp->status == TL_SHADOW_OK) {
        if (resp->action == TL_SHADOW_UPDATE)
            say("shadow reported state accepted (version %lu)", (unsigned long)resp->version);
        else if (resp->resync)
            say("shadow in sync (version %lu)", (unsigned long)resp->version);
        return;
    }
    if (resp->resync && resp->code == 404) {
        say("shadow does not exist yet: reporting creates it");
        return;
    }
    if (resp->status == TL_SHADOW_ERR_REJECTED)
        say("shadow %s rejected: %d %s", tl_shadow_action_name(resp->action), resp->code,
            resp->message);
    else
        say("shadow %s: %s", tl_shadow_action_name(resp->action),
            tl_shadow_status_text(resp->status));
    if (resp->action == TL_SHADOW_UPDATE)
        r->agent.report_due = 1;      /* try again on the next round */
}

static void on_shadow_error(void *user, tl_shadow_status st, const char *what)
{
    (void)user;
    say("shadow: %s: %s", what, tl_shadow_status_text(st));
}

static void on_delivered(void *user, uint32_t seq)
{
    (void)user;
    (void)seq;
}

/* One round of the agent's own work after a poll. */
static void tick(agent_run *r)
{
    uint32_t now = tl_cli_mqtt_now();
    char buf[256];
    size_t n;
    int connected = tl_mqtt_client_get_state(&r->m.client) == TL_MQTT_CLIENT_CONNECTED;
    tl_shadow_poll(&r->shadow);
    if (connected && r->synced && r->agent.report_due && tl_shadow_pending(&r->shadow) == 0 &&
        (n = tl_agent_reported(&r->agent, buf, sizeof buf)) > 0) {
        tl_shadow_status st = tl_shadow_report(&r->shadow, buf, n, NULL);
        if (st == TL_SHADOW_OK) {
            r->agent.report_due = 0;
            say("shadow report %s", buf);
        }
    }
    /* Telemetry goes into the journal whether or not the broker is there:
     * it is sent when the connection is back. */
    if (tl_agent_due(&r->agent, now) && (n = tl_agent_telemetry(&r->agent, now, buf, sizeof buf))) {
        uint32_t seq;
        tl_mqtt_client_status cs = tl_mqtt_client_publish(
            &r->m.client, r->topic, strlen(r->topic), (const uint8_t *)buf, n, 1, 0, &seq);
        if (cs == TL_MQTT_CLIENT_OK)
            say("telemetry %s -> %s%s", buf, r->topic, connected ? "" : " (queued, offline)");
        else
            say("telemetry not queued: %s", tl_mqtt_client_status_text(cs));
    }
}

static const tl_cli_opt opts[] = {
    { "interval", 0, "SECONDS", "telemetry interval, 0.01..86400 (default agent.interval; the "
      "shadow's desired \"interval\" changes it)" },
    { "count", 0, "N", "stop after N telemetry messages (default: run until a signal)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help help = {
    "[--config FILE] [--interval SECONDS] [--count N]",
    "Run the device: connect to mqtt.server with the configured identity (the\n"
    "chip signs the handshake when mqtt.ssl_key is chip:SLOT), subscribe to the\n"
    "thing's shadow and resynchronise it after every connect, apply desired\n"
    "\"interval\" and \"led\" and report them back, publish telemetry on\n"
    "things/<thing>/telemetry (QoS 1, kept in mqtt.queue_path until\n"
    "acknowledged), reconnect with backoff after faults. SIGINT or SIGTERM\n"
    "stops it cleanly: unacknowledged messages are sent for up to 5 s, and\n"
    "what remains stays in the journal for the next start.",
    opts, 1 };

/* A random number naming this run in the telemetry (a device would keep a
 * boot counter in flash). */
static uint32_t boot_id(void)
{
    uint32_t id = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&id, sizeof id, 1, f) != 1)
        id = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
    if (f)
        fclose(f);
    return id;
}

static int setup_shadow(agent_run *r, const tl_config *cfg)
{
    tl_shadow_config sc;
    tl_shadow_io io;
    tl_shadow_callbacks cb = { on_response, on_delta, NULL, on_shadow_error, r };
    tl_shadow_status st;
    memset(&sc, 0, sizeof sc);
    sc.thing = r->thing;
    sc.shadow = tl_config_str(cfg, TL_CFG_SHADOW_NAME);
    sc.token_prefix = "agent";
    sc.token_counter = (uint32_t)time(NULL);
    sc.qos = 1;
    tl_shadow_io_mqtt(&io, &r->m.client);
    st = tl_shadow_init(&r->shadow, &sc, &io, &cb, r->shadow_tx, sizeof r->shadow_tx);
    if (st != TL_SHADOW_OK)
        return tl_cli_fail("shadow: %s (thing '%s', shadow.name '%s')",
                           tl_shadow_status_text(st), r->thing, sc.shadow);
    return 0;
}

static int cmd_agent(tl_cli *cli, const char *prog, int argc, char **argv)
{
    static agent_run r;      /* ~180 KB of buffers */
    tl_mqtt_callbacks cb = { .on_connect = on_connect, .on_disconnect = on_disconnect,
                             .on_message = on_message, .on_suback = on_suback,
                             .on_delivered = on_delivered, .log = on_log };
    tl_cli_args a;
    tl_config cfg;
    double interval;
    int rc;
    struct sigaction sa;
    memset(&r, 0, sizeof r);
    rc = tl_cli_parse(cli, &a, prog, &help, argc, argv);
    if (rc)
        return rc < 0 ? TL_CLI_EXIT_OK : rc;
    if (a.npos)
        return tl_cli_usage_error(prog, "unexpected argument '%s'", a.pos[0]);
    if ((rc = tl_cli_load_config(cli, &cfg, 0)) != 0)
        return rc;
    interval = (double)tl_config_int(&cfg, TL_CFG_AGENT_INTERVAL);
    if (tl_cli_opt_value(&a, "interval")) {
        const char *v = tl_cli_opt_value(&a, "interval");
        char *end;
        interval = strtod(v, &end);
        if (end == v || *end || !(interval >= 0.01 && interval <= 86400))
            return tl_cli_usage_error(prog, "--interval '%s': seconds from 0.01 to 86400", v);
    }
    if (tl_cli_opt_value(&a, "count") &&
        tl_cli_parse_long(prog, "--count", tl_cli_opt_value(&a, "count"), 1, 1000000000,
                          &r.max_messages) != 0)
        return TL_CLI_EXIT_USAGE;
    snprintf(r.thing, sizeof r.thing, "%s", tl_config_str(&cfg, TL_CFG_AWS_THING_NAME));
    if (!r.thing[0])
        snprintf(r.thing, sizeof r.thing, "%s", tl_config_str(&cfg, TL_CFG_MQTT_CLIENT_ID));
    if (!r.thing[0])
        return tl_cli_fail("no thing name: set aws.thing_name (trustlink aws-iot-setup does)");
    snprintf(r.topic, sizeof r.topic, "things/%s/telemetry", r.thing);
    r.m.app = &r;
    if ((rc = tl_cli_mqtt_open(&r.m, &cfg, NULL, 1, &cb)) != 0)
        return rc;
    if ((rc = setup_shadow(&r, &cfg)) != 0) {
        tl_cli_mqtt_close(&r.m);
        return rc;
    }
    tl_agent_init(&r.agent, (uint32_t)(interval * 1000.0 + 0.5), boot_id(), tl_cli_mqtt_now());

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    say("agent for thing %s (boot %lu): broker %s:%u, key %s, telemetry every %gs on %s",
        r.thing, (unsigned long)r.agent.boot, r.m.host, r.m.port,
        tl_config_str(&cfg, TL_CFG_MQTT_SSL_KEY), r.agent.interval_ms / 1000.0, r.topic);
    while (!stop_signal && !(r.max_messages && (long)r.agent.seq >= r.max_messages)) {
        tl_mqtt_client_poll(&r.m.client, 100);
        tick(&r);
    }
    if (stop_signal)
        say("%s: stopping", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    if (tl_mqtt_client_get_state(&r.m.client) == TL_MQTT_CLIENT_CONNECTED)
        tl_mqtt_client_flush(&r.m.client, 5000);
    say("stopped: %lu telemetry messages, %zu unacknowledged kept in %s",
        (unsigned long)r.agent.seq, tl_mqtt_journal_count(&r.m.journal),
        tl_config_str(&cfg, TL_CFG_MQTT_QUEUE_PATH));
    tl_cli_mqtt_close(&r.m);
    return TL_CLI_EXIT_OK;
}

int tl_cli_cmd_agent(tl_cli *cli, const char *prog, int argc, char **argv)
{
    return cmd_agent(cli, prog, argc, argv);
}
