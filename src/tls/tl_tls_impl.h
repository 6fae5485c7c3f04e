/*
 * Which BearSSL implementations the device code uses.
 *
 * A host takes BearSSL's defaults (64-bit code where the CPU has it). A 32-bit
 * MCU build defines TL_TLS_MCU_IMPLS to get the small 15-bit code (m15 for
 * P-256, i15 for ECDSA and RSA): what an ESP8266 or a Cortex-M0/M3 runs, and
 * what `make bench` measures for its MCU estimates. m15 knows P-256 only,
 * which is all AWS IoT needs (its chains are RSA or P-256).
 */
#ifndef TL_TLS_IMPL_H
#define TL_TLS_IMPL_H

#include <bearssl.h>

#ifdef TL_TLS_MCU_IMPLS
#define TL_EC_IMPL (&br_ec_p256_m15)
#define TL_ECDSA_VRFY_ASN1 (&br_ecdsa_i15_vrfy_asn1)
#define TL_ECDSA_VRFY_RAW (&br_ecdsa_i15_vrfy_raw)
#define TL_ECDSA_SIGN_RAW (&br_ecdsa_i15_sign_raw)
#define TL_RSA_PKCS1_VRFY (&br_rsa_i15_pkcs1_vrfy)
#define TL_RSA_PUBLIC (&br_rsa_i15_public)
#else
#define TL_EC_IMPL br_ec_get_default()
#define TL_ECDSA_VRFY_ASN1 br_ecdsa_vrfy_asn1_get_default()
#define TL_ECDSA_VRFY_RAW br_ecdsa_vrfy_raw_get_default()
#define TL_ECDSA_SIGN_RAW br_ecdsa_sign_raw_get_default()
#define TL_RSA_PKCS1_VRFY br_rsa_pkcs1_vrfy_get_default()
#define TL_RSA_PUBLIC br_rsa_public_get_default()
#endif

#endif
