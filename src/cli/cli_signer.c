/* Opening the signer named by mqtt.ssl_key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../atca/tl_atca_cmd.h"
#include "../hal/tl_hal.h"
#include "../port/tl_fs.h"
#include "../tls/tl_signer_chip.h"
#include "../tls/tl_tls.h"
#include "cli_signer.h"

struct tl_cli_chip_signer {
    tl_hal hal;
    tl_atca_device dev;
    tl_signer_chip signer;
};

static int open_chip(const tl_config *cfg, const char *key, tl_cli_signer *s, char *err,
                     size_t errcap)
{
    const char *uri = tl_config_str(cfg, TL_CFG_CHIP_URI);
    char *end;
    long slot = strtol(key + 5, &end, 10);
    uint8_t rev[4];
    tl_atca_status st;
    tl_cli_chip_signer *c;

    if (end == key + 5 || *end || slot < 0 || slot > 15) {
        snprintf(err, errcap, "mqtt.ssl_key=%s: expected chip:SLOT with SLOT 0..15", key);
        return -1;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    if (tl_hal_open(&c->hal, uri, err, errcap) != 0) {
        free(c);
        return -1;
    }
    tl_atca_init(&c->dev, c->hal.bus);
    st = tl_atca_detect(&c->dev, rev);
    if (st != TL_ATCA_OK) {
        snprintf(err, errcap, "chip at %s: %s", c->hal.desc, tl_atca_status_text(st));
        tl_hal_close(&c->hal);
        free(c);
        return -1;
    }
    tl_signer_chip_init(&c->signer, &c->dev, (unsigned)slot);
    s->chip = c;
    s->signer = &c->signer.vtable;
    return 0;
}

static int open_soft(const char *path, tl_cli_signer *s, char *err, size_t errcap)
{
    char pem[8192], ferr[256];
    uint8_t key[32];
    long n = tl_fs_read(path, pem, sizeof pem, ferr, sizeof ferr);
    tl_tls_pem_status st;
    if (n < 0) {
        snprintf(err, errcap, "mqtt.ssl_key: %s", ferr);
        return -1;
    }
    st = tl_tls_pem_decode_key(pem, (size_t)n, key);
    memset(pem, 0, sizeof pem);
    if (st != TL_TLS_PEM_OK) {
        snprintf(err, errcap, "mqtt.ssl_key: %s: %s", path,
                 st == TL_TLS_PEM_BAD_CERT ? "not a P-256 private key"
                                           : tl_tls_pem_status_text(st));
        return -1;
    }
    if (tl_signer_soft_init(&s->soft, key) != 0) {
        memset(key, 0, sizeof key);
        snprintf(err, errcap, "mqtt.ssl_key: %s: invalid P-256 private key", path);
        return -1;
    }
    memset(key, 0, sizeof key);
    fprintf(stderr, "trustlink: warning: using a software key (%s); anyone who can read "
                    "this file can impersonate the device. Use mqtt.ssl_key=chip:0.\n", path);
    s->signer = &s->soft.vtable;
    return 0;
}

int tl_cli_signer_open(const tl_config *cfg, tl_cli_signer *s, char *err, size_t errcap)
{
    const char *key = tl_config_str(cfg, TL_CFG_MQTT_SSL_KEY);
    memset(s, 0, sizeof *s);
    if (strncmp(key, "chip:", 5) == 0)
        return open_chip(cfg, key, s, err, errcap);
    if (!key[0]) {
        snprintf(err, errcap, "mqtt.ssl_key is empty (set chip:SLOT or a PEM key file)");
        return -1;
    }
    return open_soft(key, s, err, errcap);
}

void tl_cli_signer_close(tl_cli_signer *s)
{
    if (s->chip) {
        (void)tl_atca_sleep(&s->chip->dev);
        tl_hal_close(&s->chip->hal);
        free(s->chip);
        s->chip = NULL;
    }
    tl_signer_soft_clear(&s->soft);
    s->signer = NULL;
}

tl_atca_device *tl_cli_signer_device(tl_cli_signer *s)
{
    return s->chip ? &s->chip->dev : NULL;
}
