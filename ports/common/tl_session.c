/* A connected device session on an MCU (tl_session.h). */
#include <string.h>

#include "../../src/atca/tl_atca_cmd.h"
#include "tl_session.h"

static int fail(tl_session *s, const char *what, const char *detail)
{
    size_t n = strlen(what), m = detail ? strlen(detail) : 0;
    if (n > sizeof s->why - 1)
        n = sizeof s->why - 1;
    memcpy(s->why, what, n);
    if (m && n + 2 < sizeof s->why) {
        s->why[n++] = ':';
        s->why[n++] = ' ';
        if (m > sizeof s->why - 1 - n)
            m = sizeof s->why - 1 - n;
        memcpy(s->why + n, detail, m);
        n += m;
    }
    s->why[n] = '\0';
    return -1;
}

/* v in decimal, written backwards so that it ends just before end. */
static char *decimal(char *end, uint32_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* fail() with the status number after the detail: "...: TLS error (1003)",
 * as a small build's status texts do not tell one error from another. */
static int fail_code(tl_session *s, const char *what, const char *detail, uint32_t code)
{
    char num[] = " (4294967295)", *p = decimal(num + sizeof num - 2, code);
    size_t n, k;
    *--p = '(';
    *--p = ' ';
    fail(s, what, detail);
    n = strlen(s->why);
    k = strlen(p);
    if (n + k < sizeof s->why)
        memcpy(s->why + n, p, k + 1);
    return -1;
}

/* Text stored at off in flash, up to the first NUL or erased byte. */
static long load_text(tl_session *s, uint32_t off, char *buf, size_t cap)
{
    const tl_port_flash_class **fl = s->board->flash;
    size_t n = 0;
    while (n < cap - 1) {
        size_t k, chunk = cap - 1 - n < 64 ? cap - 1 - n : 64;
        if ((*fl)->read(fl, off + (uint32_t)n, (uint8_t *)buf + n, chunk) != TL_PORT_OK)
            return -1;
        for (k = 0; k < chunk; k++) {
            if (buf[n + k] == '\0' || (uint8_t)buf[n + k] == 0xFF) {
                buf[n + k] = '\0';
                return (long)(n + k);
            }
        }
        n += chunk;
    }
    buf[n] = '\0';
    return (long)n;
}

/* "host:port" -> host, port. */
static int parse_server(tl_session *s, const char *server)
{
    const char *colon = strrchr(server, ':');
    unsigned long port = 0;
    size_t hl;
    if (!colon || colon == server || !colon[1])
        return fail(s, "mqtt.server: expected host:port", server);
    hl = (size_t)(colon - server);
    if (hl >= sizeof s->host)
        return fail(s, "mqtt.server: host name too long", NULL);
    for (colon++; *colon; colon++) {
        if (*colon < '0' || *colon > '9' || (port = port * 10 + (unsigned)(*colon - '0')) > 65535)
            return fail(s, "mqtt.server: port must be 1..65535", server);
    }
    if (port == 0)
        return fail(s, "mqtt.server: port must be 1..65535", server);
    memcpy(s->host, server, hl);
    s->host[hl] = '\0';
    s->port = (uint16_t)port;
    return 0;
}

static uint32_t now_ms(void *ctx)
{
    tl_session *s = ctx;
    return (*s->board->clock)->now_ms(s->board->clock);
}

static uint32_t jitter(void *ctx)
{
    tl_session *s = ctx;
    /* xorshift32: backoff jitter only; the seed came from the chip. */
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 17;
    s->rng ^= s->rng << 5;
    return s->rng;
}

static void sleep_ms(void *ctx, uint32_t ms)
{
    tl_session *s = ctx;
    (*s->board->clock)->delay_us(s->board->clock, ms * 1000u);
}

/* MQTT's connect callback: TCP from the board, TLS over it, seeded afresh
 * from the chip for every handshake. */
static const tl_transport_class **open_transport(void *user)
{
    tl_session *s = user;
    const tl_transport_class **tcp;
    uint8_t seed[32];
    if ((*s->board->net)->connect(s->board->net, s->host, s->port, 10000, &tcp) != TL_PORT_OK) {
        fail(s, "cannot connect to mqtt.server", s->host);
        return NULL;
    }
    tl_tls_client_init(&s->tls, s->iobuf, sizeof s->iobuf, &s->anchors, &s->signer.vtable,
                       &s->chain);
    if (tl_port_random(&s->chip, s->board->entropy, s->board->entropy_arg, seed, sizeof seed,
                       NULL) != TL_PORT_OK) {
        (*tcp)->close(tcp);
        fail(s, "no randomness for TLS (chip not locked, no MCU generator)", NULL);
        return NULL;
    }
    br_ssl_engine_inject_entropy(&s->tls.sc.eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    if (tl_config_str(&s->cfg, TL_CFG_MQTT_ALPN)[0])
        tl_tls_client_set_alpn(&s->tls, tl_config_str(&s->cfg, TL_CFG_MQTT_ALPN));
    if (tl_tls_client_connect(&s->tls, tcp, s->host, 15000) != 0) {
        (*tcp)->close(tcp);
        fail_code(s, "TLS handshake failed", tl_tls_error_text(tl_tls_client_error(&s->tls)),
                  (uint32_t)tl_tls_client_error(&s->tls));
        return NULL;
    }
    return &s->tls.vtable;
}

static void on_connect(void *user, int session_present)
{
    tl_session *s = user;
    (void)session_present;
    tl_shadow_on_connect(&s->shadow);
}

static void on_suback(void *user, uint16_t id, const uint8_t *codes, size_t n)
{
    tl_session *s = user;
    tl_shadow_handle_suback(&s->shadow, id, codes, n);
}

static void on_message(void *user, const tl_mqtt_publish *m)
{
    tl_session *s = user;
    tl_shadow_handle_publish(&s->shadow, m->topic.ptr, m->topic.len, m->payload,
                             m->payload_len);
}

/* The desired state is reported back as it is: the application's hook. */
static void on_delta(void *user, const tl_shadow_delta *d)
{
    tl_session *s = user;
    tl_shadow_status st = tl_shadow_report(&s->shadow, d->state.ptr, d->state.len, NULL);
    if (st != TL_SHADOW_OK)   /* too big for a journal record, queue full... */
        fail(s, "shadow report", tl_shadow_status_text(st));
}

/* A shadow message refused: malformed, or too big for the MQTT receive
 * buffer (see on_dropped below), e.g. a desired state the device cannot
 * take in; named in why. */
static void on_shadow_error(void *user, tl_shadow_status st, const char *what)
{
    tl_session *s = user;
    fail(s, what, tl_shadow_status_text(st));
}

static int setup_tls(tl_session *s)
{
    tl_tls_pem_status st;
    size_t scratch_len;
    /* No handshake yet: the validation state is free for decoding. */
    unsigned char *scratch = tl_tls_client_spare(&s->tls, &scratch_len);
    long n = load_text(s, TL_SESSION_CA_AT, (char *)s->iobuf, TL_SESSION_PEM_MAX);
    if (n <= 0)
        return fail(s, "no trust anchors in flash", NULL);
    st = tl_tls_anchors_add_pem(&s->anchors, (const char *)s->iobuf, (size_t)n, scratch,
                                scratch_len);
    if (st != TL_TLS_PEM_OK)
        return fail(s, "trust anchors", tl_tls_pem_status_text(st));
    n = load_text(s, TL_SESSION_CERT_AT, (char *)s->iobuf, TL_SESSION_PEM_MAX);
    if (n <= 0)
        return fail(s, "no device certificate in flash", NULL);
    if ((st = tl_tls_chain_add_pem(&s->chain, (const char *)s->iobuf, (size_t)n)) != TL_TLS_PEM_OK)
        return fail(s, "device certificate", tl_tls_pem_status_text(st));
    return 0;
}

static int setup_chip(tl_session *s)
{
    const char *key = tl_config_str(&s->cfg, TL_CFG_MQTT_SSL_KEY);
    unsigned slot;
    if (strncmp(key, "chip:", 5) != 0 || key[5] < '0' || key[5] > '9' ||
        (key[6] && (key[6] < '0' || key[6] > '9' || key[7])))
        return fail(s, "mqtt.ssl_key must be chip:SLOT on a device", key);
    slot = (unsigned)(key[5] - '0');
    if (key[6])
        slot = slot * 10 + (unsigned)(key[6] - '0');
    if (slot > 15)
        return fail(s, "mqtt.ssl_key: slot must be 0..15", key);
    tl_port_i2c_bus_init(&s->bus, s->board->i2c, s->board->clock, s->board->chip_addr);
    tl_atca_init(&s->chip, &s->bus.vtable);
    if (tl_atca_detect(&s->chip, NULL) != TL_ATCA_OK)
        return fail(s, "no ATECC508A/608A on I2C", tl_atca_status_text(s->chip.last_error));
    tl_signer_chip_init(&s->signer, &s->chip, slot);
    if (tl_port_random(&s->chip, s->board->entropy, s->board->entropy_arg,
                       (uint8_t *)&s->rng, sizeof s->rng, NULL) != TL_PORT_OK)
        return fail(s, "no randomness (chip not locked, no MCU generator)", NULL);
    s->rng |= 1;   /* xorshift must not start at 0 */
    return 0;
}

static int setup_mqtt(tl_session *s)
{
    tl_mqtt_port port = { now_ms, jitter, sleep_ms, NULL };
    tl_shadow_config sc;
    tl_shadow_io io;
    tl_shadow_callbacks scb;
    size_t spare_len;
    /* The MQTT client keeps nothing in its buffers across the connect
     * callback (it encodes CONNECT and resets its decoder after it), nor
     * the journal in its work buffer between calls, so they can live in
     * the TLS validation state, dead after a handshake: tx, work, rx. */
    uint8_t *spare = tl_tls_client_spare(&s->tls, &spare_len);
    uint8_t *work = spare + TL_SESSION_MQTT_TX, *rx = work + TL_SESSION_JOURNAL_WORK;
    const char *thing = tl_config_str(&s->cfg, TL_CFG_AWS_THING_NAME);
    const char *id = tl_config_str(&s->cfg, TL_CFG_MQTT_CLIENT_ID);
    port.ctx = s;
    if (!thing[0])
        return fail(s, "aws.thing_name is empty", NULL);
    if (!id[0])
        id = thing;
    if (spare_len < TL_SESSION_MQTT_TX + TL_SESSION_JOURNAL_WORK + 1024)
        return fail(s, "MQTT buffers: TL_SESSION_MQTT_TX + JOURNAL_WORK too large", NULL);
    if (s->board->journal_flash) {
        tl_mqtt_journal_status js;
        if (tl_port_journal_flash_open(&s->jflash, s->board->journal_flash) != TL_PORT_OK)
            return fail(s, "QoS 1 journal: flash region unusable", NULL);
        js = tl_mqtt_journal_open(&s->journal, &s->jflash.vtable, work, TL_SESSION_JOURNAL_WORK,
                                  tl_port_journal_flash_capacity(&s->jflash));
        if (js != TL_MQTT_JOURNAL_OK && js != TL_MQTT_JOURNAL_ERR_FULL)
            return fail(s, "QoS 1 journal in flash", NULL);
    } else {
#if TL_SESSION_JOURNAL > 0
        tl_mqtt_journal_ram_init(&s->jstore, s->jbuf, sizeof s->jbuf, 0);
        if (tl_mqtt_journal_open(&s->journal, &s->jstore.vtable, work, TL_SESSION_JOURNAL_WORK,
                                 sizeof s->jbuf / 2) != TL_MQTT_JOURNAL_OK)
            return fail(s, "QoS 1 journal", NULL);
#else
        return fail(s, "QoS 1 journal: the board gives no flash for it", NULL);
#endif
    }
    memset(&s->mcfg, 0, sizeof s->mcfg);
    s->mcfg.connect.client_id.ptr = id;
    s->mcfg.connect.client_id.len = strlen(id);
    s->mcfg.connect.clean_session = tl_config_bool(&s->cfg, TL_CFG_MQTT_CLEAN_SESSION);
    s->mcfg.connect.keep_alive = (uint16_t)tl_config_int(&s->cfg, TL_CFG_MQTT_KEEP_ALIVE);
    s->mcfg.codec.aws_limits = 1;
    s->mcfg.reconnect_min_ms = (uint32_t)tl_config_int(&s->cfg, TL_CFG_MQTT_RECONNECT_MIN_MS);
    s->mcfg.reconnect_max_ms = (uint32_t)tl_config_int(&s->cfg, TL_CFG_MQTT_RECONNECT_MAX_MS);
    memset(&s->mcb, 0, sizeof s->mcb);
    s->mcb.connect = open_transport;
    s->mcb.on_connect = on_connect;
    s->mcb.on_suback = on_suback;
    s->mcb.on_message = on_message;
    /* A PUBLISH too big for rx reaches the shadow client without its
     * payload: it ends a GET waiting for it and tells on_shadow_error. */
    s->mcb.on_dropped = on_message;
    s->mcb.user = s;
    if (tl_mqtt_client_init(&s->mqtt, &s->mcfg, &port, &s->mcb, &s->journal, spare,
                            TL_SESSION_MQTT_TX, rx, (size_t)(spare + spare_len - rx)) !=
        TL_MQTT_CLIENT_OK)
        return fail(s, "MQTT client setup", NULL);
    memset(&sc, 0, sizeof sc);
    sc.thing = thing;
    sc.shadow = tl_config_str(&s->cfg, TL_CFG_SHADOW_NAME);
    sc.token_counter = s->rng;
    sc.qos = 1;
    memset(&scb, 0, sizeof scb);
    scb.on_delta = on_delta;
    scb.on_error = on_shadow_error;
    scb.user = s;
    tl_shadow_io_mqtt(&io, &s->mqtt);
    if (tl_shadow_init(&s->shadow, &sc, &io, &scb, s->shadow_tx, sizeof s->shadow_tx) !=
        TL_SHADOW_OK)
        return fail(s, "shadow client setup", tl_shadow_status_text(tl_shadow_last_error(&s->shadow)));
    if (strlen(thing) + 18 > sizeof s->topic)
        return fail(s, "aws.thing_name too long for the telemetry topic", NULL);
    strcpy(s->topic, "things/");
    strcat(s->topic, thing);
    strcat(s->topic, "/telemetry");
    return 0;
}

int tl_session_start(tl_session *s, const tl_board *board)
{
    tl_config_error err;
    long n;
    memset(s, 0, sizeof *s);
    s->board = board;
    tl_config_init(&s->cfg);
    n = load_text(s, TL_SESSION_CONFIG_AT, (char *)s->iobuf, sizeof s->iobuf);
    if (n < 0)
        return fail(s, "cannot read the config from flash", NULL);
    if (n == 0)
        return fail(s, "no config in flash (trustlink.json belongs at offset 0)", NULL);
    if (tl_config_load_json(&s->cfg, (const char *)s->iobuf, (size_t)n, TL_CFG_LAYER_FILE,
                            &err) != TL_CONFIG_OK)
        return fail(s, err.key[0] ? err.key : "config", err.message);
    if (parse_server(s, tl_config_str(&s->cfg, TL_CFG_MQTT_SERVER)) || setup_tls(s) ||
        setup_chip(s) || setup_mqtt(s))
        return -1;
    s->next_telemetry_ms = now_ms(s);
    return 0;
}

/* {"seq":N} without the printf family. */
static size_t telemetry(char *out, uint32_t seq)
{
    char digits[10], *d = decimal(digits + sizeof digits, seq);
    size_t k = (size_t)(digits + sizeof digits - d);
    memcpy(out, "{\"seq\":", 7);
    memcpy(out + 7, d, k);
    out[7 + k] = '}';
    return 8 + k;
}

tl_mqtt_client_status tl_session_step(tl_session *s, uint32_t timeout_ms)
{
    tl_mqtt_client_status st = tl_mqtt_client_poll(&s->mqtt, timeout_ms);
    uint32_t now = now_ms(s);
    tl_shadow_poll(&s->shadow);
    if ((int32_t)(now - s->next_telemetry_ms) >= 0) {
        char msg[24];
        size_t len = telemetry(msg, s->seq);
        if (tl_mqtt_client_publish(&s->mqtt, s->topic, strlen(s->topic), (const uint8_t *)msg,
                                   len, 1, 0, NULL) == TL_MQTT_CLIENT_OK)
            s->seq++;
        s->next_telemetry_ms =
            now + 1000u * (uint32_t)tl_config_int(&s->cfg, TL_CFG_AGENT_INTERVAL);
    }
    return st;
}
