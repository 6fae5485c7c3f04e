#!/usr/bin/env bash
# The trustlink Mosquitto plugin in Debian's real mosquitto, with real TLS
# client certificates: registry, policies, AWS's MQTT behaviour, revocation,
# and the Device Shadow service. Clients are mosquitto_pub / mosquitto_sub.
. "$(dirname "$0")/../cli/lib.sh"
REG="${REG_TOOL:?} $T_DIR/registry.db"

# --- certificates: a CA, the broker's certificate, and devices --------------
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -subj "/CN=test CA" -days 2 -sha256 -out ca.pem \
    -addext basicConstraints=critical,CA:true 2>/dev/null
cert() {  # cert NAME [CA]: key + certificate signed by CA (default ca)
    local ca=${2:-ca}
    openssl ecparam -name prime256v1 -genkey -noout -out "$1.key" 2>/dev/null
    openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -days 2 \
        -sha256 -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') \
        -out "$1.pem" 2>/dev/null
}
cert server; cert dev1; cert dev2; cert sleepy; cert monitor; cert auditor

# --- registry: things, certificates, policies -------------------------------
cat > thing-policy.json <<'JSON'
{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": "iot:Connect",
  "Resource": "arn:aws:iot:us-east-1:123456789012:client/${iot:Connection.Thing.ThingName}"},
 {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"],
  "Resource": ["arn:aws:iot:us-east-1:123456789012:topic/things/${iot:Connection.Thing.ThingName}/*",
               "arn:aws:iot:us-east-1:123456789012:topic/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"]},
 {"Effect": "Allow", "Action": "iot:Subscribe",
  "Resource": ["arn:aws:iot:us-east-1:123456789012:topicfilter/things/${iot:Connection.Thing.ThingName}/*",
               "arn:aws:iot:us-east-1:123456789012:topicfilter/$aws/things/${iot:Connection.Thing.ThingName}/shadow/*"]}]}
JSON
echo '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:*","Resource":"*"}]}' > admin.json
cat > auditor.json <<'JSON'
{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": "iot:Connect", "Resource": "arn:aws:iot:us-east-1:123456789012:client/auditor"},
 {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": "arn:aws:iot:us-east-1:123456789012:topicfilter/things/*"},
 {"Effect": "Allow", "Action": "iot:Receive", "Resource": "arn:aws:iot:us-east-1:123456789012:topic/things/dev1/*"}]}
JSON
ID1=$($REG cert-add dev1.pem) && ID2=$($REG cert-add dev2.pem) && IDM=$($REG cert-add monitor.pem) \
    && IDS=$($REG cert-add sleepy.pem INACTIVE) && IDA=$($REG cert-add auditor.pem) \
    || { echo "registry setup failed"; exit 1; }
for t in dev1 dev2; do $REG thing-add $t; done
$REG thing-attach dev1 $ID1; $REG thing-attach dev2 $ID2
$REG policy-add thing-policy thing-policy.json; $REG policy-add admin admin.json
for id in $ID1 $ID2 $IDS; do $REG policy-attach thing-policy $id; done
$REG policy-attach admin $IDM
$REG policy-add auditor auditor.json; $REG policy-attach auditor $IDA

# --- the broker ---------------------------------------------------------------
BROKER_PID=
start_broker() {
    local try
    for try in 1 2 3 4 5; do
        PORT=$((20000 + RANDOM % 40000))
        cat > mosquitto.conf <<CONF
per_listener_settings false
user $(id -un)
allow_anonymous false
plugin $TL_PLUGIN
plugin_opt_database $T_DIR/registry.db
listener $PORT 127.0.0.1
cafile $T_DIR/ca.pem
certfile $T_DIR/server.pem
keyfile $T_DIR/server.key
require_certificate true
tls_version tlsv1.2
log_dest file $T_DIR/broker.log
log_type all
CONF
        /usr/sbin/mosquitto -c mosquitto.conf > broker.out 2>&1 &
        BROKER_PID=$!
        for _ in $(seq 50); do
            grep -q "Opening ipv4 listen socket on port $PORT" broker.log 2>/dev/null && return 0
            kill -0 $BROKER_PID 2>/dev/null || break
            sleep 0.1
        done
        kill $BROKER_PID 2>/dev/null; wait $BROKER_PID 2>/dev/null
    done
    echo "broker did not start:"; cat broker.out broker.log 2>/dev/null
    return 1
}
BG=()
cleanup() {
    for p in "${BG[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
    [ -n "$BROKER_PID" ] && kill $BROKER_PID 2>/dev/null && wait $BROKER_PID 2>/dev/null
    rm -rf "$T_DIR"
}
trap cleanup EXIT
start_broker || exit 1
grep -q "trustlink: plugin ready" broker.log && _ok || _bad "plugin did not load"

tls() { echo -h 127.0.0.1 -p $PORT --cafile ca.pem --cert $1.pem --key $1.key; }
pub() { local who=$1; shift; mosquitto_pub $(tls $who) "$@"; }
sub() { local who=$1; shift; mosquitto_sub $(tls $who) "$@"; }
# bg_sub OUTFILE WHO ARGS...: a subscriber in the background, ready when it returns.
bg_sub() {
    local out=$1; shift
    sub "$@" > "$out" 2>&1 &
    BG+=($!)
    sleep 0.5
}

# 1. A device publishes under its own topics; a subscriber with the admin policy sees it.
bg_sub mon1.txt monitor -i monitor -t 'things/#' -C 1 -W 10 -v
run pub dev1 -i dev1 -t things/dev1/telemetry -m '{"t":21}' -q 1; expect_rc 0 "dev1 publishes"
wait ${BG[-1]}
run cat mon1.txt; expect_out 'things/dev1/telemetry {"t":21}'

# 2. Connecting under another thing's client id is refused (iot:Connect).
run pub dev1 -i dev2 -t things/dev2/x -m x; expect_rc 5 "dev1 as dev2"
expect_err_has "Connection Refused: not authorised"
grep -q "refused dev2 (cert ${ID1:0:12}): iot:Connect not allowed" broker.log && _ok || _bad "log for connect deny"

# 3. Unknown and inactive certificates are refused.
cert stranger2
run pub stranger2 -i stranger2 -t things/stranger2/x -m x; expect_rc 5 "unregistered cert"
grep -q "refused stranger2 (cert .*): certificate not registered" broker.log && _ok || _bad "log unregistered"
run pub sleepy -i sleepy -t things/sleepy/x -m x; expect_rc 5 "inactive cert"
grep -q "refused sleepy (cert ${IDS:0:12}): certificate not ACTIVE" broker.log && _ok || _bad "log inactive"

# 4. Publishing to another thing's topic closes the connection; nothing arrives.
bg_sub mon2.txt monitor -i monitor -t 'things/dev2/#' -C 1 -W 3 -v
run pub dev1 -i dev1 -t things/dev2/cmd -m intrusion -q 1
wait ${BG[-1]}
run cat mon2.txt; expect_out_has "Timed out"
grep -q "dev1 may not publish to things/dev2/cmd (iot:Publish not allowed): disconnecting" broker.log \
    && _ok || _bad "log for cross-thing publish"

# 5. Subscribing to another thing's topics gets SUBACK 0x80.
run sub dev1 -i dev1 -t 'things/dev2/#' -C 1 -W 3
expect_err_has "All subscription requests were denied"
grep -q "dev1 may not subscribe to things/dev2/#" broker.log && _ok || _bad "log subscribe deny"

# 6. Receive is checked per message: the auditor may subscribe to things/#
#    but receive only things/dev1/*; a message for dev2 never reaches it.
bg_sub audit.txt auditor -i auditor -t 'things/#' -C 1 -W 10 -v
run pub monitor -i monitor -t things/dev2/secret -m secret -q 1; expect_rc 0 "admin publishes"
run pub monitor -i monitor -t things/dev1/public -m public -q 1
wait ${BG[-1]}
run cat audit.txt; expect_out "things/dev1/public public"
run pub monitor -i monitor -t things/dev1/cmd -m hello -q 1 -r; expect_rc 0 "admin retained"
run sub dev1 -i dev1 -t 'things/dev1/#' -C 1 -W 5 -v; expect_out "things/dev1/cmd hello"

# 7. Only the shadow service publishes shadow responses; other $aws topics are closed.
run pub dev1 -i dev1 -t '$aws/things/dev1/shadow/update/accepted' -m '{}' -q 1
grep -q 'dev1 may not publish to $aws/things/dev1/shadow/update/accepted (reserved topic)' broker.log \
    && _ok || _bad "log reserved topic"

# 8. Retained publish needs iot:RetainPublish (the thing policy does not grant it).
run pub dev1 -i dev1 -t things/dev1/state -m x -q 1 -r
grep -q "dev1 may not publish to things/dev1/state (iot:RetainPublish not allowed)" broker.log \
    && _ok || _bad "log retain"

# 9. Device Shadow over MQTT: update -> accepted, delta; get -> state with delta.
bg_sub shadow1.txt dev1 -i dev1 -t '$aws/things/dev1/shadow/update/accepted' \
    -t '$aws/things/dev1/shadow/update/delta' -C 2 -W 10 -v
run pub dev2 -i dev2 -t '$aws/things/dev1/shadow/update' -m '{"state":{"desired":{"led":"on"}}}' -q 1
grep -q 'dev2 may not publish to $aws/things/dev1/shadow/update' broker.log && _ok || _bad "cross-thing shadow"
run pub monitor -i monitor -t '$aws/things/dev1/shadow/update' \
    -m '{"state":{"desired":{"led":"on"}},"clientToken":"tok-1"}' -q 1
wait ${BG[-1]}
run cat shadow1.txt
expect_out_has '$aws/things/dev1/shadow/update/accepted {"state":{"desired":{"led":"on"}}'
expect_out_has '"version":1'
expect_out_has '$aws/things/dev1/shadow/update/delta {"state":{"led":"on"}'
expect_out_has '"clientToken":"tok-1"'
bg_sub shadow3.txt dev1 -i dev1 -t '$aws/things/dev1/shadow/get/accepted' -C 1 -W 10 -v
run pub monitor -i monitor -t '$aws/things/dev1/shadow/get' -m '' -q 1
wait ${BG[-1]}
run cat shadow3.txt; expect_out_has '"delta":{"led":"on"}'
bg_sub shadow4.txt dev1 -i dev1 -t '$aws/things/dev1/shadow/update/rejected' -C 1 -W 10 -v
run pub monitor -i monitor -t '$aws/things/dev1/shadow/update' -m '{"state":{"reported":{"led":"on"}},"version":7}' -q 1
wait ${BG[-1]}
run cat shadow4.txt; expect_out_has '"code":409'; expect_out_has '"message":"Version conflict"'
run $REG shadow-get dev1; expect_rc 0; expect_out_has '"desired":{"led":"on"}'

# 10. Sessions are re-read only after another process changed the registry:
#     an idle broker with connected devices runs no per-session queries.
bg_sub live.txt dev2 -i dev2 -t 'things/dev2/#' -v -W 30
rechecks() { grep -c "sessions re-checked" broker.log; }
n0=$(rechecks); sleep 1; n1=$(rechecks)
[ "$n0" = "$n1" ] && _ok || _bad "sessions re-checked $((n1 - n0)) times with no change"
$REG thing-add unrelated
for _ in $(seq 20); do [ "$(rechecks)" != "$n1" ] && break; sleep 0.05; done
[ "$(rechecks)" != "$n1" ] && _ok || _bad "a registry change did not re-check sessions"
grep -q "disconnecting dev2" broker.log && _bad "dev2 kicked by an unrelated change" || _ok

# 11. Revocation: a connected device is disconnected within a second
#     (after a pause, so that the re-check above does not delay this one).
sleep 0.3
t0=$(date +%s%3N)
$REG cert-status $ID2 REVOKED
for _ in $(seq 40); do
    grep -q "disconnecting dev2: certificate REVOKED" broker.log && break
    sleep 0.05
done
t1=$(date +%s%3N)
grep -q "disconnecting dev2: certificate REVOKED" broker.log && _ok || _bad "revoked client not kicked"
[ $((t1 - t0)) -lt 1000 ] && _ok || _bad "kick took $((t1 - t0)) ms"
echo "revocation to disconnect: $((t1 - t0)) ms"
run pub dev2 -i dev2 -t things/dev2/x -m x; expect_rc 5 "revoked cert reconnects"

finish
