/*
 * tl_ca: the local cloud's certificate authority (host side, C11, OpenSSL 3).
 *
 * The CA makes the keys and certificates that the local AWS-IoT-compatible
 * cloud needs: its own root (EC P-256, self-signed, 10 years), a server
 * certificate for the broker and the API (names localhost, 127.0.0.1 and the
 * endpoint host), device certificates from a CSR (CreateCertificateFromCsr),
 * and key + certificate pairs (CreateKeysAndCertificate).
 *
 * Everything goes in and out as PEM text. Functions that return PEM allocate
 * it with malloc(); the caller frees it. Each function returns a tl_ca_status
 * and, on failure, writes one human-readable sentence into err (which may be
 * NULL). The CA never writes files itself; the caller decides where keys go
 * and with which mode.
 *
 * A certificate's id is the lowercase hex SHA-256 of its DER encoding, the
 * same 64-hex-digit shape that AWS IoT uses for certificateId. The broker
 * plugin computes the same id from the TLS peer certificate.
 */
#ifndef TL_CA_H
#define TL_CA_H

#include <stddef.h>

/* Length of a certificate id in hex digits, without the NUL. */
#define TL_CA_ID_LEN 64

/* Validity of the CA itself, of the server certificate, and the default for
 * device certificates, in days. */
#define TL_CA_ROOT_DAYS 3650
#define TL_CA_SERVER_DAYS 730
#define TL_CA_DEVICE_DAYS_DEFAULT 3650
/* Longest validity a device certificate may ask for (about 30 years). */
#define TL_CA_DEVICE_DAYS_MAX 10950

typedef enum {
    TL_CA_OK = 0,
    TL_CA_ERR_INPUT,       /* malformed PEM, or an argument out of range */
    TL_CA_ERR_SIGNATURE,   /* the CSR's own signature does not verify */
    TL_CA_ERR_KEY_TYPE,    /* a key type or size the CA does not accept */
    TL_CA_ERR_CA,          /* the CA key and certificate do not belong together */
    TL_CA_ERR_INTERNAL     /* OpenSSL failed (out of memory, RNG, ...) */
} tl_ca_status;

/*
 * Create a new CA: an EC P-256 key and a self-signed certificate with
 * subject CN=<common_name>, basicConstraints CA:TRUE (critical), keyUsage
 * keyCertSign + cRLSign (critical), a subject key identifier, valid for
 * TL_CA_ROOT_DAYS from now.
 */
tl_ca_status tl_ca_create(const char *common_name, char **key_pem, char **cert_pem,
                          char *err, size_t errcap);

/*
 * Create a server certificate signed by the CA: EC P-256 key, subject
 * CN=<host>, subjectAltName DNS:localhost, IP:127.0.0.1 and <host> (as an IP
 * address if it parses as one, else as a DNS name; skipped when it is
 * "localhost" or "127.0.0.1"), extendedKeyUsage serverAuth, valid for
 * TL_CA_SERVER_DAYS.
 */
tl_ca_status tl_ca_create_server(const char *ca_key_pem, const char *ca_cert_pem,
                                 const char *host, char **key_pem, char **cert_pem,
                                 char *err, size_t errcap);

/*
 * Sign a device CSR. The CSR's own signature must verify and its key must be
 * EC P-256, EC P-384 or RSA of at least 2048 bits. The certificate copies the
 * CSR's subject (nothing else from the CSR: requested extensions are
 * ignored, as AWS does), gets a random 16-byte serial, basicConstraints
 * CA:FALSE, keyUsage digitalSignature, extendedKeyUsage clientAuth, subject
 * and authority key identifiers, and is valid for `days` (1 ..
 * TL_CA_DEVICE_DAYS_MAX) from now.
 */
tl_ca_status tl_ca_sign_csr(const char *ca_key_pem, const char *ca_cert_pem,
                            const char *csr_pem, int days, char **cert_pem,
                            char *err, size_t errcap);

/*
 * CreateKeysAndCertificate: generate an EC P-256 key and a device
 * certificate for it (same profile as tl_ca_sign_csr) with subject
 * CN=<common_name>. Returns the private key too: the caller hands it out
 * once and never stores it.
 */
tl_ca_status tl_ca_create_keys_and_cert(const char *ca_key_pem, const char *ca_cert_pem,
                                        const char *common_name, int days,
                                        char **key_pem, char **cert_pem,
                                        char *err, size_t errcap);

/* The certificate id (TL_CA_ID_LEN lowercase hex digits + NUL) of a PEM
 * certificate. */
tl_ca_status tl_ca_cert_id(const char *cert_pem, char id[TL_CA_ID_LEN + 1],
                           char *err, size_t errcap);

/* The certificate id of a DER certificate (as the broker plugin has it). */
void tl_ca_cert_id_der(const unsigned char *der, size_t len, char id[TL_CA_ID_LEN + 1]);

/* What DescribeCertificate reports about a certificate besides its id. */
typedef struct {
    long long not_before;      /* Unix seconds */
    long long not_after;
    char subject[256];         /* one line, RFC 2253 ("CN=dev-1,O=Acme") */
    char serial[41];           /* uppercase hex */
} tl_ca_cert_info;

/* Validity, subject and serial of a PEM certificate. */
tl_ca_status tl_ca_cert_describe(const char *cert_pem, tl_ca_cert_info *info,
                                 char *err, size_t errcap);

/*
 * Read a PEM (or any text) file of at most 1 MiB into a malloc'd,
 * NUL-terminated string. TL_CA_ERR_INPUT with the errno text on failure.
 */
tl_ca_status tl_ca_read_file(const char *path, char **text, char *err, size_t errcap);

#endif
