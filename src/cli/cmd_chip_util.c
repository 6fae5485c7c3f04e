/* trustlink chip: opening the chip, errors, hex/PEM/DER encodings. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_chip.h"

static void trace_line(void *arg, char op, const uint8_t *data, size_t len, int rc)
{
    char line[1024];
    tl_bus_trace_format(op, data, len, rc, line, sizeof line);
    fputs(line, (FILE *)arg);
}

int chip_open_uri(chip_session *s, const char *uri, const char *trace, char *err,
                  size_t errcap)
{
    tl_atca_status st;
    memset(s, 0, sizeof *s);
    if (tl_hal_open(&s->hal, uri, err, errcap) != 0)
        return -1;
    if (trace) {
        s->trace_file = fopen(trace, "w");
        if (!s->trace_file) {
            snprintf(err, errcap, "cannot write %s: %s", trace, strerror(errno));
            tl_hal_close(&s->hal);
            return -1;
        }
        tl_bus_trace_init(&s->trace, s->hal.bus, trace_line, s->trace_file);
        tl_atca_init(&s->dev, &s->trace.vtable);
    } else {
        tl_atca_init(&s->dev, s->hal.bus);
    }
    st = tl_atca_detect(&s->dev, NULL);
    if (st != TL_ATCA_OK) {
        /* On I2C, a wrong address or a missing chip shows as every transfer
         * refused: say what to check rather than only the driver's status. */
        int silent = st == TL_ATCA_ERR_RETRIES || st == TL_ATCA_ERR_NO_WAKE;
        snprintf(err, errcap, "no ATECC508A/608A at %s (%s)%s", s->hal.desc,
                 tl_atca_status_text(st),
                 silent && s->hal.kind == 1
                     ? ": nothing answered; check the wiring and the address (0x60 by "
                       "default, 0x35 Trust&GO, 0x36 TrustFLEX)"
                     : "");
        chip_close(s);
        return -1;
    }
    return 0;
}

int chip_open(tl_cli *cli, const tl_cli_args *a, chip_session *s)
{
    const char *uri = tl_cli_opt_value(a, "chip");
    char err[512];
    tl_config cfg;
    if (!uri) {
        /* chip.uri from the config (file or --set); its default "auto" then
         * looks at $TRUSTLINK_CHIP. */
        int r = tl_cli_load_config(cli, &cfg, 0);
        if (r)
            return r;
        uri = tl_config_str(&cfg, TL_CFG_CHIP_URI);
        if (strcmp(uri, "auto") == 0 && getenv("TRUSTLINK_CHIP") && getenv("TRUSTLINK_CHIP")[0])
            uri = getenv("TRUSTLINK_CHIP");
    }
    if (chip_open_uri(s, uri, tl_cli_opt_value(a, "trace"), err, sizeof err) != 0)
        return tl_cli_fail("%s", err);
    return 0;
}

void chip_close(chip_session *s)
{
    if (s->trace_file)
        fclose(s->trace_file);
    s->trace_file = NULL;
    tl_hal_close(&s->hal);
}

int chip_fail(chip_session *s, tl_atca_status st, const char *context)
{
    int chip_says = st >= TL_ATCA_ERR_MISCOMPARE && st <= TL_ATCA_ERR_CHIP_STATUS;
    if (chip_says && st == TL_ATCA_ERR_CHIP_STATUS)
        tl_cli_fail("chip refused: status 0x%02X%s%s", s->dev.last_chip_status,
                    context ? ": " : "", context ? context : "");
    else
        tl_cli_fail("%s%s%s%s", chip_says ? "chip refused: " : "chip: ",
                    tl_atca_status_text(st), context ? ": " : "", context ? context : "");
    chip_close(s);
    return TL_CLI_EXIT_FAIL;
}

int chip_slot_arg(const tl_cli_args *a, long *slot)
{
    const char *v = tl_cli_opt_value(a, "slot");
    if (!v)
        return tl_cli_usage_error(a->prog, "which slot? (--slot N, 0..15)");
    return tl_cli_parse_long(a->prog, "--slot", v, 0, 15, slot);
}

void chip_hex(const uint8_t *b, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long chip_unhex(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *text; text++) {
        int v;
        if (*text == ' ' || *text == ':' || *text == '\n' || *text == '\r' || *text == '\t')
            continue;
        if ((v = hexval((unsigned char)*text)) < 0)
            return -1;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n >= cap)
            return -1;
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return hi < 0 ? (long)n : -1;
}

/* SubjectPublicKeyInfo prefix for id-ecPublicKey / prime256v1, up to the
 * BIT STRING's unused-bits byte; 04||X||Y follows. */
static const uint8_t spki_prefix[26] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00
};

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void chip_print_pem(FILE *f, const uint8_t pub[64])
{
    uint8_t der[91];
    char line[65];
    size_t i, col = 0;
    memcpy(der, spki_prefix, sizeof spki_prefix);
    der[26] = 0x04;
    memcpy(der + 27, pub, 64);
    fputs("-----BEGIN PUBLIC KEY-----\n", f);
    for (i = 0; i < sizeof der; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16;
        size_t left = sizeof der - i;
        if (left > 1)
            v |= (uint32_t)der[i + 1] << 8;
        if (left > 2)
            v |= der[i + 2];
        line[col++] = b64[v >> 18 & 63];
        line[col++] = b64[v >> 12 & 63];
        line[col++] = left > 1 ? b64[v >> 6 & 63] : '=';
        line[col++] = left > 2 ? b64[v & 63] : '=';
        if (col == 64) {
            line[col] = '\0';
            fprintf(f, "%s\n", line);
            col = 0;
        }
    }
    if (col) {
        line[col] = '\0';
        fprintf(f, "%s\n", line);
    }
    fputs("-----END PUBLIC KEY-----\n", f);
}

/* Decode the base64 between the PEM lines; the byte count or -1. */
static long unbase64(const char *s, uint8_t *out, size_t cap)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (; *s; s++) {
        const char *p;
        if (*s == '=' || *s == '\n' || *s == '\r' || *s == ' ')
            continue;
        if (!(p = strchr(b64, *s)) || !*s)
            return -1;
        acc = acc << 6 | (uint32_t)(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -1;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return (long)n;
}

int chip_read_pubkey(const char *path, uint8_t pub[64])
{
    char text[4096], *begin, *end;
    uint8_t der[200];
    size_t len;
    long n;
    FILE *f = fopen(path, "r");
    if (!f) {
        tl_cli_fail("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    begin = strstr(text, "-----BEGIN PUBLIC KEY-----");
    if (!begin) {
        /* Hex of X||Y or 04||X||Y. */
        n = chip_unhex(text, der, sizeof der);
        if (n == 65 && der[0] == 0x04) {
            memcpy(pub, der + 1, 64);
            return 0;
        }
        if (n == 64) {
            memcpy(pub, der, 64);
            return 0;
        }
        tl_cli_fail("%s: not a PEM public key (-----BEGIN PUBLIC KEY-----) nor hex X||Y", path);
        return -1;
    }
    begin += strlen("-----BEGIN PUBLIC KEY-----");
    end = strstr(begin, "-----END PUBLIC KEY-----");
    if (!end) {
        tl_cli_fail("%s: PEM without its END line", path);
        return -1;
    }
    *end = '\0';
    n = unbase64(begin, der, sizeof der);
    if (n != 91 || memcmp(der, spki_prefix, sizeof spki_prefix) != 0 || der[26] != 0x04) {
        tl_cli_fail("%s: not an uncompressed P-256 public key", path);
        return -1;
    }
    memcpy(pub, der + 27, 64);
    return 0;
}

/* One INTEGER of 32 bytes, minimal DER. */
static size_t der_int(const uint8_t v[32], uint8_t *out)
{
    size_t skip = 0, n;
    while (skip < 31 && v[skip] == 0)
        skip++;
    n = 32 - skip;
    out[0] = 0x02;
    if (v[skip] & 0x80) {
        out[1] = (uint8_t)(n + 1);
        out[2] = 0x00;
        memcpy(out + 3, v + skip, n);
        return n + 3;
    }
    out[1] = (uint8_t)n;
    memcpy(out + 2, v + skip, n);
    return n + 2;
}

size_t chip_sig_to_der(const uint8_t raw[64], uint8_t der[72])
{
    size_t n = der_int(raw, der + 2);
    n += der_int(raw + 32, der + 2 + n);
    der[0] = 0x30;
    der[1] = (uint8_t)n;
    return n + 2;
}

static int read_int(const uint8_t **p, const uint8_t *end, uint8_t out[32])
{
    size_t n;
    const uint8_t *v;
    if (end - *p < 2 || (*p)[0] != 0x02)
        return -1;
    n = (*p)[1];
    v = *p + 2;
    if (n == 0 || n > (size_t)(end - v))
        return -1;
    *p = v + n;
    while (n > 32 && *v == 0) {
        v++;
        n--;
    }
    if (n > 32)
        return -1;
    memset(out, 0, 32);
    memcpy(out + 32 - n, v, n);
    return 0;
}

int chip_sig_from_der(const uint8_t *der, size_t len, uint8_t raw[64])
{
    const uint8_t *p = der + 2, *end = der + len;
    if (len < 8 || der[0] != 0x30 || der[1] != len - 2)
        return -1;
    if (read_int(&p, end, raw) || read_int(&p, end, raw + 32) || p != end)
        return -1;
    return 0;
}
