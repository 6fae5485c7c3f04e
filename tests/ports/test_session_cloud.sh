#!/usr/bin/env bash
# tl_session (ports/common, the MCU main loop) connected to the real local
# cloud: a chip provisioned by aws-iot-setup on the emulator, then loaded
# in-process by session_probe with the config, CA and device certificate in
# its flash. Checked from outside: telemetry at a second identity's
# subscriber, desired documents of a few hundred and of ~700 bytes reported
# back as they are (no delta left), then one larger than the MQTT receive
# buffer (a 3 KB note): its delta is skipped and acknowledged, no reconnect;
# a broker restart with that shadow in place (a second handshake into the
# same buffers, the MQTT packet buffers living in the TLS validation state;
# the resync GET's answer is too big as well) after which telemetry
# continues and the session does not reconnect again. A wrong CA must end in
# a TLS failure.
. "$TL_SRC/tests/cli/lib.sh"
PROBE=${SESSION_PROBE:?SESSION_PROBE not set}
THING=se1

shadow() {
    curl -sS --max-time 10 --aws-sigv4 "aws:amz:$AWS_REGION:iotdata" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --cacert "$AWS_CA_BUNDLE" "$@" \
        "$AWS_ENDPOINT_URL/things/$THING/shadow"
}
api() {
    curl -sS --max-time 10 --fail-with-body --aws-sigv4 "aws:amz:$AWS_REGION:iot" \
        --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --cacert "$AWS_CA_BUNDLE" \
        -X "$1" -H content-type:application/json --data "$3" "$AWS_ENDPOINT_URL$2"
}
# telemetry N OUTFILE: N telemetry messages of the thing, as the dashboard
# identity receives them (15 s at most); the seq values go to OUTFILE.
telemetry() {
    "$TL" mqtt sub --config "$T_DIR/dash.json" -t "things/$THING/telemetry" -C "$1" -W 15 -v \
        --set mqtt.queue_path="$T_DIR/dash-q.bin" > "$2.raw" 2>> sub.log
    grep -o '"seq":[0-9]*' "$2.raw" | cut -d: -f2 | sort -n -u > "$2"
}

t_cloud || exit 1
t_emulator chip
EMU=$T_LAST_PID
export TRUSTLINK_CONFIG=$T_DIR/dev.json TRUSTLINK_CHIP=emu:$T_DIR/chip.sock
run "$TL" aws-iot-setup --thing $THING --yes --set mqtt.queue_path="$T_DIR/q.bin"
expect_rc 0 "provisioning"
run "$TL" config get mqtt.server mqtt.ssl_key mqtt.ssl_cert mqtt.ssl_ca_cert
expect_rc 0 "config get"
{ read -r SERVER; read -r KEY; read -r CERT; read -r CA; } <<< "$OUT"
case "$KEY" in chip:*) _ok ;; *) _bad "setup put the key on the chip: $KEY" ;; esac
# The emulator saves its state after every change and on exit: stopped, the
# file is final (the key generated in slot 0, the zones locked).
kill -TERM $EMU; wait $EMU 2>/dev/null
[ -s "$T_DIR/chip.bin" ] && _ok || _bad "chip state file"

# The dashboard: a software identity that may only read things' telemetry.
R=$AWS_REGION
POLICY='{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iot:Connect","Resource":"arn:aws:iot:'$R':*:client/dash"},
 {"Effect":"Allow","Action":"iot:Subscribe","Resource":"arn:aws:iot:'$R':*:topicfilter/things/*/telemetry"},
 {"Effect":"Allow","Action":"iot:Receive","Resource":"arn:aws:iot:'$R':*:topic/things/*/telemetry"}]}'
run api POST /policies/dash-policy "$(python3 -c 'import json,sys; print(json.dumps({"policyDocument": sys.argv[1]}))' "$POLICY")"
expect_rc 0 "dashboard policy"
mkdir -p "$T_DIR/dash"
run "$TL" aws-iot-setup --chip none --allow-software-key --thing dash --policy dash-policy \
    --config "$T_DIR/dash.json" --out-dir "$T_DIR/dash" --yes
expect_rc 0 "dashboard identity"

# The session's config, as a device would keep it in flash.
cat > session.json <<EOF
{"mqtt": {"server": "$SERVER", "ssl_key": "$KEY", "client_id": "$THING",
          "reconnect_min_ms": 200, "reconnect_max_ms": 1000},
 "aws": {"thing_name": "$THING"}, "agent": {"interval": 1}}
EOF

# A wrong trust anchor (the device's own certificate): the handshake fails,
# said in one sentence, and the probe never connects.
run "$PROBE" --state "$T_DIR/chip.bin" --config session.json --ca "$CERT" --cert "$CERT" --seconds 3
expect_rc 1 "probe with a wrong CA"
expect_out_has "failure: TLS handshake failed"
# With BearSSL's error number, which small builds' texts would not tell apart.
echo "$OUT" | grep -Eq "^failure: TLS handshake failed: .+ \([0-9]+\)$" && _ok ||
    _bad "no error number in: $(echo "$OUT" | grep failure)"
case "$OUT" in *"connected #"*) _bad "connected with a wrong CA" ;; *) _ok ;; esac

# Connected: the shadow subscriptions granted, telemetry acknowledged.
t_bg "$PROBE" --state "$T_DIR/chip.bin" --config session.json --ca "$CA" --cert "$CERT" \
    --seconds 50 > probe.log 2>&1
PROBE_PID=$T_LAST_PID
wait_log probe.log "connected #1" 15 && _ok ||
    { _bad "session connected"; cat probe.log >&2; finish; exit 1; }
wait_log probe.log "suback codes=1" 10 && _ok || _bad "shadow subscriptions granted"
wait_log probe.log "delivered journal=" 10 && _ok || _bad "a QoS 1 message (telemetry, shadow GET) acknowledged"
telemetry 2 seq1
[ "$(wc -l < seq1)" -ge 2 ] && _ok || _bad "2 distinct telemetry seq values at the dashboard: $(cat seq1.raw)"

# Shadow round trip with a document of a few hundred bytes: the delta comes
# in through the MQTT receive buffer, the session reports it back as is.
NOTE=$(printf 'n%.0s' $(seq 300))
DESIRED='{"led":"on","level":42,"modes":["eco","night","away"],"net":{"ssid":"lab","dhcp":true},"note":"'$NOTE'"}'
# round_trip DESIRED MIN_BYTES WHAT: post a desired state; its delta (at
# least MIN_BYTES) reaches the session, which reports it back: the shadow
# ends with no delta and a reported state holding DESIRED.
round_trip() {
    local n
    n=$(grep -c "^delta bytes=" probe.log)
    run shadow -X POST -d "{\"state\":{\"desired\":$1}}"; expect_out_has '"desired"' "$3: shadow POST"
    wait_log probe.log "^delta bytes=" 10 $((n + 1)) && _ok || _bad "$3: delta received"
    run grep -o "^delta bytes=[0-9]*" probe.log
    [ "${OUT##*=}" -ge "$2" ] 2>/dev/null && _ok || _bad "$3: the delta carried the whole document"
    for _ in $(seq 50); do
        shadow > s.json
        python3 - s.json <<'EOF' && break
import json, sys
st = json.load(open(sys.argv[1]))["state"]
sys.exit(0 if "delta" not in st and st.get("reported") == st.get("desired") else 1)
EOF
        sleep 0.2
    done
    run python3 - s.json "$1" <<'EOF'
import json, sys
st, want = json.load(open(sys.argv[1]))["state"], json.loads(sys.argv[2])
rep = st.get("reported") or {}
print("reported has desired" if all(rep.get(k) == v for k, v in want.items()) else "reported differs")
print("delta left" if "delta" in st else "no delta")
EOF
    expect_out "reported has desired
no delta" "$3: shadow after the round trip: $(cat s.json)"
}
round_trip "$DESIRED" 300 "a few hundred bytes"

# ~700 bytes of desired state: the delta fits the receive buffer and the
# report a journal record (~0.9 KB).
NOTE=$(printf 'm%.0s' $(seq 640))
DESIRED2='{"led":"off","level":7,"note":"'$NOTE'"}'
round_trip "$DESIRED2" 680 "~700 bytes"

run grep -c "^failure:" probe.log; expect_out 0 "no failure while the broker was up"

# Larger than the receive buffer (a 3 KB note): the delta is skipped and
# acknowledged, the connection stays up (before, the client closed it and
# the broker sent the delta again after every reconnect: a loop of TLS
# handshakes, each signed by the chip), telemetry goes on.
run grep -o "mqtt_rx=[0-9]*" probe.log
RXCAP=${OUT##*=}
BIG=$(printf 'b%.0s' $(seq 3000))
C=$(grep -c "^connected #" probe.log)
D=$(grep -c "^delivered journal=" probe.log)
run shadow -X POST -d "{\"state\":{\"desired\":{\"note\":\"$BIG\"}}}"
expect_out_has '"desired"' "shadow POST of 3 KB"
wait_log probe.log "^dropped .*/shadow/update/delta bytes=" 10 && _ok ||
    _bad "the oversize delta skipped"
run grep -o "^dropped .*/shadow/update/delta bytes=[0-9]*" probe.log
[ "${OUT##*=}" -gt "$RXCAP" ] 2>/dev/null && _ok || _bad "dropped only above mqtt_rx=$RXCAP: $OUT"
sleep 4
run grep -c "^connected #" probe.log; expect_out "$C" "no reconnect after the oversize delta"
run grep -c "^disconnected" probe.log; expect_out 0 "the connection stayed up"
wait_log probe.log "^delivered journal=" 5 $((D + 1)) && _ok || _bad "telemetry acknowledged after it"
# The session names it: the shadow client refused the delta as too big.
wait_log probe.log "^failure: update/delta: " 5 && _ok || _bad "the session named the oversize delta"

# Broker restart on the same ports: the session sees the connection go,
# reconnects (a second handshake into the same buffers) and telemetry goes on.
"$TL" cloud stop --dir "$T_DIR/cloud" > /dev/null 2>&1
wait_log probe.log "disconnected" 10 && _ok || _bad "session saw the broker go"
# Telemetry goes on offline, into the journal in flash.
N=$(grep -c "^telemetry seq=" probe.log)
wait_log probe.log "^telemetry seq=" 5 $((N + 1)) && _ok || _bad "telemetry queued while offline"
"$TL" cloud start --dir "$T_DIR/cloud" --mqtt-port "$MQTT_PORT" --api-port "$API_PORT" > /dev/null ||
    _bad "cloud restart"
wait_log probe.log "connected #2" 20 && _ok || _bad "session reconnected"
# The resync GET's answer holds the 3 KB note twice: skipped too, and the
# session stays connected (the summary's count says so at the end).
wait_log probe.log "^dropped .*/shadow/get/accepted bytes=" 10 && _ok ||
    _bad "the oversize GET answer skipped"
wait_log probe.log "^failure: get/accepted: " 5 && _ok || _bad "the session named the oversize GET answer"
# What was queued offline goes out and is acknowledged on the new connection.
for _ in $(seq 100); do
    sed -n '/^connected #2/,$p' probe.log | grep -q "^unacked=0$" && break
    sleep 0.1
done
run sed -n '/^connected #2/,$p' probe.log
expect_out_has "delivered journal="
case "$OUT" in *"
unacked=0"*) _ok ;; *) _bad "the journal emptied after the reconnect" ;; esac
telemetry 2 seq2
[ "$(wc -l < seq2)" -ge 2 ] && _ok || _bad "telemetry after the restart: $(cat seq2.raw)"
# (A message resent after the reconnect may be an older one: the newest counts.)
[ "$(tail -1 seq2)" -gt "$(tail -1 seq1)" ] 2>/dev/null && _ok ||
    _bad "telemetry after the restart is new: before $(tr '\n' ' ' < seq1), after $(tr '\n' ' ' < seq2)"

# Stopped: it connected twice, said so in its summary, exit status 0.
kill -TERM $PROBE_PID; wait $PROBE_PID; RC=$?
expect_rc 0 "probe exit status"
run tail -1 probe.log; expect_out_has "done connections=2 "
[ "$T_FAIL" = 0 ] || { echo "--- probe.log" >&2; cat probe.log >&2; }

finish
