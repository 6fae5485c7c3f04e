#!/usr/bin/env bash
# Regenerates the CRL fixtures of test_tls_crl.c (run from anywhere; writes
# next to this script). Only public material is kept: certificates and CRLs,
# no keys. Dates: certificates and CRLs are valid for decades, so that the
# tests (which pass their own "now") do not age.
set -euo pipefail
OUT=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"

ec_ca() {  # ec_ca NAME CURVE CN
    openssl ecparam -name "$2" -genkey -noout -out "$1.key" 2>/dev/null
    openssl req -x509 -new -key "$1.key" -subj "/CN=$3" -days 36500 -sha256 -out "$1.pem" \
        -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
}
ec_ca ca prime256v1 "trustlink test CA"
ec_ca other-ca prime256v1 "trustlink other CA"
ec_ca impostor prime256v1 "trustlink test CA"    # same name as ca, another key
ec_ca p384-ca secp384r1 "trustlink P-384 CA"
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa-ca.key -subj "/CN=trustlink RSA CA" \
    -days 36500 -sha256 -out rsa-ca.pem -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null

# Two server certificates for localhost under ca: 1001 good, 1002 revoked.
openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
for s in 1001 1002; do
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 0x$s -days 36500 \
        -sha256 -out server-$s.pem 2>/dev/null \
        -extfile <(printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n')
done

# gencrl CA OUT SERIALS... [-- extra openssl ca args]: a CRL by `openssl ca`
# with exactly the given serials revoked (written straight into its index).
gencrl() {
    local ca=$1 out=$2 s; shift 2
    rm -rf db; mkdir db; : > db/index.txt; echo 01 > db/crlnumber
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        printf 'R\t491231235959Z\t260101000000Z\t%s\tunknown\t/CN=revoked\n' "$1" >> db/index.txt
        shift
    done
    [ $# -gt 0 ] && shift
    cat > db/ca.cnf <<CNF
[ca]
default_ca = d
[d]
database = db/index.txt
crlnumber = db/crlnumber
default_md = ${MD:-sha256}
default_crl_days = 9000
crl_extensions = crl_ext
[crl_ext]
authorityKeyIdentifier = keyid:always
[idp]
fullname = URI:http://example.com/ca.crl
CNF
    [ -n "${EXT:-}" ] && printf '%s\n' "$EXT" >> db/ca.cnf
    openssl ca -batch -config db/ca.cnf -gencrl -cert "$ca.pem" -keyfile "$ca.key" \
        -out "$out.pem" "$@" 2>/dev/null
    openssl crl -in "$out.pem" -outform DER -out "$out.der"
}
gencrl ca crl 1002 1003
gencrl other-ca crl-other 1002
gencrl impostor crl-impostor 1002
MD=sha384 gencrl p384-ca crl-p384 1002
gencrl rsa-ca crl-rsa 1002 0A0B
gencrl ca crl-64 $(seq -f '%.0f' 4096 4159 | xargs printf '%X ')
gencrl ca crl-65 $(seq -f '%.0f' 4096 4160 | xargs printf '%X ')
gencrl ca crl-longserial 0102030405060708090A0B0C0D0E0F101112131415
EXT='[crl_ext]
authorityKeyIdentifier = keyid:always
issuingDistributionPoint = critical,@idp' gencrl ca crl-idp 1002

for f in ca other-ca p384-ca rsa-ca server-1001 server-1002; do cp $f.pem "$OUT/"; done
for f in crl crl-other crl-impostor crl-p384 crl-rsa crl-64 crl-65 crl-longserial crl-idp; do
    cp $f.der "$OUT/"
done
cp crl.pem "$OUT/"
