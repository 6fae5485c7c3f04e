#!/usr/bin/env bash
# tls.chip_ecdh / tls.chip_verify / tls.chip_ecdh_slot through `trustlink
# mqtt pub` against a real Mosquitto (mutual TLS, key in an emulated chip):
# defaults, on/off, the 508A's ephemeral slot really rewritten, and the
# refusals (bad value, the key's own slot, offload without a chip key).
. "$(dirname "$0")/../cli/lib.sh"

openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj /CN=ca -days 30 -sha256 -out ca.pem \
    -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign
openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
openssl req -new -key server.key -subj /CN=localhost -out server.csr
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') -out server.pem 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out soft.key 2>/dev/null
openssl req -new -key soft.key -subj /CN=soft -out soft.csr
openssl x509 -req -in soft.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -out soft.pem 2>/dev/null

for m in 508a 608a; do
    t_emulator $m --model $m
    export TRUSTLINK_CHIP=emu:$T_DIR/$m.sock
    "$TL" chip lock --default-config --yes >/dev/null || _bad "$m lock"
    "$TL" chip genkey --slot 0 >/dev/null || _bad "$m genkey"
    "$TL" chip csr --slot 0 --cn dev-$m -o $m.csr 2>/dev/null || _bad "$m csr"
    openssl x509 -req -in $m.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
        -out $m.pem 2>/dev/null
done
unset TRUSTLINK_CHIP

PORT=$(free_port)
cat > mosquitto.conf <<EOF
listener $PORT 127.0.0.1
cafile $T_DIR/ca.pem
certfile $T_DIR/server.pem
keyfile $T_DIR/server.key
require_certificate true
allow_anonymous true
log_dest file $T_DIR/broker.log
EOF
[ "$(id -u)" = 0 ] && echo "user root" >> mosquitto.conf
t_bg mosquitto -c mosquitto.conf
wait_log broker.log "listen socket on port $PORT" 10 || _bad "mosquitto did not start"

for m in 508a 608a; do
    printf '{"chip": {"uri": "emu:%s/%s.sock"}, "mqtt": {"server": "localhost:%s", "client_id": "dev-%s", "ssl_cert": "%s.pem", "ssl_key": "chip:0", "ssl_ca_cert": "ca.pem", "queue_path": "%s.queue"}}\n' \
        "$T_DIR" $m $PORT $m $m $m > $m.json
done
pub() {  # pub MODEL [--set ...]: one QoS 1 message, acknowledged
    local m=$1; shift
    run "$TL" mqtt pub --config $m.json -t t/$m -m hello -q 1 --timeout 20 "$@"
}

# The keys are in the schema with their defaults.
run "$TL" config schema --config 608a.json; expect_rc 0
expect_out_has "tls.chip_ecdh "; expect_out_has "tls.chip_verify "; expect_out_has "tls.chip_ecdh_slot"

# Defaults, and every offload on and off, on both models.
for m in 508a 608a; do
    pub $m; expect_rc 0 "$m defaults"; expect_err ""
    pub $m --set tls.chip_ecdh=off --set tls.chip_verify=off; expect_rc 0 "$m all off"
    pub $m --set tls.chip_verify=on; expect_rc 0 "$m verify on"
done
pub 608a --set tls.chip_ecdh=on --set tls.chip_verify=on; expect_rc 0 "608a both on"; expect_err ""

# 508A opt-in: a warning about the EEPROM, and slot 2 holds a new key after
# each handshake (the default leaves it alone).
export TRUSTLINK_CHIP=emu:$T_DIR/508a.sock
"$TL" chip genkey --slot 2 >/dev/null
before=$("$TL" chip pubkey --slot 2)
pub 508a; expect_rc 0
[ "$("$TL" chip pubkey --slot 2)" = "$before" ] && _ok || _bad "auto wrote slot 2 on a 508A"
pub 508a --set tls.chip_ecdh=on; expect_rc 0 "508a ecdh on"
expect_err "trustlink: warning: tls.chip_ecdh=on on an ATECC508A writes a new key into slot 2's EEPROM on every handshake (limited write endurance)"
after=$("$TL" chip pubkey --slot 2)
[ -n "$after" ] && [ "$after" != "$before" ] && _ok || _bad "slot 2 not rewritten by the chip's ECDHE"
pub 508a --set tls.chip_ecdh=on --set tls.chip_ecdh_slot=1; expect_rc 0 "508a ecdh slot 1"
# The device key is untouched by all of this.
"$TL" chip pubkey --slot 0 --pem > key0.pem && openssl x509 -in 508a.pem -noout -pubkey > cert0.pem
cmp -s key0.pem cert0.pem && _ok || _bad "the device key changed"
unset TRUSTLINK_CHIP

# Refusals, before any connection.
pub 508a --set tls.chip_ecdh=on --set tls.chip_ecdh_slot=0; expect_rc 1 "ecdh into the key slot"
expect_err "trustlink: tls.chip_ecdh_slot=0 holds the device key (mqtt.ssl_key): ECDHE would overwrite it; pick a spare key slot"
pub 608a --set tls.chip_ecdh=yes; expect_rc 1 "bad value"
expect_err "trustlink: tls.chip_ecdh=yes: expected auto, on or off"
pub 608a --set tls.chip_verify=true; expect_rc 1 "bad value"
expect_err "trustlink: tls.chip_verify=true: expected auto, on or off"
pub 608a --set tls.chip_ecdh_slot=16; expect_rc 1 "slot out of range"
expect_err "trustlink: --set: tls.chip_ecdh_slot: value out of range (allowed: 0..15)"
# A software key: auto means no offload, on is an error.
pub 608a --set mqtt.ssl_key=soft.key --set mqtt.ssl_cert=soft.pem; expect_rc 0 "software key, auto"
pub 608a --set mqtt.ssl_key=soft.key --set mqtt.ssl_cert=soft.pem --set tls.chip_verify=on
expect_rc 1 "verify on without a chip key"
expect_err_has "tls.chip_verify=on needs the key in the chip (mqtt.ssl_key=chip:SLOT and mqtt.ssl_cert)"

finish
