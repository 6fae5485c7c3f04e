/*
 * tl_tls: the device's TLS 1.2 client, on BearSSL, with the private key
 * behind a tl_signer (normally the secure element).
 *
 * Pieces, each in its own file:
 *   tl_tls_pem.c     PEM files -> trust anchors and the client chain, copied
 *                    into caller storage (no allocation)
 *   tl_tls_crl.c     CRLs of the anchors -> revoked serial numbers, which
 *                    tl_tls_x509.c checks the server's chain against
 *   tl_tls_ccert.c   a br_ssl_client_certificate_class whose do_sign goes to
 *                    the signer: the handshake hash is signed by the chip
 *   tl_tls_client.c  engine setup (suites AWS IoT accepts), the handshake and
 *                    a tl_transport on top of another tl_transport
 *   tl_tls_chip.c    ECDHE and ECDSA verification on the chip (optional; the
 *                    one file of the device code with a static, see there)
 *
 * What is checked: the server chain up to one of the trust anchors, every
 * signature in it, the server name (SNI and the certificate's names), and
 * the validity dates against the device's notion of time. A device without a
 * clock knows only that it is later than the firmware's build time
 * (TL_TLS_FALLBACK_TIME): a certificate that expired before the firmware was
 * built is refused, one that expired later is accepted, and notBefore is not
 * checked (tl_tls_x509.c). Call tl_tls_client_set_time() as soon as the time
 * is known (SNTP, RTC) to check both dates exactly.
 */
#ifndef TL_TLS_H
#define TL_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "../atca/tl_atca.h"
#include "tl_signer.h"
#include "tl_transport.h"

#ifndef TL_TLS_MAX_ANCHORS
#define TL_TLS_MAX_ANCHORS 4
#endif
#ifndef TL_TLS_ANCHOR_STORE
#define TL_TLS_ANCHOR_STORE 1536   /* DNs and public keys of the anchors */
#endif
#ifndef TL_TLS_MAX_CHAIN
#define TL_TLS_MAX_CHAIN 2
#endif
#ifndef TL_TLS_CHAIN_STORE
#define TL_TLS_CHAIN_STORE 2048    /* DER of the client certificate chain */
#endif
#ifndef TL_TLS_ERROR_TEXT
#define TL_TLS_ERROR_TEXT 1   /* 0 (devices): "TLS error" and one-word PEM statuses */
#endif
#ifndef TL_TLS_FALLBACK_TIME
#define TL_TLS_FALLBACK_TIME 1767225600UL  /* 2026-01-01, overridden by the build */
#endif

/* Trust anchors with their bytes. */
typedef struct {
    br_x509_trust_anchor ta[TL_TLS_MAX_ANCHORS];
    size_t count;
    unsigned char store[TL_TLS_ANCHOR_STORE];
    size_t used;
} tl_tls_anchors;

/* The client's certificate chain (device certificate first). */
typedef struct {
    br_x509_certificate cert[TL_TLS_MAX_CHAIN];
    size_t count;
    unsigned char store[TL_TLS_CHAIN_STORE];
    size_t used;
} tl_tls_chain;

/* Status of the PEM loaders. */
typedef enum {
    TL_TLS_PEM_OK = 0,
    TL_TLS_PEM_NONE,        /* no CERTIFICATE object in the text */
    TL_TLS_PEM_MALFORMED,   /* bad PEM framing or base64 */
    TL_TLS_PEM_BAD_CERT,    /* DER that is not a usable X.509 certificate */
    TL_TLS_PEM_FULL         /* more certificates or bytes than the storage holds */
} tl_tls_pem_status;

/*
 * Add every CERTIFICATE in pem as a trust anchor (CA or not: a pinned server
 * certificate works too). scratch holds one DER certificate while decoding.
 */
tl_tls_pem_status tl_tls_anchors_add_pem(tl_tls_anchors *a, const char *pem,
                                         size_t len, unsigned char *scratch,
                                         size_t scratch_len);

/* Add every CERTIFICATE in pem to the client chain, in order. */
tl_tls_pem_status tl_tls_chain_add_pem(tl_tls_chain *c, const char *pem, size_t len);

/*
 * The first "EC PRIVATE KEY" or "PRIVATE KEY" in pem, which must be a P-256
 * key, as a raw 32-byte scalar (for tl_signer_soft). TL_TLS_PEM_NONE if there
 * is no key, TL_TLS_PEM_BAD_CERT if it is not a P-256 key.
 */
tl_tls_pem_status tl_tls_pem_decode_key(const char *pem, size_t len, uint8_t key[32]);

const char *tl_tls_pem_status_text(tl_tls_pem_status st);

/* The signer-backed client certificate class (tl_tls_ccert.c). */
typedef struct {
    const br_ssl_client_certificate_class *vtable;
    const tl_signer_class **signer;
    const br_x509_certificate *chain;
    size_t chain_len;
    int sign_error;      /* set when the signer failed during a handshake */
} tl_tls_ccert;

void tl_tls_ccert_init(tl_tls_ccert *cc, const tl_signer_class **signer,
                       const br_x509_certificate *chain, size_t chain_len);

/* 1 (default): revocation checking (the block below) is built in. 0 (make
 * size's device build, where the session loads no CRL): no CRL code in the
 * image and no CRL state in the client; tl_tls_crl_*, set_crl and
 * revoked_serial do not exist. */
#ifndef TL_TLS_CRL
#define TL_TLS_CRL 1
#endif

#if TL_TLS_CRL
/* ---- Revocation: CRLs of the trust anchors (tl_tls_crl.c) ------------- */
/*
 * BearSSL knows neither CRLs nor OCSP. A device loads the CRLs of its trust
 * anchors (RFC 5280 CertificateList, DER or PEM "X509 CRL") into a
 * tl_tls_crl; during the handshake the X.509 wrapper (tl_tls_x509.c) reads
 * the serial number and issuer of each certificate of the server's chain as
 * its bytes stream past and refuses the chain with TL_TLS_ERR_REVOKED when a
 * loaded CRL of that issuer lists the serial.
 *
 * Accepted: CRLs signed directly by a trust anchor (issuer DN byte-equal to
 * the anchor's, as BearSSL matches chains) with ECDSA (P-256/P-384; an MCU
 * build with TL_TLS_MCU_IMPLS has P-256 only) or RSA PKCS#1 v1.5, over
 * SHA-256/384/512; so a certificate under an intermediate CA is covered
 * through its intermediate, which the anchor's CRL may revoke. Refused,
 * each with its own status: bad DER, an issuer that is no anchor, a
 * signature that does not verify, a nextUpdate in the past (when the caller
 * knows the time), a critical extension (delta CRLs, issuing distribution
 * points: this is not a full RFC 5280 engine), a serial number longer than
 * TL_TLS_CRL_SERIAL_MAX bytes, more entries than TL_TLS_CRL_MAX. Serial
 * numbers are compared without leading zero bytes. RAM: the tl_tls_crl
 * (about 1.6 KB with the defaults), and 192 bytes in each tl_tls_client.
 * With a clock, a chain whose issuer's CRL is past its nextUpdate is also
 * refused at handshake time (TL_TLS_ERR_CRL_EXPIRED): a stale CRL cannot say
 * what was revoked since.
 */
#ifndef TL_TLS_CRL_MAX
#define TL_TLS_CRL_MAX 64          /* revoked serial numbers, all CRLs together */
#endif
#ifndef TL_TLS_CRL_SERIAL_MAX
#define TL_TLS_CRL_SERIAL_MAX 20   /* RFC 5280: serial numbers of at most 20 octets */
#endif

typedef struct {
    unsigned char issuer;          /* index in tl_tls_crl.issuer */
    unsigned char len;
    unsigned char serial[TL_TLS_CRL_SERIAL_MAX];
} tl_tls_crl_entry;

/* The revoked certificates of up to TL_TLS_MAX_ANCHORS issuers. */
typedef struct tl_tls_crl {
    unsigned char issuer[TL_TLS_MAX_ANCHORS][32];   /* SHA-256 of each issuer DN */
    uint32_t next_days[TL_TLS_MAX_ANCHORS];         /* earliest nextUpdate, 0: none */
    uint32_t next_seconds[TL_TLS_MAX_ANCHORS];
    size_t issuers;
    tl_tls_crl_entry entry[TL_TLS_CRL_MAX];
    size_t count;
} tl_tls_crl;

typedef enum {
    TL_TLS_CRL_OK = 0,
    TL_TLS_CRL_NONE,            /* no X509 CRL object in the PEM text */
    TL_TLS_CRL_MALFORMED,       /* bad PEM, or DER that is not a CertificateList */
    TL_TLS_CRL_TOO_BIG,         /* a PEM CRL larger than the scratch buffer */
    TL_TLS_CRL_UNSUPPORTED,     /* version or signature algorithm */
    TL_TLS_CRL_CRITICAL_EXT,    /* a critical extension we do not implement */
    TL_TLS_CRL_UNKNOWN_ISSUER,  /* the issuer is not one of the trust anchors */
    TL_TLS_CRL_BAD_SIGNATURE,   /* does not verify with the issuer's key */
    TL_TLS_CRL_EXPIRED,         /* nextUpdate has passed */
    TL_TLS_CRL_SERIAL_TOO_LONG, /* a serial number over TL_TLS_CRL_SERIAL_MAX bytes */
    TL_TLS_CRL_TOO_MANY         /* more than TL_TLS_CRL_MAX entries in all */
} tl_tls_crl_status;

/* An empty set: nothing revoked. */
void tl_tls_crl_init(tl_tls_crl *crl);

/*
 * Verify and add the CRL(s) in data: one DER CertificateList (data starts
 * with a SEQUENCE), or PEM text with one or more "X509 CRL" objects, each
 * decoded into scratch (a DER CRL is read in place; scratch may then be
 * NULL). Issuers are looked up in anchors. unix_now is the current time, 0
 * if unknown (nextUpdate is then not checked here). All or nothing: on any
 * error crl is left as it was.
 */
tl_tls_crl_status tl_tls_crl_add(tl_tls_crl *crl, const tl_tls_anchors *anchors,
                                 const void *data, size_t len, uint64_t unix_now,
                                 unsigned char *scratch, size_t scratch_len);

const char *tl_tls_crl_status_text(tl_tls_crl_status st);

/* The wrapper's view of one certificate as it streams past (tl_tls_x509.c). */
typedef struct {
    const tl_tls_crl *crl;            /* NULL: no revocation check */
    br_sha256_context issuer;         /* hash of the certificate's issuer DN */
    uint32_t left;                    /* content bytes left in the current element */
    unsigned char step;               /* which element of the certificate comes next */
    unsigned char hpos, hneed;        /* TLV header being read, its bytes in hdr */
    unsigned char hdr[6];
    unsigned char serial[TL_TLS_CRL_SERIAL_MAX];
    unsigned char serial_len;         /* > TL_TLS_CRL_SERIAL_MAX: too long for any CRL */
    uint32_t now_days, now_seconds;   /* the clock, when tl_tls_x509.have_clock */
    int error;                        /* TL_TLS_ERR_REVOKED etc., first of the chain */
    unsigned char revoked[TL_TLS_CRL_SERIAL_MAX];
    unsigned char revoked_len;
} tl_tls_crl_scan;
/* ---- end of revocation block ------------------------------------------- */
#endif

/* The X.509 validator: BearSSL's minimal engine, plus date handling for
 * devices without a clock (tl_tls_x509.c). */
typedef struct {
    const br_x509_class *vtable;
    br_x509_minimal_context *inner;
    br_x509_decoder_context dec;     /* reads each certificate's dates */
    uint32_t floor_days, floor_seconds;
    int have_clock;
    int dates_seen;
#if TL_TLS_CRL
    tl_tls_crl_scan crl;             /* revocation check (block above) */
#endif
} tl_tls_x509;

/* Validate with `inner`; without a clock, expiry is checked against the
 * floor (days since 0000-01-01, seconds in the day) and notBefore is not. */
void tl_tls_x509_init(tl_tls_x509 *x, br_x509_minimal_context *inner,
                      uint32_t floor_days, uint32_t floor_seconds);

/* The time is known: check both dates against it from now on. */
void tl_tls_x509_set_clock(tl_tls_x509 *x, uint32_t days, uint32_t seconds);

/* Errors of our own, beside BearSSL's BR_ERR_* codes. */
#define TL_TLS_ERR_TIMEOUT  1001   /* the peer did not answer in time */
#define TL_TLS_ERR_SIGNER   1002   /* the signer (chip) could not sign */
#define TL_TLS_ERR_CLOSED   1003   /* the peer closed the connection */
#define TL_TLS_ERR_CHIP     1004   /* the chip failed during ECDHE or Verify */
#define TL_TLS_ERR_CHIP_BUSY 1005  /* another handshake holds chip ECDHE */
#define TL_TLS_ERR_REVOKED  1006   /* a chain certificate's serial is in the CRL */
#define TL_TLS_ERR_CRL_EXPIRED 1007 /* the issuer's CRL is past its nextUpdate */
#define TL_TLS_ERR_CRL_CHECK 1008  /* a chain certificate's serial/issuer unreadable */

/*
 * Chip offload (tl_tls_chip.c): what the secure element does besides
 * signing.
 *   TL_TLS_CHIP_ECDH    the ephemeral ECDHE key and the shared secret.
 *                       608A: GenKey into TempKey + ECDH from TempKey (SRAM,
 *                       no EEPROM write). 508A: GenKey into an ephemeral slot
 *                       + ECDH on it, which WRITES that slot's EEPROM on every
 *                       handshake: the 608A-family datasheets give 400,000
 *                       write cycles per byte (at +85 C); plan with 100,000
 *                       for a 508A, i.e. 69 days at one handshake a minute,
 *                       11 years at one an hour. Hence opt-in on the 508A.
 *   TL_TLS_CHIP_VERIFY  ECDSA P-256 verification of the ServerKeyExchange
 *                       and of the chain's signatures (Nonce + Verify
 *                       external; the public key travels in the command).
 *                       RSA chains (AWS ATS) and other curves stay in
 *                       software.
 *
 * Defaults for an 80 MHz device (tl_tls_chip_default), from `make bench`
 * (docs/PERFORMANCE.md): callgrind counts of one handshake + MQTT CONNECT
 * with BearSSL's m15/i15 code and the chip key, against an ECDSA server
 * (one certificate under the CA): 74.2 M instructions; 52.4 M with ECDHE
 * on the chip; 25.9 M with Verify on the chip; 4.2 M with both. At 80 MHz
 * and one instruction per cycle (an assumption; x86 counts stand in for
 * Xtensa ones), the chip's documented maximum times added, I2C at 100 kHz:
 *   Verify  on, both models. Two verifications cost the device 48.3 M
 *           instructions (0.60 s); the chip takes at most 2 x (29 + 72) ms
 *           on the 508A, 2 x (20 + 105) ms on the 608A, + 33 ms of I2C:
 *           the session drops from 1.03 to 0.66 s (508A), 1.07 to 0.75 s
 *           (608A).
 *   ECDH    on for the 608A, off (opt-in) for the 508A. ECDHE costs the
 *           device 21.8 M instructions (0.27 s); GenKey + ECDH take at most
 *           115 + 75 ms (608A), 115 + 58 ms (508A), + 16 ms of I2C: a small
 *           gain (0.06-0.09 s at the maximum times), but the ephemeral key
 *           is never in device RAM and the CPU is free while the chip works
 *           (an ESP8266 must get back to its Wi-Fi stack regularly). On the
 *           508A that gain is not worth an EEPROM write per handshake.
 * Both on (608A): 0.69 s instead of 1.07 s, and the device does only
 * hashing and AES for an ECDSA server.
 */
#define TL_TLS_CHIP_ECDH   0x1u
#define TL_TLS_CHIP_VERIFY 0x2u

/* State of the offload; the br_ec_impl comes first (see tl_tls_chip.c). */
typedef struct {
    br_ec_impl impl;            /* the engine's iec: software code, or chip ECDH */
    const br_ec_impl *soft;     /* the software implementation */
    tl_atca_device *dev;
    unsigned flags;             /* TL_TLS_CHIP_* */
    unsigned ecdh_slot;         /* 508A: the slot rewritten by each handshake */
    uint8_t pub[64];            /* our ephemeral public key, between mul and mulgen */
    int have_pub;
    tl_atca_status chip_status; /* the first chip failure of the handshake */
    unsigned long ecdh_ops;     /* ECDHE / verifications the chip did */
    unsigned long verify_ops;
} tl_tls_chip;

/* The TLS client, itself a tl_transport once connected. */
typedef struct {
    const tl_transport_class *vtable;
    br_ssl_client_context sc;
    br_x509_minimal_context xc;     /* xc and x509: the validation state, used */
    tl_tls_x509 x509;               /* by the handshake only; adjacent (spare) */
    tl_tls_ccert ccert;
    tl_tls_chip chip;
    const tl_transport_class **lower;
    const char *alpn[1];
    uint32_t io_timeout_ms;
    int last_error;     /* BR_ERR_* or TL_TLS_ERR_*; 0 if none */
} tl_tls_client;

/*
 * Set up a client: iobuf is the record buffer (BR_SSL_BUFSIZE_BIDI for full
 * size; smaller buffers make the client ask for max_fragment_length, which
 * only helps if the server honours it). signer and chain may be NULL for a
 * connection without client authentication.
 */
void tl_tls_client_init(tl_tls_client *c, unsigned char *iobuf, size_t iobuf_len,
                        const tl_tls_anchors *anchors,
                        const tl_signer_class **signer, const tl_tls_chain *chain);

/*
 * The bytes of the certificate validation state (about 4.2 KB on an MCU, 4.4 KB with CRLs),
 * which only the handshake uses: the client refuses renegotiation, so once
 * tl_tls_client_connect() has returned they are dead until the next init.
 * A device lends them to buffers that hold nothing across a reconnect
 * (an MQTT client's packet buffers: tl_mqtt_client_init's tx and rx), so
 * those cost no RAM of their own. The lender must not touch them during
 * init and connect, which overwrite them; after a failed connect,
 * tl_tls_client_revoked_serial() reads them, so ask it first. The address
 * and length are fixed for the client's lifetime and may be taken before
 * the first init.
 */
unsigned char *tl_tls_client_spare(tl_tls_client *c, size_t *len);

/* Offer ALPN protocol `proto` (for AWS IoT on port 443: "x-amzn-mqtt-ca"). */
void tl_tls_client_set_alpn(tl_tls_client *c, const char *proto);

/*
 * Offload `what` (TL_TLS_CHIP_* bits, 0 for none) to the chip behind dev,
 * whose model must be detected. ecdh_slot is the 508A's ephemeral slot
 * (GenKey-able P-256 private key slot with ECDH in the clear; 2 in the
 * default layout); the 608A uses TempKey and ignores it. Call after every
 * tl_tls_client_init (which clears it), before connect. -1 if the chip
 * cannot (unknown model, or a 508A slot that is out of range or holds the
 * signer's key); the client is then left on software, as with what = 0.
 * One handshake with TL_TLS_CHIP_ECDH runs at a time in a program (BearSSL
 * gives the ECDH code no context; tl_tls_chip.c): a second one fails with
 * TL_TLS_ERR_CHIP_BUSY. Renegotiation is always refused (tl_tls_client_init).
 */
int tl_tls_client_use_chip(tl_tls_client *c, tl_atca_device *dev, unsigned what,
                           unsigned ecdh_slot);

/* The default offload for a model (the reasoning above). */
void tl_tls_chip_default(tl_atca_model model, unsigned *what);

/* Internal (tl_tls_client.c <-> tl_tls_chip.c): take and give back chip
 * ECDHE for one handshake; claim returns -1 if another connection has it. */
int tl_tls__chip_claim(tl_tls_chip *ch);
void tl_tls__chip_release(tl_tls_chip *ch);

/* Validate certificates at this Unix time instead of the fallback time. */
void tl_tls_client_set_time(tl_tls_client *c, uint64_t unix_seconds);

#if TL_TLS_CRL
/* Revocation (block above, defined in tl_tls_x509.c): check the server's
 * chain against crl (NULL: no check; it must outlive the connections). Call
 * after every tl_tls_client_init, which clears it. */
void tl_tls_client_set_crl(tl_tls_client *c, const tl_tls_crl *crl);

/* After TL_TLS_ERR_REVOKED: the revoked serial number in hex ("1002"), in
 * hex[cap]; "" if none. Returns hex. */
char *tl_tls_client_revoked_serial(const tl_tls_client *c, char *hex, size_t cap);
#endif

/*
 * Handshake over lower with SNI and name check against server_name.
 * Returns 0, or -1 with tl_tls_client_error() telling why.
 */
int tl_tls_client_connect(tl_tls_client *c, const tl_transport_class **lower,
                          const char *server_name, uint32_t timeout_ms);

/* The last error (BR_ERR_* or TL_TLS_ERR_*) and a sentence for it. */
int tl_tls_client_error(const tl_tls_client *c);
const char *tl_tls_error_text(int err);

#endif
