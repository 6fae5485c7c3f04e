/*
 * bench_handshake: one device session as the device runs it, for callgrind
 * and massif: TCP connect, TLS 1.2 handshake with a client certificate
 * (key in a PEM file, or in the chip behind a bus URI), MQTT CONNECT and its
 * CONNACK, DISCONNECT. Everything the session keeps (TLS context, anchors,
 * chain, MQTT buffer; and the record buffer, sized by --iobuf) is on the
 * heap so massif sees the session's whole RAM.
 *   bench_handshake HOST PORT CA CERT (--key FILE | --chip URI --slot N) [--iobuf N]
 *                   [--offload ecdh|verify|ecdh+verify] [--ecdh-slot N]
 * --offload also sends ECDHE and/or the server's ECDSA verifications to the
 * chip (--chip; the 508A uses --ecdh-slot, 2 by default).
 * Prints "ok" and exits 0 when CONNACK accepts the connection.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atca/tl_atca_cmd.h"
#include "hal/tl_hal.h"
#include "mqtt/tl_mqtt.h"
#include "port/tl_fs.h"
#include "port/tl_tcp.h"
#include "tls/tl_signer_chip.h"
#include "tls/tl_tls.h"

typedef struct {
    tl_tls_client tls;
    tl_tls_anchors anchors;
    tl_tls_chain chain;
    tl_signer_soft soft;
    tl_signer_chip chip;
    tl_atca_device dev;
    tl_tcp tcp;
    uint8_t mqtt[256];
} session;

static int die(const char *what)
{
    fprintf(stderr, "bench_handshake: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    static char pem[16384];
    static unsigned char scratch[4096];
    session *s;
    unsigned char *iobuf;
    tl_hal hal;
    const tl_signer_class **signer = NULL;
    tl_mqtt_connect c;
    tl_mqtt_packet pkt;
    tl_mqtt_connack ack;
    char err[256];
    size_t len, used, iobuf_len = BR_SSL_BUFSIZE_BIDI;
    long n, got = 0;
    unsigned offload = 0, ecdh_slot = 2;
    int i;

    if (argc < 7)
        return die("usage: HOST PORT CA CERT (--key FILE | --chip URI --slot N) [--iobuf N]");
    s = calloc(1, sizeof *s);
    if (!s)
        return die("out of memory");
    memset(&hal, 0, sizeof hal);
    if ((n = tl_fs_read(argv[3], pem, sizeof pem, err, sizeof err)) < 0 ||
        tl_tls_anchors_add_pem(&s->anchors, pem, (size_t)n, scratch, sizeof scratch) != TL_TLS_PEM_OK)
        return die("bad CA file");
    if ((n = tl_fs_read(argv[4], pem, sizeof pem, err, sizeof err)) < 0 ||
        tl_tls_chain_add_pem(&s->chain, pem, (size_t)n) != TL_TLS_PEM_OK)
        return die("bad certificate file");
    for (i = 5; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--key") == 0) {
            uint8_t key[32];
            if ((n = tl_fs_read(argv[i + 1], pem, sizeof pem, err, sizeof err)) < 0 ||
                tl_tls_pem_decode_key(pem, (size_t)n, key) != TL_TLS_PEM_OK ||
                tl_signer_soft_init(&s->soft, key) != 0)
                return die("bad key file");
            signer = &s->soft.vtable;
        } else if (strcmp(argv[i], "--chip") == 0) {
            uint8_t rev[4];
            if (tl_hal_open(&hal, argv[i + 1], err, sizeof err) != 0)
                return die(err);
            tl_atca_init(&s->dev, hal.bus);
            if (tl_atca_detect(&s->dev, rev) != TL_ATCA_OK)
                return die("no chip");
        } else if (strcmp(argv[i], "--slot") == 0) {
            tl_signer_chip_init(&s->chip, &s->dev, (unsigned)atoi(argv[i + 1]));
            signer = &s->chip.vtable;
        } else if (strcmp(argv[i], "--offload") == 0) {
            offload = (strstr(argv[i + 1], "ecdh") ? TL_TLS_CHIP_ECDH : 0u) |
                      (strstr(argv[i + 1], "verify") ? TL_TLS_CHIP_VERIFY : 0u);
        } else if (strcmp(argv[i], "--ecdh-slot") == 0) {
            ecdh_slot = (unsigned)atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--iobuf") == 0) {
            iobuf_len = (size_t)atoi(argv[i + 1]);
            if (iobuf_len < 512 || iobuf_len > BR_SSL_BUFSIZE_BIDI)
                return die("--iobuf out of range");
        }
    }
    if (!signer)
        return die("no key");
    iobuf = malloc(iobuf_len);
    if (!iobuf)
        return die("out of memory");
    tl_tls_client_init(&s->tls, iobuf, iobuf_len, &s->anchors, signer, &s->chain);
    if (offload && tl_tls_client_use_chip(&s->tls, &s->dev, offload, ecdh_slot) != 0)
        return die("the chip cannot take this offload (--chip first?)");
    if (tl_tcp_connect(&s->tcp, argv[1], (unsigned)atoi(argv[2]), 5000, err, sizeof err) != 0)
        return die(err);
    if (tl_tls_client_connect(&s->tls, &s->tcp.vtable, "localhost", 10000) != 0)
        return die(tl_tls_error_text(tl_tls_client_error(&s->tls)));

    memset(&c, 0, sizeof c);
    c.client_id.ptr = "bench";
    c.client_id.len = 5;
    c.clean_session = 1;
    c.keep_alive = 60;
    if (tl_mqtt_encode_connect(&c, NULL, s->mqtt, sizeof s->mqtt, &len) != TL_MQTT_OK ||
        s->tls.vtable->send(&s->tls.vtable, s->mqtt, len, 5000) != (long)len)
        return die("CONNECT not sent");
    while (got < 4) {
        n = s->tls.vtable->recv(&s->tls.vtable, s->mqtt + got, sizeof s->mqtt - (size_t)got, 5000);
        if (n <= 0)
            return die("no CONNACK");
        got += n;
    }
    if (tl_mqtt_decode_packet(s->mqtt, (size_t)got, 16, &pkt, &used) != TL_MQTT_COMPLETE ||
        tl_mqtt_parse_connack(&pkt, &ack) != TL_MQTT_OK || ack.return_code != 0)
        return die("CONNACK refused");
    if ((offload & TL_TLS_CHIP_ECDH) && s->tls.chip.ecdh_ops != 1)
        return die("the chip did not do the ECDHE");
    if ((offload & TL_TLS_CHIP_VERIFY) && s->tls.chip.verify_ops == 0)
        return die("the chip verified nothing");
    if (tl_mqtt_encode_disconnect(s->mqtt, sizeof s->mqtt, &len) == TL_MQTT_OK)
        (void)s->tls.vtable->send(&s->tls.vtable, s->mqtt, len, 1000);
    s->tls.vtable->close(&s->tls.vtable);
    tl_hal_close(&hal);
    tl_signer_soft_clear(&s->soft);
    free(iobuf);
    free(s);
    puts("ok");
    return 0;
}
