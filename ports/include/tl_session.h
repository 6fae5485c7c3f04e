/*
 * tl_session: a connected device on an MCU, as a firmware's main loop would
 * run it: configuration and certificates from flash, the chip on I2C, TLS
 * with the chip signing, MQTT with the QoS 1 journal, the Device Shadow.
 * It is the reference for porting (ports/README.md) and the image that
 * `make size` links for each target to measure a whole connected session.
 *
 * Everything lives in one caller-owned tl_session (a static object in a
 * firmware: its size is the session's RAM, reported by `make size`).
 *
 * Flash layout of the region the board gives to trustlink (tl_port_flash):
 *   0x0000  config JSON, as trustlink.json (ends at the first NUL or 0xFF)
 *   0x1000  broker trust anchors, PEM (mqtt.ssl_ca_cert)
 *   0x2000  device certificate chain, PEM (mqtt.ssl_cert)
 * mqtt.server is host:port; mqtt.ssl_key must be chip:SLOT (an MCU keeps no
 * private key of its own).
 */
#ifndef TL_SESSION_H
#define TL_SESSION_H

#include "../../src/config/tl_config.h"
#include "../../src/mqtt/tl_mqtt_client.h"
#include "../../src/shadow/tl_shadow.h"
#include "../../src/tls/tl_signer_chip.h"
#include "../../src/tls/tl_tls.h"
#include "tl_port.h"

#define TL_SESSION_CONFIG_AT 0x0000u
#define TL_SESSION_CA_AT     0x1000u
#define TL_SESSION_CERT_AT   0x2000u
#define TL_SESSION_PEM_MAX   0x1000u

/* Buffers: override with -D. A TLS record buffer below 16,709 bytes makes
 * the client ask for max_fragment_length (see tl_tls.h). */
#ifndef TL_SESSION_IOBUF
#define TL_SESSION_IOBUF 6144
#endif
/* The MQTT packet buffers and the QoS 1 journal's work buffer hold nothing
 * across a TLS handshake, so they live in the TLS client's validation state
 * (tl_tls_client_spare, about 4.2 KB on an MCU), dead after each handshake,
 * and cost no RAM of their own: TL_SESSION_MQTT_TX bytes for outgoing
 * packets, TL_SESSION_JOURNAL_WORK for one journal record (it bounds every
 * QoS 1 message: a shadow report of about 900 bytes of state with the
 * default), and the rest (about 2.1 KB) for the largest incoming publish
 * (shadow documents). */
#ifndef TL_SESSION_MQTT_TX
#define TL_SESSION_MQTT_TX 1024
#endif
#ifndef TL_SESSION_JOURNAL_WORK
#define TL_SESSION_JOURNAL_WORK 1024
#endif
#ifndef TL_SESSION_JOURNAL
#define TL_SESSION_JOURNAL 4096      /* QoS 1 journal in RAM; 0: flash only */
#endif
#ifndef TL_SESSION_SHADOW_TX
#define TL_SESSION_SHADOW_TX TL_SHADOW_TX_MIN
#endif

/* What the board provides (tl_port.h). */
typedef struct {
    const tl_port_clock_class **clock;
    const tl_port_i2c_class **i2c;
    const tl_port_flash_class **flash;
    /* Flash for the QoS 1 journal (two sectors or more), so queued messages
     * survive a reset; NULL keeps the journal in RAM (TL_SESSION_JOURNAL). */
    const tl_port_flash_class **journal_flash;
    const tl_port_net_class **net;
    tl_port_entropy_fn entropy;      /* the MCU's generator, or NULL */
    void *entropy_arg;
    uint8_t chip_addr;               /* 7-bit, 0x60 usually */
} tl_board;

typedef struct {
    const tl_board *board;
    tl_config cfg;
    tl_port_i2c_bus bus;
    tl_atca_device chip;
    tl_signer_chip signer;
    tl_tls_anchors anchors;
    tl_tls_chain chain;
    tl_tls_client tls;
    unsigned char iobuf[TL_SESSION_IOBUF];
    char host[128];
    uint16_t port;
    uint32_t rng;                    /* backoff jitter, seeded from the chip */
    tl_mqtt_client mqtt;
    tl_mqtt_client_config mcfg;
    tl_mqtt_callbacks mcb;
#if TL_SESSION_JOURNAL > 0
    tl_mqtt_journal_ram jstore;
#endif
    tl_port_journal_flash jflash;
    tl_mqtt_journal journal;
#if TL_SESSION_JOURNAL > 0
    uint8_t jbuf[TL_SESSION_JOURNAL];
#endif
    tl_shadow_client shadow;
    char shadow_tx[TL_SESSION_SHADOW_TX];
    char topic[128];
    uint32_t next_telemetry_ms;
    uint32_t seq;
    char why[96];                    /* the last failure, one sentence */
} tl_session;

/*
 * Load the config and certificates from flash, find the chip, set up TLS
 * (seeded from the chip's randomness), MQTT and the shadow client. Returns
 * 0, or -1 with s->why saying what was wrong.
 */
int tl_session_start(tl_session *s, const tl_board *board);

/*
 * One turn of the main loop: MQTT I/O (connecting and reconnecting as
 * needed), shadow timeouts, and a QoS 1 telemetry message every
 * agent.interval seconds. Returns the MQTT client's status.
 */
tl_mqtt_client_status tl_session_step(tl_session *s, uint32_t timeout_ms);

#endif
