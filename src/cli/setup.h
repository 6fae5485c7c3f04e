/*
 * Internals of `trustlink aws-iot-setup` (cmd_setup*.c), host side.
 *
 * The command runs six steps over one setup_ctx:
 *   1 detect     find the chip (or, with --allow-software-key, none)
 *   2 configure  the slot layout and the locks (irreversible: asked first)
 *   3 key        GenKey in the slot unless a key is there (--new-key replaces)
 *   4 csr        PKCS#10 signed by the chip, checked against its public key
 *   5 cloud      endpoint, thing, certificate, policy, attachments
 *   6 config     the device configuration, written atomically
 * Every step is safe to repeat: each one first looks at what is already
 * there (locks, key, certificate file, thing principals, policy) and only
 * does what is missing, so a run that failed half-way is finished by
 * running the command again.
 */
#ifndef TL_CLI_SETUP_H
#define TL_CLI_SETUP_H

#include <stdint.h>

#include "../atca/tl_atca_layout.h"
#include "../provision/tl_aws.h"
#include "../provision/tl_csr.h"
#include "../tls/tl_signer.h"
#include "cmd_chip.h"

#define SETUP_STEPS 6

typedef struct {
    /* options */
    const char *chip_uri;        /* --chip, "auto" by default */
    const char *trace;           /* --trace FILE or NULL */
    const char *endpoint_url;    /* --endpoint-url or NULL */
    const char *region;          /* --aws-region or NULL */
    const char *profile;         /* --profile or NULL */
    const char *ca_file;         /* --ca-file or NULL */
    char thing[129];             /* --thing, aws.thing_name, or from the serial */
    char policy[129];            /* --policy or "<thing>-policy" */
    unsigned slot;               /* --slot, 0 */
    int cert_slot;               /* --cert-slot, -1 when not asked */
    int dry_run, yes, new_key, allow_soft, json;
    char out_dir[1024];          /* where the certificate and key files go */
    char config_path[1024];      /* the device config file written in step 6 */

    /* step 1-3: the chip */
    int have_chip;
    chip_session chip;
    char chip_desc[160];         /* the URI that answered */
    const char *model;           /* "ATECC508A" */
    uint8_t serial[9];
    int config_locked, data_locked;
    uint8_t cfg[128];
    int layout_ok;               /* the config zone already suits trustlink */
    int key_present;             /* a key is already in the slot */
    uint8_t pub[64];             /* the slot's public key (X||Y) */
    char soft_key_path[1200];    /* --allow-software-key: the key file */
    tl_signer_soft soft;

    /* step 4 */
    char csr_pem[1024];

    /* step 5 */
    tl_aws_client aws;
    char cert_path[1200];
    char cert_id[65];
    char cert_arn[256];
    char endpoint[256];          /* DescribeEndpoint: host[:port] */
    char ca_path[1100];          /* the server CA file for the device */
    int cert_reused;

    double step_ms[SETUP_STEPS];
} setup_ctx;

/* Step bodies; each returns 0, or TL_CLI_EXIT_FAIL after printing why. */
int setup_detect(setup_ctx *s);
int setup_check_layout(setup_ctx *s);   /* read-only part of step 2, for the plan */
int setup_configure(setup_ctx *s);
int setup_key(setup_ctx *s);
int setup_csr(setup_ctx *s);
int setup_cloud_init(setup_ctx *s);   /* credentials, region, endpoint: no request */
int setup_cloud(setup_ctx *s);
int setup_write_config(setup_ctx *s, const tl_cli *cli);

/* The software-key path of steps 1-3 (--allow-software-key, no chip). */
int setup_soft_key(setup_ctx *s);

/* "[3/6] ..." progress lines on stderr (the command's data goes to stdout). */
void setup_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* AWS IoT's rules for names: 1-128 of [A-Za-z0-9:_-] for things, of
 * [A-Za-z0-9+=,.@_-] for policies. 0 valid, -1 not. */
int setup_valid_thing_name(const char *name);
int setup_valid_policy_name(const char *name);

#endif
