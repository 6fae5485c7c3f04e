/*
 * The device's signer as the config names it (mqtt.ssl_key):
 *   chip:SLOT   the key in the secure element's slot (chip.uri says where)
 *   FILE        a PEM P-256 private key: works, with a warning on stderr,
 *               because a key in a file can be copied off the device
 */
#ifndef TL_CLI_SIGNER_H
#define TL_CLI_SIGNER_H

#include <stddef.h>

#include "../atca/tl_atca.h"
#include "../config/tl_config.h"
#include "../tls/tl_signer.h"

typedef struct tl_cli_chip_signer tl_cli_chip_signer;  /* cli_signer.c */

typedef struct {
    const tl_signer_class **signer;   /* what TLS and the CSR builder use */
    tl_signer_soft soft;
    tl_cli_chip_signer *chip;         /* NULL for a software key */
} tl_cli_signer;

/* Open the signer of cfg's mqtt.ssl_key. 0, or -1 with a message in err. */
int tl_cli_signer_open(const tl_config *cfg, tl_cli_signer *s, char *err, size_t errcap);

/* The chip behind a chip:SLOT signer (to read the certificate stored in
 * it), or NULL for a software key. */
tl_atca_device *tl_cli_signer_device(tl_cli_signer *s);

/* Release the chip connection and wipe any software key. */
void tl_cli_signer_close(tl_cli_signer *s);

#endif
