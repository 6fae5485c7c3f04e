/*
 * tl_csr: a PKCS#10 certificate signing request for a P-256 key that may
 * live in a secure element.
 *
 * The request carries subject CN = the thing name, the signer's public key,
 * and an ECDSA-with-SHA256 signature made by the signer over the request
 * body; the private key is never needed here. Before returning, the
 * signature is checked against the signer's own public key, so a chip that
 * signs with the wrong slot or returns garbage is caught here and not by the
 * cloud. Output is DER in a caller buffer; tl_csr_pem() wraps it for humans
 * and for AWS's CreateCertificateFromCsr.
 *
 * Device-side code: C99, no malloc, BearSSL for SHA-256 and the check.
 */
#ifndef TL_CSR_H
#define TL_CSR_H

#include <stddef.h>
#include <stdint.h>

#include "../tls/tl_signer.h"

#define TL_CSR_CN_MAX 128       /* AWS IoT thing names are at most 128 bytes */
#define TL_CSR_DER_MAX 400      /* enough for any CN up to TL_CSR_CN_MAX */

typedef enum {
    TL_CSR_OK = 0,
    TL_CSR_ERR_CN,          /* empty, too long, or not UTF-8 */
    TL_CSR_ERR_BUFFER,      /* output buffer too small */
    TL_CSR_ERR_SIGNER,      /* the signer failed (public key or signature) */
    TL_CSR_ERR_BAD_SIGNATURE/* the signature does not verify with the public key */
} tl_csr_status;

/* Build the DER request into out; *out_len gets its length. */
tl_csr_status tl_csr_build(const tl_signer_class **signer, const char *cn,
                           uint8_t *out, size_t cap, size_t *out_len);

/* PEM-encode a DER request ("-----BEGIN CERTIFICATE REQUEST-----", 64-column
 * base64). Returns the length written (NUL-terminated) or 0 if cap is too small. */
size_t tl_csr_pem(const uint8_t *der, size_t der_len, char *out, size_t cap);

const char *tl_csr_status_text(tl_csr_status st);

#endif
