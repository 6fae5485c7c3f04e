/* trustlink mqtt pub|sub: the device MQTT stack from the command line, with
 * flags as in mosquitto_pub / mosquitto_sub. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_mqtt.h"

/* By default a publisher stuck this long (journal full, broker away, or a
 * broker that keeps closing the connection after a message it refuses)
 * gives up; --timeout changes it. */
#define PUB_STALL_MS 120000u

static const tl_cli_opt pub_opts[] = {
    { "topic", 't', "TOPIC", "topic to publish to" },
    { "message", 'm', "MESSAGE", "payload; %d is replaced by the message number (1..N)" },
    { "qos", 'q', "0|1", "quality of service (default 0)" },
    { "retain", 'r', NULL, "ask the broker to retain the message" },
    { "repeat", 0, "N", "publish the message N times (default 1)" },
    { "repeat-delay", 0, "SECONDS", "wait this long between repeats (fractions allowed)" },
    { "id", 'i', "CLIENT_ID", "client id (default mqtt.client_id, aws.thing_name, device.id)" },
    { "debug", 'd', NULL, "print each message as it is queued, and reconnects" },
    { "timeout", 0, "SECONDS", "give up when not done within SECONDS (default 120)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help pub_help = {
    "-t TOPIC -m MESSAGE [-q 0|1] [--repeat N]",
    "Publish through the device's MQTT stack (TLS with the device key, QoS 1 journal\n"
    "at mqtt.queue_path). QoS 1 messages left unacknowledged by an earlier run are\n"
    "sent first. Exits 0 once every QoS 1 message is acknowledged by the broker.",
    pub_opts, 1 };

/* Payload of message number n: each %d replaced by n. */
static size_t format_message(const char *fmt, long n, char *out, size_t cap)
{
    size_t o = 0;
    for (; *fmt && o + 24 < cap; fmt++) {
        if (fmt[0] == '%' && fmt[1] == 'd') {
            o += (size_t)snprintf(out + o, cap - o, "%ld", n);
            fmt++;
        } else {
            out[o++] = *fmt;
        }
    }
    out[o] = '\0';
    return o;
}

/* A QoS 1 message the broker kept refusing (see tl_mqtt_client.h): given
 * up so the queue moves on, and said here so it is never a silent loss. */
static void pub_dead(void *user, const tl_mqtt_journal_msg *msg)
{
    tl_cli_mqtt *m = user;
    (*(long *)m->app)++;
    fprintf(stderr, "trustlink: QoS 1 message to '%.*s' (%zu bytes) refused by the broker: it "
                    "closed the connection right after it %u times (does the policy allow "
                    "publishing there?); removed from the journal\n",
            (int)msg->topic_len, msg->topic, msg->payload_len, TL_MQTT_POISON_STRIKES);
}

static int cmd_pub(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_config cfg;
    tl_cli_mqtt *m;
    tl_mqtt_callbacks cb;
    const char *topic, *msg, *v;
    long qos = 0, repeat = 1, i, dead = 0;
    int r, debug, rc = TL_CLI_EXIT_OK;
    uint32_t delay_ms = 0, stall_ms = PUB_STALL_MS;
    long timeout_s;
    static char payload[65536 + 32];

    if ((r = tl_cli_parse(cli, &a, prog, &pub_help, argc, argv)) != 0)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    topic = tl_cli_opt_value(&a, "topic");
    msg = tl_cli_opt_value(&a, "message");
    if (!topic)
        return tl_cli_usage_error(prog, "which topic? (-t TOPIC)");
    if (!msg)
        return tl_cli_usage_error(prog, "what message? (-m MESSAGE)");
    if (strlen(msg) > 65536)
        return tl_cli_usage_error(prog, "-m: message longer than 65536 bytes");
    if ((v = tl_cli_opt_value(&a, "qos")) && tl_cli_parse_long(prog, "-q", v, 0, 1, &qos))
        return TL_CLI_EXIT_USAGE;
    if ((v = tl_cli_opt_value(&a, "repeat")) &&
        tl_cli_parse_long(prog, "--repeat", v, 1, 100000000, &repeat))
        return TL_CLI_EXIT_USAGE;
    if ((v = tl_cli_opt_value(&a, "repeat-delay"))) {
        char *end;
        double d = strtod(v, &end);
        if (end == v || *end || !(d >= 0 && d <= 3600))
            return tl_cli_usage_error(prog, "--repeat-delay: '%s' is not 0..3600 seconds", v);
        delay_ms = (uint32_t)(d * 1000.0 + 0.5);
    }
    if ((v = tl_cli_opt_value(&a, "timeout"))) {
        if (tl_cli_parse_long(prog, "--timeout", v, 1, 86400, &timeout_s))
            return TL_CLI_EXIT_USAGE;
        stall_ms = (uint32_t)timeout_s * 1000u;
    }
    debug = tl_cli_opt_value(&a, "debug") != NULL;
    if ((r = tl_cli_load_config(cli, &cfg, 1)) != 0)
        return r;
    if (!(m = calloc(1, sizeof *m)))
        return tl_cli_fail("out of memory");
    memset(&cb, 0, sizeof cb);
    cb.on_dead = pub_dead;
    m->app = &dead;
    m->verbose = debug;
    if (tl_cli_mqtt_open(m, &cfg, tl_cli_opt_value(&a, "id"), 1, &cb) ||
        tl_cli_mqtt_connect(m, 30000)) {
        tl_cli_mqtt_close(m);
        free(m);
        return TL_CLI_EXIT_FAIL;
    }
    for (i = 1; i <= repeat && rc == TL_CLI_EXIT_OK; i++) {
        size_t len = format_message(msg, i, payload, sizeof payload);
        uint32_t since = tl_cli_mqtt_now(), seq = 0;
        m->jfile.error = 0;
        for (;;) {
            tl_mqtt_client_status cs = tl_mqtt_client_publish(
                &m->client, topic, strlen(topic), (const uint8_t *)payload, len,
                (uint8_t)qos, tl_cli_opt_value(&a, "retain") != NULL, &seq);
            if (cs == TL_MQTT_CLIENT_OK)
                break;
            if (cs == TL_MQTT_CLIENT_ERR_JOURNAL) {   /* full disk, I/O error */
                rc = tl_cli_fail("message %ld not stored: the QoS 1 journal %s (mqtt.queue_path) "
                                 "cannot take it: %s; the %zu unacknowledged messages stored "
                                 "before it stay there and go out on the next run",
                                 i, tl_config_str(&cfg, TL_CFG_MQTT_QUEUE_PATH),
                                 m->jfile.error ? strerror(m->jfile.error) : "write failed",
                                 tl_mqtt_journal_count(&m->journal));
                break;
            }
            if (cs != TL_MQTT_CLIENT_ERR_QUEUE_FULL && cs != TL_MQTT_CLIENT_ERR_NOT_CONNECTED &&
                cs != TL_MQTT_CLIENT_ERR_TRANSPORT) {
                rc = tl_cli_fail("publish to '%s': %s", topic, tl_mqtt_client_status_text(cs));
                break;
            }
            /* Wait for acknowledgements or the connection, not forever. */
            if (tl_cli_mqtt_now() - since > stall_ms) {
                rc = tl_cli_fail("publish to '%s': %s for %u s (broker unreachable?)", topic,
                                 tl_mqtt_client_status_text(cs), stall_ms / 1000);
                break;
            }
            (void)tl_mqtt_client_poll(&m->client, 100);
        }
        if (rc == TL_CLI_EXIT_OK && debug)
            fprintf(stderr, "trustlink: queued %ld '%s'%s\n", i, payload, qos ? "" : " (QoS 0)");
        (void)tl_mqtt_client_poll(&m->client, 0);
        if (delay_ms && i < repeat) {   /* keep serving the connection meanwhile */
            uint32_t t0 = tl_cli_mqtt_now(), spent;
            while ((spent = tl_cli_mqtt_now() - t0) < delay_ms)
                (void)tl_mqtt_client_poll(&m->client, delay_ms - spent);
        }
    }
    if (rc == TL_CLI_EXIT_OK && tl_mqtt_client_flush(&m->client, stall_ms) != TL_MQTT_CLIENT_OK)
        rc = tl_cli_fail("%zu QoS 1 messages not acknowledged (the broker unreachable, or "
                         "refusing them: closing the connection after a PUBLISH is how AWS IoT "
                         "refuses a topic); they stay in %s for the next run",
                         tl_mqtt_journal_count(&m->journal),
                         tl_config_str(&cfg, TL_CFG_MQTT_QUEUE_PATH));
    if (rc == TL_CLI_EXIT_OK && dead)
        rc = tl_cli_fail("%ld QoS 1 messages refused by the broker and given up", dead);
    tl_cli_mqtt_close(m);
    free(m);
    return rc;
}

static const tl_cli_opt sub_opts[] = {
    { "topic", 't', "FILTER", "topic filter to subscribe to (repeatable, up to 8)" },
    { "qos", 'q', "0|1", "maximum QoS to receive (default 0)" },
    { "count", 'C', "COUNT", "exit after COUNT messages" },
    { "wait", 'W', "SECONDS", "exit with an error if not done within SECONDS" },
    { "verbose", 'v', NULL, "print the topic before each message" },
    { "id", 'i', "CLIENT_ID", "client id (default mqtt.client_id, aws.thing_name, device.id)" },
    { NULL, 0, NULL, NULL }
};

static const tl_cli_help sub_help = {
    "-t FILTER [-t FILTER...] [-q 0|1] [-C COUNT] [-W SECONDS] [-v]",
    "Subscribe through the device's MQTT stack and print each message on its own\n"
    "line (with -v: topic, a space, the payload). Subscribes again after a reconnect.",
    sub_opts, 1 };

typedef struct {
    tl_cli_mqtt *m;
    tl_mqtt_filter filters[TL_MQTT_MAX_FILTERS];
    size_t nfilters;
    int verbose;
    long count, got;
    int refused;
    uint16_t sub_id;
} sub_state;

/* Subscribe on every connection: a clean session forgets subscriptions. */
static void sub_connected(void *user, int session_present)
{
    tl_cli_mqtt *m = user;
    sub_state *s = m->app;
    tl_mqtt_client_status cs;
    (void)session_present;
    cs = tl_mqtt_client_subscribe(&m->client, s->filters, s->nfilters, &s->sub_id);
    if (cs != TL_MQTT_CLIENT_OK && cs != TL_MQTT_CLIENT_ERR_TRANSPORT) {
        tl_cli_fail("subscribe: %s", tl_mqtt_client_status_text(cs));
        s->refused = 1;
    }
}

static void sub_acked(void *user, uint16_t id, const uint8_t *codes, size_t n)
{
    sub_state *s = ((tl_cli_mqtt *)user)->app;
    size_t i;
    (void)id;
    for (i = 0; i < n && i < s->nfilters; i++) {
        if (codes[i] == TL_MQTT_SUBACK_FAILURE) {
            tl_cli_fail("subscription to '%.*s' refused by the broker",
                        (int)s->filters[i].filter.len, s->filters[i].filter.ptr);
            s->refused = 1;
        }
    }
}

static void sub_message(void *user, const tl_mqtt_publish *p)
{
    sub_state *s = ((tl_cli_mqtt *)user)->app;
    if (s->count && s->got >= s->count)
        return;
    if (s->verbose)
        printf("%.*s ", (int)p->topic.len, p->topic.ptr);
    fwrite(p->payload, 1, p->payload_len, stdout);
    putchar('\n');
    fflush(stdout);
    s->got++;
}

/* Every -t/--topic value, in order (tl_cli_parse keeps only the last). */
static int collect_filters(sub_state *s, const char *prog, int argc, char **argv, long qos)
{
    int i;
    for (i = 0; i < argc; i++) {
        const char *f = NULL;
        if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "--topic") == 0) && i + 1 < argc)
            f = argv[++i];
        else if (strncmp(argv[i], "--topic=", 8) == 0)
            f = argv[i] + 8;
        else if (strcmp(argv[i], "--") == 0)
            break;
        else if (argv[i][0] == '-' && strchr("mqCWi", argv[i][1]) && !argv[i][2])
            i++;   /* skip the value of another short option */
        if (!f)
            continue;
        if (s->nfilters >= TL_MQTT_MAX_FILTERS)
            return tl_cli_usage_error(prog, "at most %d topic filters", TL_MQTT_MAX_FILTERS);
        if (tl_mqtt_check_topic_filter(f, strlen(f), NULL) != TL_MQTT_OK)
            return tl_cli_usage_error(prog, "-t '%s': %s", f,
                tl_mqtt_status_message(tl_mqtt_check_topic_filter(f, strlen(f), NULL)));
        s->filters[s->nfilters].filter.ptr = f;
        s->filters[s->nfilters].filter.len = strlen(f);
        s->filters[s->nfilters++].qos = (uint8_t)qos;
    }
    return s->nfilters ? 0 : tl_cli_usage_error(prog, "which topic? (-t FILTER)");
}

static int cmd_sub(tl_cli *cli, const char *prog, int argc, char **argv)
{
    tl_cli_args a;
    tl_config cfg;
    tl_mqtt_callbacks cb;
    sub_state s;
    const char *v;
    long qos = 0, wait_s = 0;
    uint32_t start;
    int r, rc = TL_CLI_EXIT_OK;

    if ((r = tl_cli_parse(cli, &a, prog, &sub_help, argc, argv)) != 0)
        return r < 0 ? TL_CLI_EXIT_OK : r;
    memset(&s, 0, sizeof s);
    if ((v = tl_cli_opt_value(&a, "qos")) && tl_cli_parse_long(prog, "-q", v, 0, 1, &qos))
        return TL_CLI_EXIT_USAGE;
    if ((v = tl_cli_opt_value(&a, "count")) &&
        tl_cli_parse_long(prog, "-C", v, 1, 2000000000, &s.count))
        return TL_CLI_EXIT_USAGE;
    if ((v = tl_cli_opt_value(&a, "wait")) && tl_cli_parse_long(prog, "-W", v, 1, 86400, &wait_s))
        return TL_CLI_EXIT_USAGE;
    if (collect_filters(&s, prog, argc, argv, qos))
        return TL_CLI_EXIT_USAGE;
    s.verbose = tl_cli_opt_value(&a, "verbose") != NULL;
    if ((r = tl_cli_load_config(cli, &cfg, 1)) != 0)
        return r;
    if (!(s.m = calloc(1, sizeof *s.m)))
        return tl_cli_fail("out of memory");
    s.m->app = &s;
    memset(&cb, 0, sizeof cb);
    cb.on_connect = sub_connected;
    cb.on_suback = sub_acked;
    cb.on_message = sub_message;
    start = tl_cli_mqtt_now();
    if (tl_cli_mqtt_open(s.m, &cfg, tl_cli_opt_value(&a, "id"), 0, &cb) ||
        tl_cli_mqtt_connect(s.m, wait_s ? (uint32_t)wait_s * 1000u : 30000u)) {
        rc = TL_CLI_EXIT_FAIL;
    }
    while (rc == TL_CLI_EXIT_OK && !s.refused && !(s.count && s.got >= s.count)) {
        if (wait_s && tl_cli_mqtt_now() - start > (uint32_t)wait_s * 1000u) {
            rc = tl_cli_fail("timed out after %ld s (%ld messages received)", wait_s, s.got);
            break;
        }
        (void)tl_mqtt_client_poll(&s.m->client, 200);
    }
    if (s.refused)
        rc = TL_CLI_EXIT_FAIL;
    tl_cli_mqtt_close(s.m);
    free(s.m);
    return rc;
}

const tl_cli_cmd tl_cli_mqtt_cmds[] = {
    { "pub", "publish messages (QoS 0 or 1, journaled)", cmd_pub, NULL },
    { "sub", "subscribe and print messages", cmd_sub, NULL },
    { NULL, NULL, NULL, NULL }
};
