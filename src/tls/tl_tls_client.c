/*
 * The TLS client: engine configuration, handshake, and the tl_transport on
 * top. The I/O loop is BearSSL's usual one (send records first, then give
 * the application what it waits for, else read records), with a timeout on
 * every lower-level operation.
 */
#include <stddef.h>
#include <string.h>

#include "tl_tls.h"
#include "tl_tls_impl.h"

/* What AWS IoT Core accepts, and what the local cloud's Mosquitto offers:
 * ECDHE with AES-128-GCM, for ECDSA (local cloud, ATS ECC) and RSA (ATS) chains. */
static const uint16_t suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
};

static void configure_engine(tl_tls_client *c, const tl_tls_anchors *anchors)
{
    br_ssl_client_context *sc = &c->sc;
    br_x509_minimal_context *xc = &c->xc;
    br_ssl_engine_context *eng = &sc->eng;

    br_ssl_client_zero(sc);
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, suites, sizeof suites / sizeof suites[0]);
    /* One handshake per connection: MQTT brokers never renegotiate, chip
     * ECDH could not run again later, and the validation state is dead
     * after the handshake (tl_tls_client_spare). */
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);

    /* Certificate chains are signed with SHA-256 or SHA-384 (Amazon's roots
     * use both); the handshake itself uses SHA-256. */
    br_x509_minimal_init(xc, &br_sha256_vtable, anchors ? anchors->ta : NULL,
                         anchors ? anchors->count : 0);
    br_x509_minimal_set_hash(xc, br_sha256_ID, &br_sha256_vtable);
    br_x509_minimal_set_hash(xc, br_sha384_ID, &br_sha384_vtable);
    br_x509_minimal_set_rsa(xc, TL_RSA_PKCS1_VRFY);
    br_x509_minimal_set_ecdsa(xc, TL_EC_IMPL, TL_ECDSA_VRFY_ASN1);
    br_ssl_engine_set_x509(eng, &c->x509.vtable);

    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_default_aes_gcm(eng);
    br_ssl_engine_set_ec(eng, TL_EC_IMPL);
    br_ssl_engine_set_ecdsa(eng, TL_ECDSA_VRFY_ASN1);
    br_ssl_engine_set_rsavrfy(eng, TL_RSA_PKCS1_VRFY);
    br_ssl_client_set_rsapub(sc, TL_RSA_PUBLIC);
}

/* Days from 0000-01-01 (proleptic Gregorian) to 1970-01-01, as BearSSL counts. */
#define DAYS_TO_UNIX_EPOCH 719528UL

void tl_tls_client_set_time(tl_tls_client *c, uint64_t unix_seconds)
{
    tl_tls_x509_set_clock(&c->x509, (uint32_t)(DAYS_TO_UNIX_EPOCH + unix_seconds / 86400),
                          (uint32_t)(unix_seconds % 86400));
}

static long tls_send(const tl_transport_class **ctx, const uint8_t *buf, size_t len,
                     uint32_t timeout_ms);
static long tls_recv(const tl_transport_class **ctx, uint8_t *buf, size_t len,
                     uint32_t timeout_ms);
static void tls_close(const tl_transport_class **ctx);

static const tl_transport_class tls_class = { tls_send, tls_recv, tls_close };

void tl_tls_client_init(tl_tls_client *c, unsigned char *iobuf, size_t iobuf_len,
                        const tl_tls_anchors *anchors,
                        const tl_signer_class **signer, const tl_tls_chain *chain)
{
    memset(c, 0, sizeof *c);
    c->vtable = &tls_class;
    configure_engine(c, anchors);   /* before the wrapper: it resets xc's time */
    tl_tls_x509_init(&c->x509, &c->xc,
                     (uint32_t)(DAYS_TO_UNIX_EPOCH + TL_TLS_FALLBACK_TIME / 86400),
                     (uint32_t)(TL_TLS_FALLBACK_TIME % 86400));
    br_ssl_engine_set_buffer(&c->sc.eng, iobuf, iobuf_len, 1);
    tl_tls_ccert_init(&c->ccert, signer, chain ? chain->cert : NULL,
                      chain ? chain->count : 0);
    if (signer && chain && chain->count)
        br_ssl_client_set_client_certificate(&c->sc, &c->ccert.vtable);
    c->io_timeout_ms = 10000;
}

unsigned char *tl_tls_client_spare(tl_tls_client *c, size_t *len)
{
    *len = offsetof(tl_tls_client, x509) + sizeof c->x509 - offsetof(tl_tls_client, xc);
    return (unsigned char *)&c->xc;
}

void tl_tls_client_set_alpn(tl_tls_client *c, const char *proto)
{
    c->alpn[0] = proto;
    br_ssl_engine_set_protocol_names(&c->sc.eng, c->alpn, proto ? 1 : 0);
}

/* Record the first error and stop the engine. */
static int fail(tl_tls_client *c, int err)
{
    if (!c->last_error)
        c->last_error = err;
    br_ssl_engine_close(&c->sc.eng);
    return -1;
}

/*
 * Run the engine until one of the `want` states (BR_SSL_SENDAPP and/or
 * BR_SSL_RECVAPP) is reached. Returns 1 when reached, 0 on timeout, -1 on
 * error or close.
 */
static int run_until(tl_tls_client *c, unsigned want, uint32_t timeout_ms)
{
    br_ssl_engine_context *eng = &c->sc.eng;
    for (;;) {
        unsigned st = br_ssl_engine_current_state(eng);
        unsigned char *buf;
        size_t len;
        long n;

        if (st & BR_SSL_CLOSED) {
            int err = br_ssl_engine_last_error(eng);
            if (c->ccert.sign_error)
                err = TL_TLS_ERR_SIGNER;
            else if (c->chip.chip_status != TL_ATCA_OK)
                err = TL_TLS_ERR_CHIP;
            if (!c->last_error)
                c->last_error = err ? err : TL_TLS_ERR_CLOSED;
            return -1;
        }
        if (st & BR_SSL_SENDREC) {
            buf = br_ssl_engine_sendrec_buf(eng, &len);
            n = (*c->lower)->send(c->lower, buf, len, timeout_ms);
            if (n == 0)
                return 0;
            if (n < 0)
                return fail(c, n == TL_TRANSPORT_CLOSED ? TL_TLS_ERR_CLOSED : BR_ERR_IO);
            br_ssl_engine_sendrec_ack(eng, (size_t)n);
            continue;
        }
        if (st & want)
            return 1;
        /* Application data waits to be read while we want to write: the
         * caller must read first (MQTT's loop does). */
        if ((st & BR_SSL_RECVAPP) && !(want & BR_SSL_RECVAPP))
            return 1;
        if (st & BR_SSL_RECVREC) {
            buf = br_ssl_engine_recvrec_buf(eng, &len);
            n = (*c->lower)->recv(c->lower, buf, len, timeout_ms);
            if (n == 0)
                return 0;
            if (n < 0)
                return fail(c, n == TL_TRANSPORT_CLOSED ? TL_TLS_ERR_CLOSED : BR_ERR_IO);
            br_ssl_engine_recvrec_ack(eng, (size_t)n);
            continue;
        }
        br_ssl_engine_flush(eng, 0);
    }
}

int tl_tls_client_connect(tl_tls_client *c, const tl_transport_class **lower,
                          const char *server_name, uint32_t timeout_ms)
{
    int r;
    c->lower = lower;
    c->last_error = 0;
    c->ccert.sign_error = 0;
    c->chip.chip_status = TL_ATCA_OK;
    c->io_timeout_ms = timeout_ms;
    if (tl_tls__chip_claim(&c->chip) != 0) {
        /* Not fail(): closing an engine that was never reset crashes. */
        c->last_error = TL_TLS_ERR_CHIP_BUSY;
        return -1;
    }
    if (!br_ssl_client_reset(&c->sc, server_name, 0)) {
        tl_tls__chip_release(&c->chip);
        return fail(c, br_ssl_engine_last_error(&c->sc.eng));
    }
    r = run_until(c, BR_SSL_SENDAPP | BR_SSL_RECVAPP, timeout_ms);
    /* ECDHE is done once the handshake is (renegotiation is refused). */
    tl_tls__chip_release(&c->chip);
    if (r == 0)
        return fail(c, TL_TLS_ERR_TIMEOUT);
    return r > 0 ? 0 : -1;
}

/* run_until()'s 0 (timeout) or -1 (failed) as a transport return value. */
static long transport_result(const tl_tls_client *c, int r)
{
    if (r == 0)
        return 0;
    return c->last_error == TL_TLS_ERR_CLOSED ? TL_TRANSPORT_CLOSED : TL_TRANSPORT_ERROR;
}

static long tls_send(const tl_transport_class **ctx, const uint8_t *buf, size_t len,
                     uint32_t timeout_ms)
{
    tl_tls_client *c = (tl_tls_client *)ctx;
    br_ssl_engine_context *eng = &c->sc.eng;
    unsigned char *dst;
    size_t avail;
    int r = run_until(c, BR_SSL_SENDAPP, timeout_ms);
    if (r <= 0)
        return transport_result(c, r);
    if (!(br_ssl_engine_current_state(eng) & BR_SSL_SENDAPP))
        return 0;   /* must read first */
    dst = br_ssl_engine_sendapp_buf(eng, &avail);
    if (avail > len)
        avail = len;
    memcpy(dst, buf, avail);
    br_ssl_engine_sendapp_ack(eng, avail);
    br_ssl_engine_flush(eng, 0);
    /* Push the record out now; MQTT packets are small and latency matters. */
    while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
        unsigned char *rec;
        size_t rlen;
        long n;
        rec = br_ssl_engine_sendrec_buf(eng, &rlen);
        n = (*c->lower)->send(c->lower, rec, rlen, timeout_ms);
        if (n <= 0) {
            fail(c, n == TL_TRANSPORT_CLOSED ? TL_TLS_ERR_CLOSED : BR_ERR_IO);
            return TL_TRANSPORT_ERROR;
        }
        br_ssl_engine_sendrec_ack(eng, (size_t)n);
    }
    return (long)avail;
}

static long tls_recv(const tl_transport_class **ctx, uint8_t *buf, size_t len,
                     uint32_t timeout_ms)
{
    tl_tls_client *c = (tl_tls_client *)ctx;
    br_ssl_engine_context *eng = &c->sc.eng;
    unsigned char *src;
    size_t avail;
    int r = run_until(c, BR_SSL_RECVAPP, timeout_ms);
    if (r <= 0)
        return transport_result(c, r);
    src = br_ssl_engine_recvapp_buf(eng, &avail);
    if (!src)
        return 0;
    if (avail > len)
        avail = len;
    memcpy(buf, src, avail);
    br_ssl_engine_recvapp_ack(eng, avail);
    return (long)avail;
}

static void tls_close(const tl_transport_class **ctx)
{
    tl_tls_client *c = (tl_tls_client *)ctx;
    br_ssl_engine_close(&c->sc.eng);
    /* Best effort: send the close_notify alert, then close below. */
    if (c->lower) {
        unsigned char *rec;
        size_t rlen;
        if (br_ssl_engine_current_state(&c->sc.eng) & BR_SSL_SENDREC) {
            rec = br_ssl_engine_sendrec_buf(&c->sc.eng, &rlen);
            (void)(*c->lower)->send(c->lower, rec, rlen, 100);
        }
        (*c->lower)->close(c->lower);
    }
}

int tl_tls_client_error(const tl_tls_client *c)
{
    return c->last_error;
}

const char *tl_tls_error_text(int err)
{
#if !TL_TLS_ERROR_TEXT
    return err ? "TLS error" : "no error";   /* callers show the number */
#else
    switch (err) {
    case 0: return "no error";
    case TL_TLS_ERR_TIMEOUT: return "the server did not answer in time";
    case TL_TLS_ERR_SIGNER: return "the secure element could not sign the handshake";
    case TL_TLS_ERR_CLOSED: return "the server closed the connection";
    case TL_TLS_ERR_CHIP: return "the secure element failed during ECDHE or signature verification";
    case TL_TLS_ERR_CHIP_BUSY: return "the secure element's ECDHE is in use by another connection";
    case TL_TLS_ERR_REVOKED:
        return "server certificate revoked (its serial number is in the CRL)";
    case TL_TLS_ERR_CRL_EXPIRED:
        return "the CRL of the server's CA is out of date (nextUpdate passed): load a fresh one";
    case TL_TLS_ERR_CRL_CHECK:
        return "could not read the server certificate's serial number and issuer for the CRL";
    case BR_ERR_IO: return "network error during the TLS exchange";
    case BR_ERR_BAD_PARAM: return "invalid TLS parameters (server name?)";
    case BR_ERR_X509_NOT_TRUSTED: return "server certificate not trusted (wrong CA file?)";
    case BR_ERR_X509_BAD_SERVER_NAME: return "server certificate does not match the server name";
    case BR_ERR_X509_EXPIRED: return "server certificate expired or not yet valid";
    case BR_ERR_X509_TIME_UNKNOWN: return "no time source to check certificate dates";
    case BR_ERR_X509_BAD_SIGNATURE: return "bad signature in the server's certificate chain";
    case BR_ERR_BAD_SIGNATURE: return "the server's key exchange signature does not verify";
    case BR_ERR_X509_NOT_CA: return "an issuer in the server's chain is not a CA";
    case BR_ERR_X509_UNSUPPORTED: return "server chain uses an unsupported algorithm";
    case BR_ERR_X509_WEAK_PUBLIC_KEY: return "server key too weak";
    case BR_ERR_BAD_VERSION: return "server does not speak TLS 1.2";
    case BR_ERR_BAD_CIPHER_SUITE: return "no cipher suite in common with the server";
    case BR_ERR_UNSUPPORTED_VERSION: return "server does not speak TLS 1.2";
    case BR_ERR_NO_CLIENT_AUTH: return "server did not accept a client certificate";
    default:
        if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_RECV_FATAL_ALERT + 256)
            return "the server refused the handshake (fatal alert; client certificate not accepted?)";
        if (err >= BR_ERR_SEND_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT + 256)
            return "handshake aborted (fatal alert sent)";
        return "TLS handshake failed";
    }
#endif
}
