#!/usr/bin/env bash
# The cloud's CA through `trustlink cloud init` and `cloud ca sign-csr`:
# CSRs made by `openssl req`, certificates checked with `openssl verify`, the
# certificate id against sha256sum of the DER, and the registry entry.
. "$(dirname "$0")/../cli/lib.sh"
unset TRUSTLINK_CLOUD_DIR

# The command group.
run "$TL" cloud; expect_rc 2
for c in start stop status init ca; do expect_out_has "  $c "; done
run "$TL" cloud ca sign-csr --help; expect_rc 0
expect_out_has "Usage: trustlink cloud ca sign-csr --csr FILE [--dir DIR] [--days N]"
run "$TL" cloud start --bogus; expect_rc 2; expect_err_has "unknown option '--bogus'"

# No CA yet: a clear error, not a crash.
echo x > any.csr
run "$TL" cloud ca sign-csr --dir c --csr any.csr; expect_rc 1
expect_err "trustlink: c: no cloud CA here (run 'trustlink cloud start --dir c' first)"

# init makes the directory and keeps it private.
run "$TL" cloud init --dir c; expect_rc 0; expect_out "$T_DIR/c"
expect_err "trustlink: created the cloud in $T_DIR/c"
[ "$(stat -c %a c)" = 700 ] && _ok || _bad "directory mode $(stat -c %a c)"
for f in ca.key server.key credentials; do
    [ "$(stat -c %a c/$f)" = 600 ] && _ok || _bad "$f mode $(stat -c %a c/$f)"
done
grep -Eq '^aws_access_key_id = AKIA[A-Z2-7]{16}$' c/credentials && _ok || _bad "access key id shape"
grep -Eq '^aws_secret_access_key = [A-Za-z0-9+/]{40}$' c/credentials && _ok || _bad "secret shape"
run openssl x509 -in c/ca.pem -noout -text; expect_out_has "CA:TRUE"; expect_out_has "Certificate Sign, CRL Sign"
run openssl verify -CAfile c/ca.pem c/server.pem; expect_rc 0 "server cert"; expect_out "c/server.pem: OK"
run openssl x509 -in c/server.pem -noout -ext subjectAltName,extendedKeyUsage
expect_out_has "DNS:localhost, IP Address:127.0.0.1"; expect_out_has "TLS Web Server Authentication"
cp -a c c.before
run "$TL" cloud init --dir c; expect_rc 0; expect_err "trustlink: cloud exists in $T_DIR/c"
for f in ca.key ca.pem server.key server.pem credentials; do expect_file_same c/$f c.before/$f "init twice:"; done

# csr NAME KEYGEN-ARGS...: a key and a CSR for /CN=NAME/O=Acme.
csr() {
    local name=$1; shift
    openssl genpkey "$@" -out "$name.key" 2>/dev/null
    openssl req -new -key "$name.key" -subj "/CN=$name/O=Acme" -out "$name.csr"
}
csr p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
csr p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
csr rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
csr rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
csr p521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521
csr ed -algorithm ED25519

# Accepted keys: the certificate verifies, copies the subject, has the device
# profile, and its id is the SHA-256 of its DER.
for k in p256 p384 rsa2048; do
    run "$TL" cloud ca sign-csr --dir c --csr $k.csr; expect_rc 0 "$k"
    echo "$OUT" > $k.pem; said=$ERR
    run openssl verify -CAfile c/ca.pem -purpose sslclient $k.pem; expect_rc 0 "$k verify"
    expect_out "$k.pem: OK"
    id=$(openssl x509 -in $k.pem -outform der | sha256sum | cut -d' ' -f1)
    [ "$said" = "certificate id: $id" ] && _ok || _bad "$k id: '$said' vs $id"
    run sqlite3 c/registry.db "SELECT status FROM certificates WHERE id = '$id'"; expect_out ACTIVE "$k registered"
    run openssl x509 -in $k.pem -noout -subject -ext basicConstraints,keyUsage,extendedKeyUsage
    expect_out_has "subject=CN = $k, O = Acme"; expect_out_has "CA:FALSE"
    expect_out_has "Digital Signature"; expect_out_has "TLS Web Client Authentication"
    run openssl x509 -in $k.pem -noout -serial
    [ ${#OUT} -eq 39 ] && _ok || _bad "$k serial is not 16 bytes: $OUT"
done
# The issued certificate serves a real TLS client handshake key check.
run openssl x509 -in p256.pem -noout -pubkey; pub=$OUT
[ "$pub" = "$(openssl pkey -in p256.key -pubout)" ] && _ok || _bad "public key not the CSR's"

# Refused keys.
run "$TL" cloud ca sign-csr --dir c --csr rsa1024.csr; expect_rc 1; expect_out ""
expect_err "trustlink: key type not accepted: RSA 1024 bits (need RSA >= 2048 or EC P-256/P-384)"
run "$TL" cloud ca sign-csr --dir c --csr p521.csr; expect_rc 1
expect_err "trustlink: key type not accepted: EC secp521r1 (need RSA >= 2048 or EC P-256/P-384)"
run "$TL" cloud ca sign-csr --dir c --csr ed.csr; expect_rc 1
expect_err "trustlink: key type not accepted: ED25519 (need RSA >= 2048 or EC P-256/P-384)"

# flip IN OUT FROM-END MASK: copy a file with one byte XORed, FROM-END
# bytes before its end.
flip() {
    local size off byte
    size=$(stat -c %s "$1"); off=$((size - $3))
    byte=$(dd if="$1" bs=1 skip=$off count=1 2>/dev/null | xxd -p)
    { head -c $off "$1"; printf "\\x$(printf %02x $((0x$byte ^ $4)))"; tail -c +$((off + 2)) "$1"; } > "$2"
}

# A CSR whose signature has one byte flipped (the last byte of the DER is
# inside the signature).
openssl req -in p256.csr -outform der -out p256.der
flip p256.der bad.der 1 1
cmp -s p256.der bad.der && _bad "flip did nothing" || _ok
openssl req -inform der -in bad.der -out bad.csr
run "$TL" cloud ca sign-csr --dir c --csr bad.csr; expect_rc 1; expect_out ""
expect_err "trustlink: CSR signature does not verify"
openssl req -in rsa2048.csr -outform der -out rsa.der
flip rsa.der badrsa.der 7 128
openssl req -inform der -in badrsa.der -out badrsa.csr
run "$TL" cloud ca sign-csr --dir c --csr badrsa.csr; expect_rc 1
expect_err "trustlink: CSR signature does not verify"

# Garbage, missing files, options.
echo "not a csr" > junk.csr
run "$TL" cloud ca sign-csr --dir c --csr junk.csr; expect_rc 1
expect_err "trustlink: CSR: malformed PEM (expected -----BEGIN CERTIFICATE REQUEST-----)"
run "$TL" cloud ca sign-csr --dir c --csr missing.csr; expect_rc 1
expect_err "trustlink: cannot open missing.csr: No such file or directory"
run "$TL" cloud ca sign-csr --dir c; expect_rc 2; expect_err_has "which CSR? (--csr FILE)"
run "$TL" cloud ca sign-csr --dir c --csr p256.csr --days 0; expect_rc 2
expect_err_has "--days: 0 is out of range (1..10950)"

# --days: 30 days of validity.
run "$TL" cloud ca sign-csr --dir c --csr p256.csr --days 30; expect_rc 0; echo "$OUT" > d30.pem
openssl x509 -in d30.pem -noout -checkend $((29 * 86400)) >/dev/null && _ok || _bad "30 days: expires too soon"
openssl x509 -in d30.pem -noout -checkend $((31 * 86400)) >/dev/null && _bad "30 days: lasts too long" || _ok

# --endpoint names the host in the server certificate, once.
run "$TL" cloud init --dir e --endpoint iot.example.test; expect_rc 0
run openssl x509 -in e/server.pem -noout -ext subjectAltName
expect_out_has "DNS:localhost, IP Address:127.0.0.1, DNS:iot.example.test"
run "$TL" cloud status --dir e --json; expect_out_has '"endpoint": "iot.example.test"'
run "$TL" cloud init --dir x --endpoint 'bad,host'; expect_rc 1
expect_err "trustlink: endpoint host 'bad,host': invalid character"

# --json, and the registry count.
run "$TL" cloud ca sign-csr --dir c --csr p384.csr --json; expect_rc 0
expect_out_has '"certificateId": "'; expect_out_has '"certificatePem": "-----BEGIN CERTIFICATE-----\n'
run "$TL" cloud status --dir c --json; expect_rc 0
expect_out_has '"running": false'; expect_out_has '"certificates": 5'

finish
