#!/usr/bin/env bash
# Revoked server certificates (issue 5): a CA run with `openssl ca`, two
# server certificates, one revoked with `openssl ca -revoke` + `-gencrl`.
# The device TLS client (tls_probe) against `openssl s_server`, and
# `trustlink mqtt pub` with mqtt.ssl_crl against a real Mosquitto: the
# revoked server is refused with a message naming the serial, the other one
# connects; without a CRL both connect; bad CRL files are named errors.
. "$(dirname "$0")/../cli/lib.sh"
P=${TLS_PROBE:?}
OUT= ERR=

# The CA, in the layout `openssl ca` wants.
mkdir -p cadb && : > cadb/index.txt && echo 1000 > cadb/serial && echo 01 > cadb/crlnumber
cat > ca.cnf <<'EOF'
[ca]
default_ca = d
[d]
database = cadb/index.txt
serial = cadb/serial
crlnumber = cadb/crlnumber
new_certs_dir = cadb
default_md = sha256
default_days = 30
default_crl_days = 7
unique_subject = no
policy = p
[p]
commonName = supplied
EOF
ca() {  # ca NAME: an EC P-256 CA certificate
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
    openssl req -x509 -new -key "$1.key" -subj "/CN=$1" -days 30 -sha256 -out "$1.pem" \
        -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
}
ca ca; ca other-ca
openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
for s in good revoked; do   # serials 1000 and 1001
    openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in server.csr -out $s.pem \
        -notext -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') 2>/dev/null
done
[ "$(openssl x509 -in revoked.pem -noout -serial)" = "serial=1001" ] && _ok || _bad "serials"
openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key -revoke revoked.pem 2>/dev/null
openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl -out crl.pem 2>/dev/null
openssl crl -in crl.pem -outform DER -out crl.der
# A CRL of another CA.
mkdir -p odb && : > odb/index.txt && echo 01 > odb/crlnumber
sed 's/cadb/odb/' ca.cnf > other.cnf
openssl ca -config other.cnf -cert other-ca.pem -keyfile other-ca.key -gencrl -out other.crl \
    2>/dev/null

# probe SERVER_CERT [tls_probe connect options]: one connection to an
# openssl s_server presenting SERVER_CERT.
probe() {
    local cert=$1 port log=server.log pid
    shift
    port=$(free_port)
    openssl s_server -accept 127.0.0.1:$port -cert $cert -key server.key -naccept 1 -rev \
        > $log 2>&1 &
    pid=$!
    wait_log $log ACCEPT 5 || _bad "openssl s_server did not start"
    run "$P" connect 127.0.0.1 $port localhost ca.pem "$@"
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
}

# Without a CRL, both servers are accepted.
probe good.pem; expect_rc 0 "good, no CRL"; expect_out connected
probe revoked.pem; expect_rc 0 "revoked, no CRL"; expect_out connected
# With the CRL (PEM and DER), the revoked one is refused, by serial.
for f in crl.pem crl.der; do
    probe good.pem --crl $f; expect_rc 0 "good, $f"; expect_out connected
    probe revoked.pem --crl $f; expect_rc 1 "revoked, $f"
    expect_out "error: server certificate revoked (its serial number is in the CRL) (1006): serial 1001"
done
# With a clock the CRL must be current: it is now, not 8 days on.
probe revoked.pem --crl crl.pem --time "$(date +%s)"; expect_rc 1; expect_out_has "serial 1001"
probe good.pem --crl crl.pem --time $(( $(date +%s) + 8 * 86400 )); expect_rc 1 "stale CRL"
expect_out "error: CRL file: CRL is out of date (its nextUpdate has passed)"
# A CRL that is not the CA's, a tampered one, junk.
run "$P" connect 127.0.0.1 1 localhost ca.pem --crl other.crl; expect_rc 1
expect_out "error: CRL file: CRL issuer is not one of the trust anchors (wrong CA?)"
cp crl.der bad.der; printf '\x01' | dd of=bad.der bs=1 seek=$(( $(stat -c %s crl.der) - 1 )) \
    conv=notrunc 2>/dev/null
cmp -s crl.der bad.der && _bad "tampering did nothing" || _ok
run "$P" connect 127.0.0.1 1 localhost ca.pem --crl bad.der; expect_rc 1
expect_out_has "error: CRL file: CRL signature does not verify"
head -c 100 crl.der > short.der
run "$P" connect 127.0.0.1 1 localhost ca.pem --crl short.der; expect_rc 1
expect_out "error: CRL file: malformed CRL (bad PEM, or DER that is not a CRL)"

# trustlink mqtt pub with mqtt.ssl_crl: one Mosquitto, one listener per
# server certificate (no client certificate needed here).
GOOD=$(free_port); BAD=$(free_port)
while [ "$BAD" = "$GOOD" ]; do BAD=$(free_port); done
{
    for l in "$GOOD good" "$BAD revoked"; do
        set -- $l
        printf 'listener %s 127.0.0.1\ncafile %s/ca.pem\ncertfile %s/%s.pem\nkeyfile %s/server.key\n' \
            $1 "$T_DIR" "$T_DIR" $2 "$T_DIR"
    done
    printf 'allow_anonymous true\nlog_dest file %s/broker.log\n' "$T_DIR"
    [ "$(id -u)" = 0 ] && echo "user root"
} > mosquitto.conf
t_bg mosquitto -c mosquitto.conf 2>>broker.err
wait_log broker.log "listen socket on port $BAD" 10 || _bad "mosquitto did not start"
printf '{"mqtt": {"client_id": "crl-test", "ssl_ca_cert": "ca.pem", "queue_path": "q"}}\n' \
    > dev.json
pub() {  # pub PORT [--set ...]
    local port=$1; shift
    run "$TL" mqtt pub --config dev.json --set mqtt.server=localhost:$port -t t/crl -m hi -q 1 \
        --timeout 10 "$@"
}
run "$TL" config schema --config dev.json; expect_rc 0; expect_out_has "mqtt.ssl_crl"
pub $GOOD; expect_rc 0 "mqtt good, no CRL"
pub $BAD; expect_rc 0 "mqtt revoked, no CRL"
pub $GOOD --set mqtt.ssl_crl=crl.pem; expect_rc 0 "mqtt good, CRL"
pub $BAD --set mqtt.ssl_crl=crl.der; expect_rc 1 "mqtt revoked, CRL"
expect_err_has "TLS connection to localhost:$BAD failed: server certificate revoked (its serial number is in the CRL): serial 1001 in mqtt.ssl_crl"
pub $GOOD --set mqtt.ssl_crl=other.crl; expect_rc 1
expect_err_has "mqtt.ssl_crl: other.crl: CRL issuer is not one of the trust anchors (wrong CA?)"
pub $GOOD --set mqtt.ssl_crl=nothere.crl; expect_rc 1; expect_err_has "mqtt.ssl_crl: "
expect_err_has "nothere.crl"
echo "not a crl" > junk.crl
pub $GOOD --set mqtt.ssl_crl=junk.crl; expect_rc 1
expect_err_has "mqtt.ssl_crl: junk.crl: no CRL found (expected DER or -----BEGIN X509 CRL-----)"

finish
