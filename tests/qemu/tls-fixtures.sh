#!/usr/bin/env bash
# Regenerates tls_fixtures.h for test_tls_glue.c (writes next to this
# script): a P-256 CA, two certificates for localhost under it with fixed
# dates (one valid 2025-06-01 to 2035-06-01, one that expired in 2021), the
# first one's key as SEC1 and PKCS#8 PEM with its scalar and public key, and
# a P-384 key. Test material only; the CA key is not kept.
set -euo pipefail
OUT=$(cd "$(dirname "$0")" && pwd)/tls_fixtures.h
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=trustlink qemu CA" -days 36500 -sha256 -out ca.pem \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in leaf.key -out leaf.p8
openssl ecparam -name secp384r1 -genkey -noout -out p384.key 2>/dev/null
openssl req -new -key leaf.key -subj "/CN=localhost" -out leaf.csr
mkdir db && : > db/index.txt && echo 1001 > db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = db/index.txt
serial = db/serial
new_certs_dir = db
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
x509_extensions = ext
[p]
commonName = supplied
[ext]
subjectAltName = DNS:localhost
extendedKeyUsage = serverAuth
CNF
sign() {  # sign OUT START END
    openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in leaf.csr -notext \
        -startdate "$2" -enddate "$3" -out "$1" 2>/dev/null
}
sign leaf.pem 20250601000000Z 20350601000000Z
sign old.pem 20200101000000Z 20210101000000Z
# A PEM file as a C string literal, one line per line.
str() { printf 'static const char %s[] =\n' "$1"; sed 's/.*/    "&\\n"/' "$2"; printf ';\n'; }
# Binary on stdin as a C array, 12 bytes a line.
arr() {
    printf 'static const unsigned char %s[] = {\n' "$1"
    od -An -v -tx1 | tr -s ' \n' '\n\n' | grep . |
        awk '{ printf "%s0x%s,", (NR % 12 == 1 ? (NR > 1 ? "\n" : "") "    " : " "), $1 } END { print "" }'
    printf '};\n'
}
{
    printf '/* Made by tls-fixtures.sh: test material, do not edit. */\n'
    str ca_pem ca.pem
    str leaf_pem leaf.pem
    str old_pem old.pem
    str key_sec1_pem leaf.key
    str key_pkcs8_pem leaf.p8
    str key_p384_pem p384.key
    # SEC1 DER: 30 77 02 01 01 04 20, then the 32-byte scalar.
    openssl ec -in leaf.key -outform DER 2>/dev/null | tail -c +8 | head -c 32 | arr key_scalar
    openssl ec -in leaf.key -pubout -outform DER 2>/dev/null | tail -c 64 | arr key_pub
    printf '/* Certificate lengths (DER). */\n'
    for f in ca leaf old; do
        printf '#define %s_DER_LEN %d\n' "${f^^}" "$(openssl x509 -in $f.pem -outform DER | wc -c)"
    done
} > "$OUT"
