/*
 * The local cloud's CSR parser (CreateCertificateFromCsr -> tl_ca_sign_csr):
 * every input goes in twice, as PEM text and as DER inside a PEM envelope,
 * so that both the PEM layer and the DER/X.509 request checks are reached.
 * It must refuse bad requests with an error, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cloud/tl_ca.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *ca_key, *ca_cert;   /* made once: a fuzz harness may keep state */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char err[256];
    (void)argc;
    (void)argv;
    if (tl_ca_create("fuzz CA", &ca_key, &ca_cert, err, sizeof err) != TL_CA_OK)
        abort();
    return 0;
}

static void sign(const char *pem)
{
    char err[256], *cert = NULL;
    if (tl_ca_sign_csr(ca_key, ca_cert, pem, 30, &cert, err, sizeof err) == TL_CA_OK) {
        if (!cert)
            abort();      /* success must hand out a certificate */
    } else if (!err[0]) {
        abort();          /* a refusal must say why */
    }
    free(cert);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char head[] = "-----BEGIN CERTIFICATE REQUEST-----\n";
    static const char tail[] = "\n-----END CERTIFICATE REQUEST-----\n";
    char *text, *pem;
    int n;
    if (size > 8192)
        return 0;
    text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    sign(text);
    free(text);
    pem = malloc(sizeof head + sizeof tail + 4 * (size / 3 + 1) + 1);
    memcpy(pem, head, sizeof head - 1);
    n = EVP_EncodeBlock((unsigned char *)pem + sizeof head - 1, data, (int)size);
    memcpy(pem + sizeof head - 1 + n, tail, sizeof tail);
    sign(pem);
    free(pem);
    return 0;
}
