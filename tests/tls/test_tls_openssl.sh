#!/usr/bin/env bash
# The device TLS client (BearSSL, key behind the signer interface) against a
# real OpenSSL server that requires a client certificate. The device's
# certificate comes from a CSR made by tl_csr and signed by a test CA.
. "$(dirname "$0")/../cli/lib.sh"
P=${TLS_PROBE:?}
KEY=6b5c215767b1d6934e50c3db36e89b127b8a622b120f6721c9afa9d845ba7516

# A CA, a server certificate for localhost/127.0.0.1, and a device certificate.
ca() {  # ca NAME: an EC P-256 CA
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
    openssl req -x509 -new -key "$1.key" -subj "/CN=$1" -days 30 -sha256 -out "$1.pem" \
        -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
}
ca ca; ca other-ca
openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') \
    -out server.pem 2>/dev/null
run "$P" csr $KEY device-1; expect_rc 0 "csr"; echo "$OUT" > device.csr
run openssl req -in device.csr -noout -verify -subject; expect_rc 0 "openssl verifies the CSR"
expect_out_has "subject=CN = device-1"
openssl x509 -req -in device.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out device.pem 2>/dev/null

# start_server [extra s_server args]: one connection, then it exits by itself.
SERVER_PID=
start_server() {
    local try
    for try in 1 2 3 4 5; do
        PORT=$((20000 + RANDOM % 40000))
        openssl s_server -accept 127.0.0.1:$PORT -cert server.pem -key server.key \
            -CAfile ca.pem -naccept 1 -rev "$@" > server.log 2>&1 &
        SERVER_PID=$!
        for _ in $(seq 50); do
            grep -q ACCEPT server.log 2>/dev/null && return 0
            kill -0 $SERVER_PID 2>/dev/null || break
            sleep 0.05
        done
        kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null
    done
    echo "could not start openssl s_server" >&2
    return 1
}
stop_server() { kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null; }
trap 'stop_server; rm -rf "$T_DIR"' EXIT

# Mutual TLS: the server requires and checks our certificate; data flows.
start_server -Verify 1 -verify_return_error
run "$P" connect 127.0.0.1 $PORT localhost ca.pem device.pem $KEY --send $'hello device\n'
expect_rc 0 "mutual TLS"; expect_out "connected
ecived olleh"
stop_server
grep -q "CN = device-1\|subject=CN = device-1\|device-1" server.log && _ok || _bad "server did not log the client certificate"

# SNI and name check work with the DNS name too.
start_server -Verify 1 -verify_return_error
run "$P" connect localhost $PORT localhost ca.pem device.pem $KEY; expect_rc 0 "by name"
stop_server

# Wrong CA: the device refuses the server.
start_server
run "$P" connect 127.0.0.1 $PORT localhost other-ca.pem device.pem $KEY; expect_rc 1
expect_out "error: server certificate not trusted (wrong CA file?) (62)"
stop_server

# Wrong server name.
start_server
run "$P" connect 127.0.0.1 $PORT wrong.example ca.pem device.pem $KEY; expect_rc 1
expect_out "error: server certificate does not match the server name (56)"
stop_server

# Expired as seen by a device whose clock says 2100.
start_server
run "$P" connect 127.0.0.1 $PORT localhost ca.pem device.pem $KEY --time 4102444800; expect_rc 1
expect_out "error: server certificate expired or not yet valid (54)"
stop_server

# Without a clock the device still refuses a certificate that expired before
# its firmware was built (the build time is the floor).
mkdir -p cadb && : > cadb/index.txt && echo 1000 > cadb/serial
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=cadb/index.txt\nserial=cadb/serial\nnew_certs_dir=cadb\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' > ca.cnf
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in server.csr -out old.pem \
    -startdate 20200101000000Z -enddate 20210101000000Z -notext \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') 2>/dev/null
cp server.pem fresh.pem; cp old.pem server.pem
start_server
run "$P" connect 127.0.0.1 $PORT localhost ca.pem device.pem $KEY; expect_rc 1 "expired, no clock"
expect_out "error: server certificate expired or not yet valid (54)"
stop_server
cp fresh.pem server.pem

# No client certificate: a server that requires one refuses us.
start_server -Verify 1 -verify_return_error
run "$P" connect 127.0.0.1 $PORT localhost ca.pem --send $'x\n'; expect_rc 1
expect_out_has "error:"
stop_server

# A client certificate from another CA is refused by the server.
openssl x509 -req -in device.csr -CA other-ca.pem -CAkey other-ca.key -CAcreateserial -days 30 \
    -sha256 -out foreign.pem 2>/dev/null
start_server -Verify 1 -verify_return_error
run "$P" connect 127.0.0.1 $PORT localhost ca.pem foreign.pem $KEY --send $'x\n'; expect_rc 1
expect_out_has "error:"
stop_server

# A bad CA file is a clear error, not a crash.
echo "not a certificate" > junk.pem
run "$P" connect 127.0.0.1 1 localhost junk.pem; expect_rc 1
expect_out "error: CA file: no certificate found (expected -----BEGIN CERTIFICATE-----)"
printf -- '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n' > junk.pem
run "$P" connect 127.0.0.1 1 localhost junk.pem; expect_rc 1
expect_out "error: CA file: malformed PEM (bad framing or base64)"

finish
