/* The CLI's MQTT session: config -> transport, TLS, client, journal. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../atca/tl_atca_cert.h"
#include "../port/tl_fs.h"
#include "../tls/tl_signer_chip.h"
#include "cli_mqtt.h"

uint32_t tl_cli_mqtt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static uint32_t port_now(void *ctx)
{
    (void)ctx;
    return tl_cli_mqtt_now();
}

static uint32_t port_random(void *ctx)
{
    unsigned *seed = ctx;
    *seed = *seed * 1103515245u + 12345u;   /* jitter only: no secrecy needed */
    return *seed >> 8;
}

static void port_sleep(void *ctx, uint32_t ms)
{
    struct timespec ts;
    (void)ctx;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}


/* The client's connect callback: TCP, then TLS over it. */
static const tl_transport_class **open_transport(void *user)
{
    tl_cli_mqtt *m = user;
    char err[256];
    if (tl_tcp_connect(&m->tcp, m->host, m->port, 5000, err, sizeof err) != 0) {
        snprintf(m->err, sizeof m->err, "mqtt.server: %s", err);
        return NULL;
    }
    if (!m->use_tls)
        return &m->tcp.vtable;
    tl_tls_client_init(&m->tls, m->iobuf, sizeof m->iobuf, &m->anchors,
                       m->have_signer ? m->signer.signer : NULL,
                       m->chain.count ? &m->chain : NULL);
    tl_tls_client_set_crl(&m->tls, m->have_crl ? &m->crl : NULL);
    if (tl_tls_client_use_chip(&m->tls, m->chip_plan.dev, m->chip_plan.flags,
                               m->chip_plan.ecdh_slot) != 0) {
        snprintf(m->err, sizeof m->err, "the chip cannot take tls.chip_ecdh/tls.chip_verify");
        m->tcp.vtable->close(&m->tcp.vtable);
        return NULL;
    }
    tl_tls_client_set_time(&m->tls, (uint64_t)time(NULL));
    if (m->alpn[0])
        tl_tls_client_set_alpn(&m->tls, m->alpn);
    if (tl_tls_client_connect(&m->tls, &m->tcp.vtable, m->host, 10000) != 0) {
        int e = tl_tls_client_error(&m->tls);
        char hex[2 * TL_TLS_CRL_SERIAL_MAX + 1], serial[2 * TL_TLS_CRL_SERIAL_MAX + 32] = "";
        if (e == TL_TLS_ERR_REVOKED)
            snprintf(serial, sizeof serial, ": serial %s in mqtt.ssl_crl",
                     tl_tls_client_revoked_serial(&m->tls, hex, sizeof hex));
        snprintf(m->err, sizeof m->err, "TLS connection to %s:%u failed: %s%s%s%s", m->host,
                 m->port, tl_tls_error_text(e),
                 e == BR_ERR_X509_NOT_TRUSTED ? " - check mqtt.ssl_ca_cert " : "",
                 e == BR_ERR_X509_NOT_TRUSTED ? m->ca_path : "", serial);
        m->tcp.vtable->close(&m->tcp.vtable);
        return NULL;
    }
    return &m->tls.vtable;
}

static void on_log(void *user, tl_mqtt_client_event ev, uint32_t detail)
{
    tl_cli_mqtt *m = user;
    const char *what = tl_mqtt_client_event_text(ev), *why = tl_mqtt_client_detail_text(ev, detail);
    if ((m->ever_connected || m->verbose) && ev == TL_MQTT_LOG_CANNOT_CONNECT)
        fprintf(stderr, "trustlink: reconnect failed: %s\n", m->err);
    else if (m->ever_connected || m->verbose)
        fprintf(stderr, "trustlink: %s%s%s\n", what, why[0] ? ": " : "", why);
    /* Keep the reason of a failed first attempt for the final error. */
    if (!m->ever_connected && ev != TL_MQTT_LOG_CANNOT_CONNECT)
        snprintf(m->err, sizeof m->err, "%s%s%s", what, why[0] ? ": " : "", why);
}

static int load_pem(const char *key, const char *path, char *buf, size_t cap, long *n)
{
    char err[300];
    *n = tl_fs_read(path, buf, cap, err, sizeof err);
    if (*n < 0)
        return tl_cli_fail("%s: %s", key, err);
    return 0;
}

/* mqtt.ssl_cert=chip:N: the certificate aws-iot-setup --cert-slot stored in
 * the chip, read through the signer's connection (mqtt.ssl_key=chip:...). */
static int chain_from_chip(tl_cli_mqtt *m, const char *cert)
{
    static uint8_t der[1024];
    static char pem[2048];
    tl_atca_device *dev = tl_cli_signer_device(&m->signer);
    char *end;
    long slot = strtol(cert + 5, &end, 10);
    size_t len, n;
    tl_atca_status st;
    tl_tls_pem_status ps;
    if (end == cert + 5 || *end || slot < 8 || slot > 15)
        return tl_cli_fail("mqtt.ssl_cert=%s: expected chip:SLOT with SLOT 8..15", cert);
    if (!dev)
        return tl_cli_fail("mqtt.ssl_cert=%s needs mqtt.ssl_key=chip:SLOT (the chip)", cert);
    if ((st = tl_atca_cert_load(dev, (unsigned)slot, der, sizeof der, &len)) != TL_ATCA_OK)
        return tl_cli_fail("mqtt.ssl_cert=%s: %s", cert,
                           st == TL_ATCA_ERR_ARG ? "no certificate stored from that slot on"
                                                 : tl_atca_status_text(st));
    n = br_pem_encode(pem, der, len, "CERTIFICATE", BR_PEM_LINE64);
    if ((ps = tl_tls_chain_add_pem(&m->chain, pem, n)) != TL_TLS_PEM_OK)
        return tl_cli_fail("mqtt.ssl_cert=%s: %s", cert, tl_tls_pem_status_text(ps));
    return 0;
}

/* auto|on|off -> 2|1|0, -1 for anything else. */
static int offload_mode(const char *v)
{
    return strcmp(v, "auto") == 0 ? 2 : strcmp(v, "on") == 0 ? 1 : strcmp(v, "off") == 0 ? 0 : -1;
}

/* tls.chip_ecdh / tls.chip_verify / tls.chip_ecdh_slot -> the offload,
 * kept in m->chip_plan for each connection's tl_tls_client_use_chip. */
static int setup_offload(tl_cli_mqtt *m, const tl_config *cfg)
{
    const char *e = tl_config_str(cfg, TL_CFG_TLS_CHIP_ECDH);
    const char *v = tl_config_str(cfg, TL_CFG_TLS_CHIP_VERIFY);
    int ecdh = offload_mode(e), verify = offload_mode(v);
    tl_atca_device *dev = m->have_signer ? tl_signer_chip_device(m->signer.signer) : NULL;
    unsigned what = 0, def = 0, slot = (unsigned)tl_config_int(cfg, TL_CFG_TLS_CHIP_ECDH_SLOT);
    if (ecdh < 0)
        return tl_cli_fail("tls.chip_ecdh=%s: expected auto, on or off", e);
    if (verify < 0)
        return tl_cli_fail("tls.chip_verify=%s: expected auto, on or off", v);
    if (!dev) {
        if (ecdh == 1 || verify == 1)
            return tl_cli_fail("tls.chip_%s=on needs the key in the chip (mqtt.ssl_key=chip:SLOT "
                               "and mqtt.ssl_cert)", ecdh == 1 ? "ecdh" : "verify");
        return 0;
    }
    tl_tls_chip_default(dev->model, &def);
    if (ecdh == 1 || (ecdh == 2 && (def & TL_TLS_CHIP_ECDH)))
        what |= TL_TLS_CHIP_ECDH;
    if (verify == 1 || (verify == 2 && (def & TL_TLS_CHIP_VERIFY)))
        what |= TL_TLS_CHIP_VERIFY;
    if ((what & TL_TLS_CHIP_ECDH) && dev->model == TL_ATCA_MODEL_508A) {
        if ((int)slot == tl_signer_chip_slot(m->signer.signer))
            return tl_cli_fail("tls.chip_ecdh_slot=%u holds the device key (mqtt.ssl_key): "
                               "ECDHE would overwrite it; pick a spare key slot", slot);
        fprintf(stderr, "trustlink: warning: tls.chip_ecdh=on on an ATECC508A writes a new key "
                        "into slot %u's EEPROM on every handshake (limited write endurance)\n",
                slot);
    }
    m->chip_plan.dev = dev;
    m->chip_plan.flags = what;
    m->chip_plan.ecdh_slot = slot;
    return 0;
}

/* mqtt.ssl_crl: the CAs' revoked server certificates, checked by every
 * handshake of the session. */
static int load_crl(tl_cli_mqtt *m, const char *path, char *buf, size_t cap,
                    unsigned char *scratch, size_t scratch_len)
{
    tl_tls_crl_status st;
    long n;
    if (load_pem("mqtt.ssl_crl", path, buf, cap, &n))
        return TL_CLI_EXIT_FAIL;
    tl_tls_crl_init(&m->crl);
    st = tl_tls_crl_add(&m->crl, &m->anchors, buf, (size_t)n, (uint64_t)time(NULL), scratch,
                        scratch_len);
    if (st != TL_TLS_CRL_OK)
        return tl_cli_fail("mqtt.ssl_crl: %s: %s", path, tl_tls_crl_status_text(st));
    m->have_crl = 1;
    return 0;
}

/* Trust anchors, CRL, client chain and signer from the config. */
static int setup_tls(tl_cli_mqtt *m, const tl_config *cfg)
{
    static char pem[65536];
    static unsigned char scratch[8192];
    const char *cert = tl_config_str(cfg, TL_CFG_MQTT_SSL_CERT);
    tl_tls_pem_status st;
    long n;
    char err[512];
    snprintf(m->ca_path, sizeof m->ca_path, "%s", tl_config_str(cfg, TL_CFG_MQTT_SSL_CA_CERT));
    if (load_pem("mqtt.ssl_ca_cert", m->ca_path, pem, sizeof pem, &n))
        return TL_CLI_EXIT_FAIL;
    st = tl_tls_anchors_add_pem(&m->anchors, pem, (size_t)n, scratch, sizeof scratch);
    if (st != TL_TLS_PEM_OK)
        return tl_cli_fail("mqtt.ssl_ca_cert: %s: %s", m->ca_path, tl_tls_pem_status_text(st));
    if (tl_config_str(cfg, TL_CFG_MQTT_SSL_CRL)[0] &&
        load_crl(m, tl_config_str(cfg, TL_CFG_MQTT_SSL_CRL), pem, sizeof pem, scratch,
                 sizeof scratch))
        return TL_CLI_EXIT_FAIL;
    if (!cert[0]) {
        fprintf(stderr, "trustlink: mqtt.ssl_cert is empty: connecting without a client "
                        "certificate\n");
        return 0;
    }
    if (tl_cli_signer_open(cfg, &m->signer, err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    m->have_signer = 1;
    if (setup_offload(m, cfg))
        return TL_CLI_EXIT_FAIL;
    if (strncmp(cert, "chip:", 5) == 0)
        return chain_from_chip(m, cert);
    if (load_pem("mqtt.ssl_cert", cert, pem, sizeof pem, &n))
        return TL_CLI_EXIT_FAIL;
    if ((st = tl_tls_chain_add_pem(&m->chain, pem, (size_t)n)) != TL_TLS_PEM_OK)
        return tl_cli_fail("mqtt.ssl_cert: %s: %s", cert, tl_tls_pem_status_text(st));
    return 0;
}

static int parse_server(tl_cli_mqtt *m, const char *server)
{
    const char *colon = strrchr(server, ':');
    char *end;
    long port;
    size_t hl = colon ? (size_t)(colon - server) : strlen(server);
    if (!server[0])
        return tl_cli_fail("mqtt.server is empty (set host:port, for example localhost:8883)");
    if (hl == 0 || hl >= sizeof m->host)
        return tl_cli_fail("mqtt.server '%s': expected host:port", server);
    memcpy(m->host, server, hl);
    m->host[hl] = '\0';
    if (!colon) {
        m->port = m->use_tls ? 8883 : 1883;
        return 0;
    }
    port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 1 || port > 65535)
        return tl_cli_fail("mqtt.server '%s': port must be 1..65535", server);
    m->port = (unsigned)port;
    return 0;
}

int tl_cli_mqtt_open(tl_cli_mqtt *m, const tl_config *cfg, const char *client_id,
                     int with_journal, const tl_mqtt_callbacks *cb)
{
    tl_mqtt_port port = { port_now, port_random, port_sleep, NULL };
    const char *id = client_id;
    char err[600];
    tl_mqtt_client_status cs;

    m->use_tls = tl_config_str(cfg, TL_CFG_MQTT_SSL_CA_CERT)[0] != '\0';
    if (parse_server(m, tl_config_str(cfg, TL_CFG_MQTT_SERVER)))
        return TL_CLI_EXIT_FAIL;
    if (!id || !id[0])
        id = tl_config_str(cfg, TL_CFG_MQTT_CLIENT_ID);
    if (!id[0])
        id = tl_config_str(cfg, TL_CFG_AWS_THING_NAME);
    if (!id[0])
        id = tl_config_str(cfg, TL_CFG_DEVICE_ID);
    if (!id[0])
        return tl_cli_fail("no client id: set mqtt.client_id (or aws.thing_name, device.id) "
                           "or pass -i");
    if (strlen(id) >= sizeof m->client_id)
        return tl_cli_fail("client id '%s' is longer than 128 bytes", id);
    snprintf(m->client_id, sizeof m->client_id, "%s", id);
    snprintf(m->alpn, sizeof m->alpn, "%s", tl_config_str(cfg, TL_CFG_MQTT_ALPN));
    if (!m->use_tls)
        fprintf(stderr, "trustlink: mqtt.ssl_ca_cert is empty: connecting to %s:%u over plain "
                        "TCP, without TLS\n", m->host, m->port);
    else if (setup_tls(m, cfg))
        return TL_CLI_EXIT_FAIL;
    if (with_journal) {
        const char *path = tl_config_str(cfg, TL_CFG_MQTT_QUEUE_PATH);
        tl_mqtt_journal_status js;
        if (tl_journal_file_open(&m->jfile, path, err, sizeof err) != 0)
            return tl_cli_fail("%s", err);
        js = tl_mqtt_journal_open(&m->journal, &m->jfile.vtable, m->work, sizeof m->work,
                                  (uint32_t)tl_config_int(cfg, TL_CFG_MQTT_QUEUE_MAX_BYTES));
        if (js != TL_MQTT_JOURNAL_OK && js != TL_MQTT_JOURNAL_ERR_FULL)
            return tl_cli_fail("mqtt.queue_path: %s: %s", path, tl_mqtt_journal_status_text(js));
        if (m->journal.skipped)
            fprintf(stderr, "trustlink: %s: skipped %lu damaged bytes (an interrupted write)\n",
                    path, (unsigned long)m->journal.skipped);
        if (tl_mqtt_journal_count(&m->journal))
            fprintf(stderr, "trustlink: %s: %zu unacknowledged messages from before, sending "
                            "them again\n", path, tl_mqtt_journal_count(&m->journal));
        m->have_journal = 1;
    }
    m->seed = (unsigned)time(NULL) ^ (unsigned)getpid() << 16;
    port.ctx = &m->seed;
    memset(&m->ccfg, 0, sizeof m->ccfg);
    m->ccfg.connect.client_id.ptr = m->client_id;
    m->ccfg.connect.client_id.len = strlen(m->client_id);
    m->ccfg.connect.clean_session = tl_config_bool(cfg, TL_CFG_MQTT_CLEAN_SESSION);
    m->ccfg.connect.keep_alive = (uint16_t)tl_config_int(cfg, TL_CFG_MQTT_KEEP_ALIVE);
    m->ccfg.codec.aws_limits = 1;
    m->ccfg.reconnect_min_ms = (uint32_t)tl_config_int(cfg, TL_CFG_MQTT_RECONNECT_MIN_MS);
    m->ccfg.reconnect_max_ms = (uint32_t)tl_config_int(cfg, TL_CFG_MQTT_RECONNECT_MAX_MS);
    m->cb = *cb;
    m->cb.connect = open_transport;
    if (!m->cb.log)
        m->cb.log = on_log;
    m->cb.user = m;
    cs = tl_mqtt_client_init(&m->client, &m->ccfg, &port, &m->cb,
                             m->have_journal ? &m->journal : NULL, m->tx, sizeof m->tx,
                             m->rx, sizeof m->rx);
    if (cs != TL_MQTT_CLIENT_OK)
        return tl_cli_fail("MQTT client: %s", tl_mqtt_client_status_text(cs));
    return 0;
}

int tl_cli_mqtt_connect(tl_cli_mqtt *m, uint32_t timeout_ms)
{
    uint32_t start = tl_cli_mqtt_now();
    /* Done at the first accepted CONNACK, even if that connection is lost
     * again within the same poll (a broker refusing the first message we
     * replay): the client reconnects by itself from there. */
    while (tl_mqtt_client_get_state(&m->client) != TL_MQTT_CLIENT_CONNECTED &&
           !m->client.connections) {
        tl_mqtt_client_status cs = tl_mqtt_client_poll(&m->client, 200);
        if (cs != TL_MQTT_CLIENT_OK && !m->ever_connected && !m->client.connections)
            return tl_cli_fail("%s", m->err[0] ? m->err : tl_mqtt_client_status_text(cs));
        if (tl_cli_mqtt_now() - start > timeout_ms)
            return tl_cli_fail("no connection to %s:%u within %u s", m->host, m->port,
                               (unsigned)(timeout_ms / 1000));
    }
    m->ever_connected = 1;
    return 0;
}

void tl_cli_mqtt_close(tl_cli_mqtt *m)
{
    tl_mqtt_client_disconnect(&m->client);
    if (m->have_journal)
        tl_journal_file_close(&m->jfile);
    if (m->have_signer)
        tl_cli_signer_close(&m->signer);
}
