/* aws-iot-setup, steps 1-4: find the chip, configure and lock it, the key,
 * the CSR. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../atca/tl_atca_setup.h"
#include "../tls/tl_signer_chip.h"
#include "setup.h"

/* 7-bit addresses: the factory default, then Microchip's pre-provisioned
 * Trust&GO (0x35) and TrustFLEX (0x36) parts. */
static const uint8_t probe_addrs[] = { 0x60, 0x35, 0x36 };

static int try_uri(setup_ctx *s, const char *uri)
{
    char err[512];
    if (chip_open_uri(&s->chip, uri, s->trace, err, sizeof err) != 0) {
        setup_say("      %s: %s", uri, err);
        return -1;
    }
    snprintf(s->chip_desc, sizeof s->chip_desc, "%s", s->chip.hal.desc);
    return 0;
}

/* Candidates in order: --chip; else $TRUSTLINK_CHIP and the config's
 * chip.uri when they name a chip; else every /dev/i2c-N at each address. */
static int find_chip(setup_ctx *s, const char *config_uri)
{
    const char *env = getenv("TRUSTLINK_CHIP");
    char uri[64];
    int bus, tried = 0;
    size_t i;
    if (strcmp(s->chip_uri, "none") == 0) {
        setup_say("      --chip none: not looking for a chip");
        return -1;
    }
    if (strcmp(s->chip_uri, "auto") != 0)
        return try_uri(s, s->chip_uri);
    if (env && env[0] && strcmp(env, "auto") != 0) {
        tried++;
        if (try_uri(s, env) == 0)
            return 0;
    }
    if (config_uri && config_uri[0] && strcmp(config_uri, "auto") != 0 &&
        !(env && strcmp(env, config_uri) == 0)) {
        tried++;
        if (try_uri(s, config_uri) == 0)
            return 0;
    }
    for (bus = 0; bus < 16; bus++) {
        struct stat st;
        char dev[32];
        snprintf(dev, sizeof dev, "/dev/i2c-%d", bus);
        if (stat(dev, &st) != 0)
            continue;
        for (i = 0; i < sizeof probe_addrs; i++) {
            tried++;
            snprintf(uri, sizeof uri, "i2c:%s@0x%02x", dev, probe_addrs[i]);
            if (try_uri(s, uri) == 0)
                return 0;
        }
    }
    if (!tried)
        setup_say("      no I2C bus (/dev/i2c-N) and no emulator named by TRUSTLINK_CHIP "
                  "or chip.uri");
    return -1;
}

int setup_detect(setup_ctx *s)
{
    char config_uri[160] = "";
    tl_config cfg;
    tl_cli file_only;
    tl_atca_status st;
    char sn[19];
    memset(&file_only, 0, sizeof file_only);
    file_only.config_path = s->config_path;
    if (tl_cli_load_config(&file_only, &cfg, 0) == 0)
        snprintf(config_uri, sizeof config_uri, "%s", tl_config_str(&cfg, TL_CFG_CHIP_URI));
    if (find_chip(s, config_uri) != 0) {
        if (s->allow_soft)
            return 0;
        return tl_cli_fail("no ATECC508A/608A found (tried the places above); connect one, "
                           "name it with --chip i2c:/dev/i2c-N[@0x60] or emu:PATH, or use "
                           "--allow-software-key to keep the key in a file (it can be stolen)");
    }
    s->have_chip = 1;
    s->model = tl_atca_model_name(s->chip.dev.model);
    if ((st = tl_atca_read_serial(&s->chip.dev, s->serial)) != TL_ATCA_OK ||
        (st = tl_atca_read_config(&s->chip.dev, s->cfg)) != TL_ATCA_OK ||
        (st = tl_atca_lock_state(&s->chip.dev, &s->config_locked, &s->data_locked)) !=
            TL_ATCA_OK)
        return chip_fail(&s->chip, st, "reading the chip's identity and locks");
    chip_hex(s->serial, sizeof s->serial, sn);
    setup_say("      found %s at %s: revision %02x%02x%02x%02x, serial %s, config zone %s, "
              "data zone %s", s->model, s->chip_desc, s->cfg[4], s->cfg[5], s->cfg[6],
              s->cfg[7], sn, s->config_locked ? "locked" : "unlocked",
              s->data_locked ? "locked" : "unlocked");
    return 0;
}

/* One requirement on a slot's SlotConfig or KeyConfig bit. */
typedef struct {
    int key_config;       /* 0 SlotConfig, 1 KeyConfig */
    unsigned bit;
    int want;
    const char *what;
} slot_rule;

static const slot_rule key_rules[] = {
    { 1, 0, 1, "Private: the slot holds a private key" },
    { 1, 2, 0, "KeyType bit 0 (must be 4 = P-256)" },
    { 1, 3, 0, "KeyType bit 1 (must be 4 = P-256)" },
    { 1, 4, 1, "KeyType bit 2 (must be 4 = P-256)" },
    { 1, 7, 0, "ReqAuth: use would need an authorization key" },
    { 0, 0, 1, "ReadKey bit 0: Sign of external messages (the TLS handshake)" },
    { 0, 7, 1, "IsSecret: the key must never be readable" },
};
static const slot_rule genkey_rule = { 0, 13, 1, "WriteConfig: GenKey allowed" };

/* The first rule the slot breaks, described; NULL if none. */
static const char *check_rule(const setup_ctx *s, const slot_rule *r, char *out, size_t cap)
{
    uint16_t v = r->key_config ? tl_atca_key_config(s->cfg, s->slot)
                               : tl_atca_slot_config(s->cfg, s->slot);
    if ((int)((v >> r->bit) & 1u) == r->want)
        return NULL;
    snprintf(out, cap, "slot %u %s bit %u is %d, needs %d (%s; %s is 0x%04X)", s->slot,
             r->key_config ? "KeyConfig" : "SlotConfig", r->bit, !r->want, r->want, r->what,
             r->key_config ? "KeyConfig" : "SlotConfig", v);
    return out;
}

int setup_check_layout(setup_ctx *s)
{
    char why[256];
    size_t i;
    if (!s->have_chip)
        return 0;
    /* An unlocked config zone gets trustlink's layout: nothing to check. */
    if (!s->config_locked) {
        uint16_t sc, kc;
        tl_atca_layout_default(s->slot, &sc, &kc);
        if (!(kc & TL_ATCA_KC_PRIVATE))
            return tl_cli_fail("slot %u is not a key slot in trustlink's layout (%s); use "
                               "--slot 0, 1 or 2", s->slot, tl_atca_layout_purpose(s->slot));
        s->layout_ok = 0;
        return 0;
    }
    for (i = 0; i < sizeof key_rules / sizeof key_rules[0]; i++)
        if (check_rule(s, &key_rules[i], why, sizeof why))
            return tl_cli_fail("the chip is locked with a configuration trustlink cannot use: "
                               "%s. Use another slot (--slot) or another chip", why);
    s->layout_ok = 1;
    if (s->data_locked) {
        tl_atca_status st = tl_atca_get_pubkey(&s->chip.dev, s->slot, s->pub);
        s->key_present = st == TL_ATCA_OK;
    }
    /* A new key needs GenKey permission; an existing one does not. */
    if ((!s->key_present || s->new_key) && check_rule(s, &genkey_rule, why, sizeof why))
        return tl_cli_fail("the chip is locked with a configuration trustlink cannot use: "
                           "%s, and the slot %s", why,
                           s->key_present ? "cannot get a new key" : "holds no key yet");
    return 0;
}

int setup_configure(setup_ctx *s)
{
    tl_atca_status st;
    if (!s->config_locked) {
        setup_say("      writing the slot layout, reading it back, comparing");
        if ((st = tl_atca_setup_write_default(&s->chip.dev, s->cfg)) != TL_ATCA_OK)
            return chip_fail(&s->chip, st, st == TL_ATCA_ERR_CONFIG_MISMATCH
                                               ? "the config zone read back differs from "
                                                 "what was written; nothing was locked"
                                               : "writing the configuration");
    }
    if (!s->config_locked || !s->data_locked) {
        setup_say("      locking the %s (checked by the chip against the zone CRC)",
                  s->config_locked ? "data zone" : "config zone, then the data zone");
        if ((st = tl_atca_setup_lock(&s->chip.dev, s->cfg)) != TL_ATCA_OK)
            return chip_fail(&s->chip, st, "locking");
        s->config_locked = s->data_locked = 1;
    } else {
        setup_say("      already locked with a compatible configuration: reused");
    }
    return 0;
}

int setup_key(setup_ctx *s)
{
    tl_atca_status st;
    char hex[129];
    if (!s->have_chip)
        return 0;
    if (!s->key_present) {
        st = tl_atca_get_pubkey(&s->chip.dev, s->slot, s->pub);
        s->key_present = st == TL_ATCA_OK;
    }
    if (s->key_present && !s->new_key) {
        setup_say("      slot %u already holds a key: reused (--new-key replaces it)", s->slot);
    } else {
        if ((st = tl_atca_genkey(&s->chip.dev, s->slot, s->pub)) != TL_ATCA_OK)
            return chip_fail(&s->chip, st, "GenKey");
        s->key_present = 1;
        setup_say("      new P-256 key generated inside the chip; it never leaves it");
    }
    chip_hex(s->pub, 8, hex);
    setup_say("      public key %s...", hex);
    return 0;
}

int setup_csr(setup_ctx *s)
{
    tl_signer_chip chip_signer;
    const tl_signer_class **signer;
    uint8_t der[TL_CSR_DER_MAX];
    size_t len;
    tl_csr_status st;
    if (s->have_chip) {
        tl_signer_chip_init(&chip_signer, &s->chip.dev, s->slot);
        signer = &chip_signer.vtable;
    } else {
        signer = &s->soft.vtable;
    }
    /* tl_csr_build verifies the signature with the public key it embeds
     * (the chip's, read back) before it returns. */
    st = tl_csr_build(signer, s->thing, der, sizeof der, &len);
    if (st == TL_CSR_ERR_SIGNER && s->have_chip)
        return chip_fail(&s->chip, tl_signer_chip_error(&chip_signer), "signing the CSR");
    if (st != TL_CSR_OK)
        return tl_cli_fail("cannot build the CSR: %s", tl_csr_status_text(st));
    if (!tl_csr_pem(der, len, s->csr_pem, sizeof s->csr_pem))
        return tl_cli_fail("CSR too large for its buffer");
    if (signer[0]->public_key(signer, s->pub) != 0)
        return tl_cli_fail("cannot read the public key back");
    setup_say("      PKCS#10 request for CN=%s, %zu bytes, signature verified against the "
              "%s public key", s->thing, len, s->have_chip ? "chip's" : "key file's");
    return 0;
}
