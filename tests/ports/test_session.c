/*
 * tl_session (ports/common) on Linux: a whole device session set up from
 * flash (config JSON, CA and device certificate at the documented offsets),
 * the chip (the emulator behind an I2C master), the journal in flash, and a
 * network whose connections are refused by the peer. Every hostile or missing
 * input ends tl_session_start() with one sentence saying what was wrong.
 */
#include "../atca/emu_chip.h"

#include "emu_i2c.h"
#include "tl_session.h"

/* A test CA and a device certificate it signed (P-256, made with openssl). */
static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBezCCASGgAwIBAgIUfe1+kRzMfMe40sRWnjGdxh5xWkQwCgYIKoZIzj0EAwIw\n"
    "EjEQMA4GA1UEAwwHdGVzdC1jYTAgFw0yNjExMjUxMDM4NDlaGA8yMTI2MTEwMTEw\n"
    "Mzg0OVowEjEQMA4GA1UEAwwHdGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH\n"
    "A0IABF6wqkgmEauA4C6OsPgvSBmn86jrmYbuHTzq2YVtgGG0rLYRGBWww5+ymCuh\n"
    "qa4FTrR0s1O2TsdticQL/OnDoOOjUzBRMB0GA1UdDgQWBBRzQPuag1XDN/kyN9kP\n"
    "zFDmv+fQTzAfBgNVHSMEGDAWgBRzQPuag1XDN/kyN9kPzFDmv+fQTzAPBgNVHRMB\n"
    "Af8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIDZdyMwYFXkLTyVZQ76+ES/1iV0o\n"
    "dgYiPrlMjbjX9LNdAiEA4f6L/7pn9KnW39l02SBIpR05anaVMLG6v5KoUm5ToP4=\n"
    "-----END CERTIFICATE-----\n";
static const char dev_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBHTCBxAIUWsyjUej5WxRBM+j1qCZAp0EFVUEwCgYIKoZIzj0EAwIwEjEQMA4G\n"
    "A1UEAwwHdGVzdC1jYTAgFw0yNjExMjUxMDM4NDlaGA8yMTI2MTEwMTEwMzg0OVow\n"
    "DzENMAsGA1UEAwwEZGV2MTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABE2nA/70\n"
    "EiuRo8KmOy6X0rH+qk4ZHPVY73SxqL2qQEereyBxJm4F5ExWIT3LuyS4pEJK5rCq\n"
    "lmSXH2abt2c53+EwCgYIKoZIzj0EAwIDSAAwRQIhAL3fl36j/Po8lquGhjB/rKYG\n"
    "sKm9ICrFNMT6qOIMe5rEAiAobI2BOG/X/4TacCby17Ex4R2TrxtfOMbgMDW/SY23\n"
    "yA==\n"
    "-----END CERTIFICATE-----\n";

static const char good_config[] =
    "{\"mqtt\": {\"server\": \"broker.example:8883\", \"ssl_key\": \"chip:0\"},"
    " \"aws\": {\"thing_name\": \"dev1\"}, \"agent\": {\"interval\": 5}}";

/* ---- the board: virtual clock, emulator on I2C, flash in RAM, a network
 * whose peer closes every connection ---- */

typedef struct {
    const tl_port_clock_class *vtable;
    uint64_t now_us;
} vclock;

static uint32_t vc_now(const tl_port_clock_class **ctx)
{
    return (uint32_t)(((vclock *)(void *)ctx)->now_us / 1000u);
}

static void vc_delay(const tl_port_clock_class **ctx, uint32_t us)
{
    ((vclock *)(void *)ctx)->now_us += us;
}

static const tl_port_clock_class vclock_class = { vc_now, vc_delay };

typedef struct {
    const tl_transport_class *vtable;
    int closes;
} closed_peer;

static long cp_send(const tl_transport_class **ctx, const uint8_t *buf, size_t len, uint32_t ms)
{
    (void)ctx; (void)buf; (void)ms;
    return (long)len;                 /* the ClientHello goes out */
}

static long cp_recv(const tl_transport_class **ctx, uint8_t *buf, size_t len, uint32_t ms)
{
    (void)ctx; (void)buf; (void)len; (void)ms;
    return TL_TRANSPORT_CLOSED;       /* and the peer hangs up */
}

static void cp_close(const tl_transport_class **ctx)
{
    ((closed_peer *)(void *)ctx)->closes++;
}

static const tl_transport_class closed_class = { cp_send, cp_recv, cp_close };

typedef struct {
    const tl_port_net_class *vtable;
    closed_peer peer;
    int connects;
    char host[64];
    uint16_t port;
} fake_net;

static int fn_connect(const tl_port_net_class **ctx, const char *host, uint16_t port,
                      uint32_t timeout_ms, const tl_transport_class ***out)
{
    fake_net *n = (fake_net *)(void *)ctx;
    (void)timeout_ms;
    n->connects++;
    snprintf(n->host, sizeof n->host, "%s", host);
    n->port = port;
    n->peer.vtable = &closed_class;
    *out = &n->peer.vtable;
    return TL_PORT_OK;
}

static const tl_port_net_class fake_net_class = { fn_connect };

typedef struct {
    vclock clock;
    emu_i2c i2c;
    tl_port_flash_ram store, journal;
    uint8_t store_mem[0x3000], journal_mem[0x2000];
    fake_net net;
    tl_board board;
    chip *chip;
    tl_session session;
} rig;

static void put_text(rig *r, uint32_t at, const char *text)
{
    assert_int_equal(r->store.vtable->write(&r->store.vtable, at, (const uint8_t *)text,
                                            strlen(text)), TL_PORT_OK);
}

/* A board with a provisioned chip and the given flash contents (NULL: blank). */
static rig *rig_new(const char *config, const char *ca, const char *cert, int locked)
{
    rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->clock.vtable = &vclock_class;
    r->chip = chip_new(models[0], 42);
    if (locked)
        provision(r->chip);
    emu_i2c_init(&r->i2c, r->chip->emu);
    tl_port_flash_ram_init(&r->store, r->store_mem, sizeof r->store_mem, 0x1000);
    tl_port_flash_ram_init(&r->journal, r->journal_mem, sizeof r->journal_mem, 0x800);
    if (config)
        put_text(r, TL_SESSION_CONFIG_AT, config);
    if (ca)
        put_text(r, TL_SESSION_CA_AT, ca);
    if (cert)
        put_text(r, TL_SESSION_CERT_AT, cert);
    r->net.vtable = &fake_net_class;
    r->board.clock = &r->clock.vtable;
    r->board.i2c = &r->i2c.vtable;
    r->board.flash = &r->store.vtable;
    r->board.journal_flash = &r->journal.vtable;
    r->board.net = &r->net.vtable;
    r->board.chip_addr = 0x60;
    return r;
}

static void rig_free(rig *r)
{
    chip_free(r->chip);
    free(r);
}

static void test_session_starts_and_connects(void **state)
{
    rig *r = rig_new(good_config, ca_pem, dev_pem, 1);
    tl_mqtt_client_status st;
    int i;
    (void)state;
    assert_int_equal(tl_session_start(&r->session, &r->board), 0);
    assert_string_equal(r->session.host, "broker.example");
    assert_int_equal(r->session.port, 8883);
    assert_int_equal(r->session.anchors.count, 1);
    assert_int_equal(r->session.chain.count, 1);
    /* The first step publishes telemetry (QoS 1: into the flash journal)
     * and tries to connect: TCP, then TLS, which the peer ends. */
    st = tl_session_step(&r->session, 10);
    assert_int_not_equal(st, TL_MQTT_CLIENT_OK);
    assert_int_equal(r->net.connects, 1);
    assert_string_equal(r->net.host, "broker.example");
    assert_int_equal(r->net.port, 8883);
    assert_int_equal(r->net.peer.closes, 1);
    assert_non_null(strstr(r->session.why, "TLS handshake failed"));
    assert_int_equal(tl_mqtt_journal_count(&r->session.journal), 1);
    assert_true(r->journal.writes > 0);
    /* Reconnects wait for the backoff: no attempt storm. */
    for (i = 0; i < 5; i++)
        tl_session_step(&r->session, 10);
    assert_true(r->net.connects <= 2);
    rig_free(r);
}

static void test_queued_telemetry_survives_a_reset(void **state)
{
    rig *r = rig_new(good_config, ca_pem, dev_pem, 1);
    (void)state;
    assert_int_equal(tl_session_start(&r->session, &r->board), 0);
    tl_session_step(&r->session, 10);
    r->clock.now_us += 6000000;      /* the next message is due */
    tl_session_step(&r->session, 10);
    assert_int_equal(tl_mqtt_journal_count(&r->session.journal), 2);
    /* Reset: a new session over the same flash finds both messages. */
    memset(&r->session, 0xA5, sizeof r->session);
    assert_int_equal(tl_session_start(&r->session, &r->board), 0);
    assert_int_equal(tl_mqtt_journal_count(&r->session.journal), 2);
    rig_free(r);
}

static void test_bad_inputs_are_named(void **state)
{
    static const struct {
        const char *config, *ca, *cert;
        int locked, no_chip;
        const char *why;
    } cases[] = {
        { NULL, NULL, NULL, 1, 0, "no config in flash" },
        { "{\"aws\": {\"thing_name\": \"t\"}}", ca_pem, dev_pem, 1, 0, "mqtt.server" },
        { "{\"mqtt\": {\"server\": ", ca_pem, dev_pem, 1, 0, "malformed JSON" },
        { "{\"mqtt\": {\"server\": \"h:99999\"}, \"aws\": {\"thing_name\": \"t\"}}",
          ca_pem, dev_pem, 1, 0, "port must be 1..65535" },
        { "{\"mqtt\": {\"server\": \"h:8883\", \"ssl_key\": \"key.pem\"},"
          " \"aws\": {\"thing_name\": \"t\"}}", ca_pem, dev_pem, 1, 0, "chip:SLOT" },
        { "{\"mqtt\": {\"server\": \"h:8883\", \"ssl_key\": \"chip:16\"},"
          " \"aws\": {\"thing_name\": \"t\"}}", ca_pem, dev_pem, 1, 0, "slot must be 0..15" },
        { good_config, NULL, dev_pem, 1, 0, "no trust anchors" },
        { good_config, "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
          dev_pem, 1, 0, "trust anchors" },
        { good_config, ca_pem, NULL, 1, 0, "no device certificate" },
        { good_config, ca_pem, dev_pem, 1, 1, "no ATECC508A/608A on I2C" },
        { good_config, ca_pem, dev_pem, 0, 0, "no randomness" },
        { "{\"mqtt\": {\"server\": \"h:8883\"}}", ca_pem, dev_pem, 1, 0, "aws.thing_name is empty" },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rig *r = rig_new(cases[i].config, cases[i].ca, cases[i].cert, cases[i].locked);
        if (cases[i].no_chip)
            r->i2c.emu = NULL;
        print_message("case %zu: want \"%s\"\n", i, cases[i].why);
        assert_int_equal(tl_session_start(&r->session, &r->board), -1);
        print_message("         got \"%s\"\n", r->session.why);
        assert_non_null(strstr(r->session.why, cases[i].why));
        assert_int_equal(r->net.connects, 0);
        rig_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_starts_and_connects),
        cmocka_unit_test(test_queued_telemetry_survives_a_reset),
        cmocka_unit_test(test_bad_inputs_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
