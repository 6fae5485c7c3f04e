/* aws-iot-setup without a chip (--allow-software-key): a P-256 key in a file.
 * It works, and anyone who can read the file can be the device: said plainly. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "../port/tl_fs.h"
#include "../tls/tl_tls.h"
#include "setup.h"

/* A new key from the system's random source, as SEC1 PEM in pem. */
static int new_key(uint8_t priv[32], char *pem, size_t cap)
{
    br_hmac_drbg_context rng;
    br_prng_seeder seeder = br_prng_seeder_system(NULL);
    br_ec_private_key sk;
    br_ec_public_key pk;
    unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
    unsigned char der[200];
    size_t n;
    br_hmac_drbg_init(&rng, &br_sha256_vtable, NULL, 0);
    if (!seeder || !seeder(&rng.vtable))
        return -1;
    if (br_ec_keygen(&rng.vtable, br_ec_get_default(), &sk, kbuf, BR_EC_secp256r1) != 32)
        return -1;
    if (!br_ec_compute_pub(br_ec_get_default(), &pk, pbuf, &sk))
        return -1;
    n = br_encode_ec_raw_der(NULL, &sk, &pk);
    if (n == 0 || n > sizeof der)
        return -1;
    br_encode_ec_raw_der(der, &sk, &pk);
    if (br_pem_encode(NULL, der, n, BR_ENCODE_PEM_EC_RAW, BR_PEM_LINE64) >= cap)
        return -1;
    br_pem_encode(pem, der, n, BR_ENCODE_PEM_EC_RAW, BR_PEM_LINE64);
    memcpy(priv, kbuf, 32);
    memset(kbuf, 0, sizeof kbuf);
    memset(der, 0, sizeof der);
    memset(&rng, 0, sizeof rng);
    return 0;
}

int setup_soft_key(setup_ctx *s)
{
    char pem[600], err[512];
    uint8_t priv[32];
    long n;
    setup_say("      WARNING: no secure element. The private key will be a FILE, %s: anyone "
              "who can read it can impersonate this device, and it cannot be protected "
              "against cloning", s->soft_key_path);
    n = tl_fs_read(s->soft_key_path, pem, sizeof pem, err, sizeof err);
    if (n >= 0 && !s->new_key) {
        if (tl_tls_pem_decode_key(pem, (size_t)n, priv) != TL_TLS_PEM_OK)
            return tl_cli_fail("%s: not a P-256 private key in PEM", s->soft_key_path);
        setup_say("      reusing the key in %s (--new-key replaces it)", s->soft_key_path);
    } else {
        if (new_key(priv, pem, sizeof pem) != 0)
            return tl_cli_fail("cannot generate a key (system random source)");
        if (tl_fs_write_atomic(s->soft_key_path, pem, strlen(pem), err, sizeof err) != 0)
            return tl_cli_fail("%s", err);
        setup_say("      new P-256 key written to %s (mode 0600)", s->soft_key_path);
    }
    memset(pem, 0, sizeof pem);
    if (tl_signer_soft_init(&s->soft, priv) != 0) {
        memset(priv, 0, sizeof priv);
        return tl_cli_fail("%s: the key is not a valid P-256 scalar", s->soft_key_path);
    }
    memset(priv, 0, sizeof priv);
    return 0;
}
