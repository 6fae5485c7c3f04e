/*
 * PKCS#10 (RFC 2986) in DER, written front to back. All lengths are known
 * before writing except the signature's (70-72 bytes in DER), so the body is
 * written after room for the outer header and moved once at the end.
 */
#include <string.h>

#include <bearssl.h>

#include "../json/tl_json.h"
#include "tl_csr.h"
#include "../tls/tl_tls_impl.h"

/* OIDs, with their DER tag and length. */
static const uint8_t oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
static const uint8_t spki_alg[] = {           /* id-ecPublicKey, prime256v1 */
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t sig_alg[] = {            /* ecdsa-with-SHA256 */
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };

static size_t len_size(size_t len)
{
    return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
}

/* Tag and length; returns the bytes written (len < 65536). */
static size_t put_hdr(uint8_t *p, uint8_t tag, size_t len)
{
    p[0] = tag;
    if (len < 0x80) {
        p[1] = (uint8_t)len;
        return 2;
    }
    if (len < 0x100) {
        p[1] = 0x81;
        p[2] = (uint8_t)len;
        return 3;
    }
    p[1] = 0x82;
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    return 4;
}

static size_t tlv_size(size_t len) { return 1 + len_size(len) + len; }

tl_csr_status tl_csr_build(const tl_signer_class **signer, const char *cn,
                           uint8_t *out, size_t cap, size_t *out_len)
{
    uint8_t pub[64], digest[32], sig[72], q[65];
    size_t cn_len = strlen(cn);
    size_t atv, rdn, name, spki, tbs, siglen, bits, body, total, hdr, p;
    br_sha256_context sha;
    br_ec_public_key pk;

    if (cn_len == 0 || cn_len > TL_CSR_CN_MAX || !tl_json_utf8_valid(cn, cn_len))
        return TL_CSR_ERR_CN;
    if ((*signer)->public_key(signer, pub) != 0)
        return TL_CSR_ERR_SIGNER;

    atv = sizeof oid_cn + tlv_size(cn_len);              /* SEQ { OID, UTF8 } */
    rdn = tlv_size(atv);                                  /* SET { atv } */
    name = tlv_size(rdn);                                 /* SEQ { rdn } */
    spki = sizeof spki_alg + tlv_size(66);                /* alg, BIT STRING 00 04 X Y */
    tbs = 3 + tlv_size(name) + tlv_size(spki) + 2;        /* version, ..., [0] {} */
    if (4 + tlv_size(tbs) + sizeof sig_alg + tlv_size(1 + sizeof sig) > cap)
        return TL_CSR_ERR_BUFFER;

    /* The request body, after 4 bytes kept for the outer header. */
    p = 4;
    p += put_hdr(out + p, 0x30, tbs);
    out[p++] = 0x02; out[p++] = 0x01; out[p++] = 0x00;   /* version 0 */
    p += put_hdr(out + p, 0x30, name);
    p += put_hdr(out + p, 0x31, rdn);
    p += put_hdr(out + p, 0x30, atv);
    memcpy(out + p, oid_cn, sizeof oid_cn);
    p += sizeof oid_cn;
    p += put_hdr(out + p, 0x0C, cn_len);                  /* UTF8String */
    memcpy(out + p, cn, cn_len);
    p += cn_len;
    p += put_hdr(out + p, 0x30, spki);
    memcpy(out + p, spki_alg, sizeof spki_alg);
    p += sizeof spki_alg;
    p += put_hdr(out + p, 0x03, 66);
    out[p++] = 0x00;                                      /* no unused bits */
    out[p++] = 0x04;                                      /* uncompressed point */
    memcpy(out + p, pub, 64);
    p += 64;
    out[p++] = 0xA0; out[p++] = 0x00;                     /* no attributes */

    br_sha256_init(&sha);
    br_sha256_update(&sha, out + 4, p - 4);
    br_sha256_out(&sha, digest);
    if ((*signer)->sign_digest(signer, digest, sig) != 0)
        return TL_CSR_ERR_SIGNER;

    /* Check the chip's work before anyone else sees it. */
    q[0] = 0x04;
    memcpy(q + 1, pub, 64);
    pk.curve = BR_EC_secp256r1;
    pk.q = q;
    pk.qlen = sizeof q;
    if (!TL_ECDSA_VRFY_RAW(TL_EC_IMPL, digest, sizeof digest, &pk, sig, 64))
        return TL_CSR_ERR_BAD_SIGNATURE;
    siglen = br_ecdsa_raw_to_asn1(sig, 64);
    if (siglen == 0 || siglen > sizeof sig)
        return TL_CSR_ERR_SIGNER;

    memcpy(out + p, sig_alg, sizeof sig_alg);
    p += sizeof sig_alg;
    bits = 1 + siglen;
    p += put_hdr(out + p, 0x03, bits);
    out[p++] = 0x00;
    memcpy(out + p, sig, siglen);
    p += siglen;

    /* Outer SEQUENCE header, then close the gap left for it. */
    body = p - 4;
    hdr = 1 + len_size(body);
    total = hdr + body;
    memmove(out + hdr, out + 4, body);
    put_hdr(out, 0x30, body);
    *out_len = total;
    return TL_CSR_OK;
}

size_t tl_csr_pem(const uint8_t *der, size_t der_len, char *out, size_t cap)
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char head[] = "-----BEGIN CERTIFICATE REQUEST-----\n";
    static const char tail[] = "-----END CERTIFICATE REQUEST-----\n";
    size_t chars = (der_len + 2) / 3 * 4;
    size_t need = sizeof head - 1 + chars + (chars + 63) / 64 + sizeof tail - 1 + 1;
    size_t i, o = 0, col = 0;

    if (need > cap)
        return 0;
    memcpy(out, head, sizeof head - 1);
    o = sizeof head - 1;
    for (i = 0; i < der_len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        size_t n = der_len - i < 3 ? der_len - i : 3, k;
        char quad[4];
        if (n > 1) v |= (uint32_t)der[i + 1] << 8;
        if (n > 2) v |= der[i + 2];
        quad[0] = b64[(v >> 18) & 63];
        quad[1] = b64[(v >> 12) & 63];
        quad[2] = n > 1 ? b64[(v >> 6) & 63] : '=';
        quad[3] = n > 2 ? b64[v & 63] : '=';
        for (k = 0; k < 4; k++) {
            out[o++] = quad[k];
            if (++col == 64) {
                out[o++] = '\n';
                col = 0;
            }
        }
    }
    if (col)
        out[o++] = '\n';
    memcpy(out + o, tail, sizeof tail - 1);
    o += sizeof tail - 1;
    out[o] = '\0';
    return o;
}

const char *tl_csr_status_text(tl_csr_status st)
{
    switch (st) {
    case TL_CSR_OK: return "ok";
    case TL_CSR_ERR_CN: return "subject CN must be 1 to 128 bytes of UTF-8";
    case TL_CSR_ERR_BUFFER: return "output buffer too small for the request";
    case TL_CSR_ERR_SIGNER: return "the signer failed to produce a key or signature";
    case TL_CSR_ERR_BAD_SIGNATURE: return "the signature does not verify with the signer's public key";
    }
    return "unknown error";
}
