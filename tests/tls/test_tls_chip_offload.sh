#!/usr/bin/env bash
# ECDHE and ECDSA verification on the (emulated) chip, against a real
# OpenSSL server: both models, each offload alone and together, ECDSA and
# RSA server certificates, and a server whose signatures were tampered with
# on the way (a proxy flips one byte) refused with the offload on.
PROXY=$(cd "$(dirname "$0")" && pwd)/tamper_proxy.py
. "$(dirname "$0")/../cli/lib.sh"
P=${TLS_PROBE:?}

# Two emulated chips with a device key in slot 0.
for m in 508a 608a; do
    t_emulator $m --model $m
    export TRUSTLINK_CHIP=emu:$T_DIR/$m.sock
    "$TL" chip lock --default-config --yes >/dev/null || _bad "$m lock"
    "$TL" chip genkey --slot 0 >/dev/null || _bad "$m genkey"
    "$TL" chip csr --slot 0 --cn dev-$m -o $m.csr 2>/dev/null || _bad "$m csr"
done
unset TRUSTLINK_CHIP

# An EC CA; an ECDSA server, an RSA server under the EC CA (ECDHE-RSA with an
# ECDSA chain signature), and an RSA server under an RSA CA.
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj /CN=ca -days 30 -sha256 -out ca.pem \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 -newkey rsa:2048 -nodes -keyout rsaca.key -subj /CN=rsaca -days 30 -sha256 \
    -out rsaca.pem -addext basicConstraints=critical,CA:true \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
server() {  # server NAME KEYARGS CA: NAME.key/.pem for localhost signed by CA
    openssl req -new -newkey $2 -nodes -keyout $1.key -subj /CN=localhost -out $1.csr 2>/dev/null
    openssl x509 -req -in $1.csr -CA $3.pem -CAkey $3.key -CAcreateserial -days 30 -sha256 \
        -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') -out $1.pem 2>/dev/null
}
server ec "ec -pkeyopt ec_paramgen_curve:prime256v1" ca
server rsa rsa:2048 ca
server rsarsa rsa:2048 rsaca
cat ca.pem rsaca.pem > anchors.pem
for m in 508a 608a; do
    openssl x509 -req -in $m.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
        -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out $m.pem 2>/dev/null
done
cat ca.pem rsaca.pem > clientcas.pem

# One OpenSSL server per certificate, each serving every connection of the
# test (client certificate required), and the tampering proxy in front.
declare -A PORTS
for srv in ec rsa rsarsa; do
    PORTS[$srv]=$(free_port)
    t_bg openssl s_server -accept 127.0.0.1:${PORTS[$srv]} -cert $srv.pem -key $srv.key \
        -CAfile clientcas.pem -rev -Verify 1 -verify_return_error > $srv.log 2>&1
done
t_bg python3 "$PROXY" ske:${PORTS[ec]} cert:${PORTS[ec]} cert:${PORTS[rsa]} > proxy.out
for srv in ec rsa rsarsa; do
    wait_log $srv.log ACCEPT 10 || _bad "openssl s_server $srv did not start"
done
wait_log proxy.out PORT 10 3 || _bad "the proxy did not start"
proxy_port() { sed -n "s/^PORT $1 //p" proxy.out; }

probe() {  # probe MODEL SERVER OFFLOAD [extra]: mutual TLS, data echoed
    local m=$1 srv=$2 off=$3; shift 3
    run timeout 30 "$P" connect 127.0.0.1 ${PORTS[$srv]} localhost anchors.pem $m.pem chip:0 \
        --chip emu:$T_DIR/$m.sock --offload $off --send $'hello chip\n' "$@"
}
tampered() {  # tampered MODEL MODE:SERVER_PORT: through the proxy
    run timeout 30 "$P" connect 127.0.0.1 $(proxy_port $2) localhost anchors.pem $1.pem chip:0 \
        --chip emu:$T_DIR/$1.sock --offload ecdh+verify
}

# Each offload on each model with an ECDSA server: the chip does one ECDHE
# and two verifications (ServerKeyExchange, server certificate).
for m in 508a 608a; do
    probe $m ec ecdh; expect_rc 0 "$m ecdh"
    expect_out "connected
chip: ecdh 1 verify 0
pihc olleh" "$m ecdh"
    probe $m ec verify; expect_rc 0 "$m verify"
    expect_out "connected
chip: ecdh 0 verify 2
pihc olleh" "$m verify"
    probe $m ec ecdh+verify; expect_rc 0 "$m both"
    expect_out "connected
chip: ecdh 1 verify 2
pihc olleh" "$m both"
    # RSA server key under the EC CA: the ServerKeyExchange is RSA-signed
    # (software), the certificate's signature is ECDSA (chip).
    probe $m rsa ecdh+verify; expect_rc 0 "$m rsa server"
    expect_out "connected
chip: ecdh 1 verify 1
pihc olleh" "$m rsa server"
    # All-RSA chain: nothing for the chip to verify, ECDHE still on it.
    probe $m rsarsa ecdh+verify; expect_rc 0 "$m rsa chain"
    expect_out "connected
chip: ecdh 1 verify 0
pihc olleh" "$m rsa chain"
done

# The openssl server agrees on the suite the offload negotiated.
grep -q "ECDHE-ECDSA-AES128-GCM-SHA256" ec.log && _ok || _bad "ec server: no ECDHE-ECDSA suite"
grep -q "ECDHE-RSA-AES128-GCM-SHA256" rsa.log && _ok || _bad "rsa server: no ECDHE-RSA suite"

# Defaults: auto = verify on both, ECDH on the 608A only (EEPROM wear on the 508A).
probe 608a ec auto; expect_rc 0 "608a auto"; expect_out_has "chip: ecdh 1 verify 2"
probe 508a ec auto; expect_rc 0 "508a auto"; expect_out_has "chip: ecdh 0 verify 2"

# The 508A's ephemeral slot must not be the device key's slot, and must be
# a slot that allows GenKey + ECDH: a data slot is a chip error, said so.
run "$P" connect 127.0.0.1 1 localhost anchors.pem 508a.pem chip:0 \
    --chip emu:$T_DIR/508a.sock --offload ecdh --ecdh-slot 0
expect_rc 1 "ecdh slot = key slot"; expect_out "error: the chip cannot take this offload"
probe 508a ec ecdh --ecdh-slot 9; expect_rc 1 "ecdh on a data slot"
expect_out_has "error: the secure element failed during ECDHE or signature verification (1004)"
# ... and the device key survived all of it.
probe 508a ec none; expect_rc 0 "device key intact after the ECDHE runs"

# Tampered signatures are refused with the chip verifying.
for m in 508a 608a; do
    tampered $m ske:${PORTS[ec]}; expect_rc 1 "$m tampered ServerKeyExchange"
    expect_out "chip: ecdh 0 verify 1
error: the server's key exchange signature does not verify (27)" "$m tampered SKE"
    tampered $m cert:${PORTS[ec]}; expect_rc 1 "$m tampered certificate"
    expect_out "chip: ecdh 0 verify 0
error: bad signature in the server's certificate chain (52)" "$m tampered cert"
done
# An RSA server key under the EC CA: its certificate's signature is ECDSA,
# so a tampered one is refused by the chip as well.
tampered 608a cert:${PORTS[rsa]}; expect_rc 1 "rsa server tampered certificate"
expect_out "chip: ecdh 0 verify 0
error: bad signature in the server's certificate chain (52)" "rsa server tampered cert"
[ "$(grep -c '^tampered' proxy.out)" = 5 ] && _ok || _bad "proxy tampered $(grep -c '^tampered' proxy.out) times, expected 5"

finish
