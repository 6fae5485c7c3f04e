#!/usr/bin/env bash
# trustlink aws-iot-setup against the real local cloud (Mosquitto + plugin,
# HTTPS API with SigV4) and emulated chips: a blank chip to a device that
# publishes over mutual TLS; the same result when run twice; a run cut off by
# an unreachable cloud finished by the next one; each fault with its message;
# the slot's private key never on the bus.
. "$TL_SRC/tests/cli/lib.sh"
TOOL=${SETUP_TOOL:?SETUP_TOOL not set}
api_get() {
    curl -sS --aws-sigv4 "aws:amz:$AWS_REGION:iot" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        --cacert "$AWS_CA_BUNDLE" "$AWS_ENDPOINT_URL$1"
}
cert_count() { api_get /certificates | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["certificates"]))'; }

t_cloud || exit 1
[ -n "${AWS_ENDPOINT_URL:-}" ] && _ok || _bad "cloud start exports AWS_ENDPOINT_URL"

t_emulator a --model 508a
export TRUSTLINK_CONFIG=$T_DIR/a.json TRUSTLINK_CHIP=emu:$T_DIR/a.sock

# --- bad input first: nothing may change on the chip ---
run "$TL" aws-iot-setup --thing 'bad name!' --yes
expect_rc 2; expect_err_has "thing name 'bad name!' is not valid"
run "$TL" aws-iot-setup --thing t --policy 'p/q' --yes
expect_rc 2; expect_err_has "policy name 'p/q' is not valid"
run env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY HOME="$T_DIR" "$TL" aws-iot-setup --thing a1 --yes
expect_rc 1; expect_err_has "no AWS credentials for profile 'default'"
run env AWS_REGION= AWS_DEFAULT_REGION= HOME="$T_DIR" "$TL" aws-iot-setup --thing a1 --yes
expect_rc 1; expect_err_has "no AWS region"
run "$TL" chip info --json; expect_out_has '"config_locked": false' "credential errors come before the chip"

# The plan, and no irreversible step without a yes.
run "$TL" aws-iot-setup --thing a1 --dry-run
expect_rc 0; expect_err_has "LOCK the config zone (irreversible)"; expect_err_has "dry run: nothing was changed"
run "$TL" aws-iot-setup --thing a1 < /dev/null
expect_rc 1; expect_err_has "run with --yes to go ahead"
run "$TL" chip info --json; expect_out_has '"config_locked": false' "no lock without --yes"

# --- cloud unreachable after the chip steps: a consistent state, finished
# by the next run (same key, one certificate) ---
DEAD=$(free_port)
run "$TL" aws-iot-setup --thing a1 --yes --endpoint-url "https://127.0.0.1:$DEAD" --trace a1.trace
expect_rc 1; expect_err_has "iot:DescribeEndpoint: cannot reach https://127.0.0.1:$DEAD"
expect_err_has "run the same command again to finish"
run "$TL" chip pubkey --slot 0; expect_rc 0; PUB1=$OUT
run "$TL" aws-iot-setup --thing a1 --yes --json
expect_rc 0; expect_err_has "slot 0 already holds a key: reused"; expect_err_has "certificate"
CERT1=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["certificate_id"])' "$OUT")
[ ${#CERT1} = 64 ] && _ok || _bad "certificate id in --json output"
run "$TL" chip pubkey --slot 0; expect_out "$PUB1" "the key survives the re-run"
run cert_count; expect_out 1 "one certificate after the interrupted run and its finish"

# The device connects with mutual TLS (the chip signs) and publishes.
run "$TL" config get mqtt.ssl_key; expect_out "chip:0"
run "$TL" config get mqtt.server; expect_out "localhost:$MQTT_PORT"
run "$TL" mqtt pub -t things/a1/telemetry -m '{"t":1}' -q 1 --timeout 10
expect_rc 0 "publish after setup"
# The least-privilege policy: another thing's topic is refused.
run "$TL" mqtt pub -t things/other/telemetry -m x -q 1 --timeout 3 --set mqtt.queue_path="$T_DIR/q2.bin"
[ "$RC" != 0 ] && _ok || _bad "publish outside the thing's topics must fail"
run api_get /policies/a1-policy; expect_out_has 'client/a1'; expect_out_has 'topic/things/a1/*'

# Twice: the same result, nothing new.
run "$TL" aws-iot-setup --yes --json
expect_rc 0; expect_out_has "\"certificate_id\": \"$CERT1\""; expect_out_has '"certificate_reused": true'
expect_err_has "thing a1 exists: reused"; expect_err_has "policy a1-policy exists with the same document: reused"
run cert_count; expect_out 1 "still one certificate after a second run"
# Even without the local certificate file: found again through the thing.
rm -f "$T_DIR/a1.cert.pem"
run "$TL" aws-iot-setup --yes --json
expect_rc 0; expect_out_has "\"certificate_id\": \"$CERT1\""
[ -s "$T_DIR/a1.cert.pem" ] && _ok || _bad "certificate file restored from the cloud"
run cert_count; expect_out 1

# The private key never crossed the bus during setup (GenKey ran in a1.trace).
KEY=$("$TOOL" key "$T_DIR/a.bin" 0)
[ ${#KEY} = 64 ] && _ok || _bad "test tool reads the emulated key"
grep -q ' 07 40 04 00 00' a1.trace && _ok || _bad "the trace holds the GenKey command"
HEXTRACE=$(tr -d ' \nKWR' < a1.trace)
leak=0
for i in $(seq 0 2 48); do
    case "$HEXTRACE" in *"${KEY:$i:16}"*) leak=1 ;; esac
done
[ $leak = 0 ] && _ok || _bad "an 8-byte window of the private key appears on the bus"
# The search itself works: the public key (GenKey's answer) is in the trace.
case "$HEXTRACE" in *"${PUB1:0:16}"*) _ok ;; *) _bad "the public key is not found in the trace" ;; esac

# The certificate also in the chip (slots 8, 9: 425 bytes), and the device
# connecting with the certificate read from there.
run "$TL" aws-iot-setup --yes --cert-slot 8
expect_rc 0; expect_err_has "stored in the chip from slot 8 on, read back and compared"
run "$TL" mqtt pub -t things/a1/telemetry -m from-chip-cert -q 1 --timeout 10 --set mqtt.ssl_cert=chip:8
expect_rc 0 "publish with the certificate from the chip"
run "$TL" mqtt pub -t things/a1/telemetry -m x -q 1 --timeout 10 --set mqtt.ssl_cert=chip:12
expect_rc 1; expect_err_has "mqtt.ssl_cert=chip:12: no certificate stored from that slot on"
run "$TL" aws-iot-setup --yes --cert-slot 15
expect_rc 1; expect_err_has "does not fit in slots 15-15 (72 bytes)"

# --new-key: a new key and a new certificate (the old one stays, listed).
run "$TL" aws-iot-setup --yes --new-key --json
expect_rc 0; expect_out_has '"certificate_reused": false'
run "$TL" chip pubkey --slot 0; [ "$OUT" != "$PUB1" ] && _ok || _bad "--new-key replaced the key"
run cert_count; expect_out 2

# --- faults ---
# Bad credentials: named as such.
run env AWS_SECRET_ACCESS_KEY=wrongwrongwrong "$TL" aws-iot-setup --yes
expect_rc 1; expect_err_has "the cloud refused the credentials"
# A chip locked by someone else with a layout trustlink cannot use.
t_emulator f --model 608a
"$TOOL" foreign "emu:$T_DIR/f.sock" && _ok || _bad "test tool locks a foreign config"
run "$TL" aws-iot-setup --chip "emu:$T_DIR/f.sock" --thing f1 --yes --config "$T_DIR/f.json"
expect_rc 1; expect_err_has "slot 0 KeyConfig bit 0 is 0, needs 1 (Private"
# Bus errors: every command garbled by CRC faults.
t_emulator c --model 508a --fault-crc 1 --seed 3
run "$TL" aws-iot-setup --chip "emu:$T_DIR/c.sock" --thing c1 --yes --config "$T_DIR/c.json"
expect_rc 1; expect_err_has "emu:$T_DIR/c.sock"
# No chip at all: a clear stop, or a software key when allowed.
run env TRUSTLINK_CHIP="emu:$T_DIR/none.sock" "$TL" aws-iot-setup --thing s1 --yes --config "$T_DIR/s.json"
expect_rc 1; expect_err_has "no ATECC508A/608A found"; expect_err_has "--allow-software-key"
run env TRUSTLINK_CHIP="emu:$T_DIR/none.sock" "$TL" aws-iot-setup --thing s1 --yes \
    --config "$T_DIR/s.json" --allow-software-key
expect_rc 0; expect_err_has "WARNING: no secure element"
[ "$(stat -c %a "$T_DIR/s1.key.pem")" = 600 ] && _ok || _bad "software key file mode 0600"
run "$TL" mqtt pub --config "$T_DIR/s.json" -t things/s1/telemetry -m soft -q 1 --timeout 10 \
    --set mqtt.queue_path="$T_DIR/q3.bin"
expect_rc 0 "the software-key device publishes"

finish
