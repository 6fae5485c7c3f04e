/*
 * The device's MQTT session as the CLI sets it up from the config:
 * mqtt.server (host:port), TLS with mqtt.ssl_ca_cert / mqtt.ssl_cert /
 * mqtt.ssl_key / mqtt.alpn (plain TCP when mqtt.ssl_ca_cert is empty),
 * client id, keep-alive, clean session, reconnect backoff, and the QoS 1
 * journal at mqtt.queue_path. Host side (C11); used by cmd_mqtt.c.
 */
#ifndef TL_CLI_MQTT_H
#define TL_CLI_MQTT_H

#include <stdint.h>

#include "../mqtt/tl_mqtt_client.h"
#include "../port/tl_journal_file.h"
#include "../port/tl_tcp.h"
#include "../tls/tl_tls.h"
#include "cli_signer.h"
#include "tl_cli.h"

typedef struct {
    tl_mqtt_client client;
    tl_mqtt_client_config ccfg;
    tl_mqtt_callbacks cb;         /* the command's callbacks; connect is ours */
    char host[256];
    unsigned port;
    int use_tls;
    tl_tcp tcp;
    tl_tls_client tls;
    tl_tls_anchors anchors;
    tl_tls_chain chain;
    tl_tls_crl crl;               /* mqtt.ssl_crl, when have_crl */
    int have_crl;
    tl_tls_chip chip_plan;        /* tls.chip_*: what each connection offloads */
    tl_cli_signer signer;
    int have_signer;
    char ca_path[256];
    char alpn[65];
    char client_id[129];
    int ever_connected;
    int verbose;                  /* log reconnects on stderr */
    unsigned seed;                /* backoff jitter */
    void *app;                    /* the command's state: callbacks get m */
    char err[1024];               /* why the last connection attempt failed */
    tl_journal_file jfile;
    tl_mqtt_journal journal;
    int have_journal;
    uint8_t tx[1024];
    uint8_t rx[140 * 1024];       /* a whole AWS-sized publish */
    uint8_t work[140 * 1024];     /* one journal record */
    unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
} tl_cli_mqtt;

/*
 * Set up m from cfg: client id (client_id if non-NULL, else mqtt.client_id,
 * aws.thing_name, device.id), TLS material, and the journal if with_journal.
 * cb carries the command's callbacks (connect is filled in here); they are
 * called with m as user, and m->app is the command's own state. Returns 0
 * or prints one error and returns TL_CLI_EXIT_FAIL.
 */
int tl_cli_mqtt_open(tl_cli_mqtt *m, const tl_config *cfg, const char *client_id,
                     int with_journal, const tl_mqtt_callbacks *cb);

/* Poll until connected. A failure before the first connection is final: the
 * reason is printed and TL_CLI_EXIT_FAIL returned. */
int tl_cli_mqtt_connect(tl_cli_mqtt *m, uint32_t timeout_ms);

/* Disconnect, close the journal and the signer. */
void tl_cli_mqtt_close(tl_cli_mqtt *m);

/* Monotonic milliseconds (the port's clock). */
uint32_t tl_cli_mqtt_now(void);

#endif
