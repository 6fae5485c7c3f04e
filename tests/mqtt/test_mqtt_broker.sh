#!/usr/bin/env bash
# trustlink mqtt pub/sub against a real Mosquitto with mutual TLS
# (require_certificate true, a test CA made here with OpenSSL), interop with
# mosquitto_pub/mosquitto_sub, and the reliability runs: the broker stopped
# and restarted while 1,000 QoS 1 messages are published, and the publisher
# killed with SIGKILL mid-stream and restarted.
. "$(dirname "$0")/../cli/lib.sh"
N=${MQTT_RELIABILITY_COUNT:-1000}

# Test CA, broker certificate for localhost/127.0.0.1, device key + certificate.
ca() {
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
openssl ecparam -name prime256v1 -genkey -noout -out device.key 2>/dev/null
openssl req -new -key device.key -subj "/CN=device-1" -out device.csr
openssl x509 -req -in device.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out device.pem 2>/dev/null
# mosquitto_sub/pub as other clients, with their own certificate.
openssl ecparam -name prime256v1 -genkey -noout -out tool.key 2>/dev/null
openssl req -new -key tool.key -subj "/CN=tool" -out tool.csr
openssl x509 -req -in tool.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -sha256 \
    -out tool.pem 2>/dev/null

BROKER_PID=; SUB_PID=; PUB_PID=
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
cleanup() { stop "$PUB_PID"; stop "$SUB_PID"; stop "$BROKER_PID"; rm -rf "$T_DIR"; }
trap cleanup EXIT

PORT=$(free_port)
PLAIN_PORT=$(free_port)
mkdir -p db
cat > mosquitto.conf <<EOF
listener $PORT 127.0.0.1
cafile $T_DIR/ca.pem
certfile $T_DIR/server.pem
keyfile $T_DIR/server.key
require_certificate true
allow_anonymous true
persistence true
persistence_location $T_DIR/db/
max_queued_messages 100000
log_type all
# A second listener without TLS, for the plain-TCP fallback.
listener $PLAIN_PORT 127.0.0.1
EOF
# As root, mosquitto would switch to user "mosquitto", who cannot read T_DIR.
[ "$(id -u)" = 0 ] && echo "user root" >> mosquitto.conf
# start_broker: start and wait until it listens (same port every time).
start_broker() {
    mosquitto -c mosquitto.conf >> broker.log 2>&1 &
    BROKER_PID=$!
    for _ in $(seq 100); do
        grep -q "Opening ipv4 listen socket on port $PORT" broker.log 2>/dev/null &&
            (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return 0
        kill -0 $BROKER_PID 2>/dev/null || break
        sleep 0.05
    done
    echo "mosquitto did not start:" >&2; cat broker.log >&2; exit 1
}
start_broker

cat > device.json <<EOF
{"device": {"id": "device-1"},
 "mqtt": {"server": "localhost:$PORT", "ssl_cert": "$T_DIR/device.pem",
          "ssl_key": "$T_DIR/device.key", "ssl_ca_cert": "$T_DIR/ca.pem",
          "queue_path": "$T_DIR/queue.bin", "reconnect_min_ms": 100,
          "reconnect_max_ms": 800, "keep_alive": 30}}
EOF
MS=(-h 127.0.0.1 -p $PORT --cafile ca.pem --cert tool.pem --key tool.key)
# subscribed N: wait until the broker has seen N SUBSCRIBE packets in all.
subscribed() {
    for _ in $(seq 200); do
        [ "$(grep -c 'Received SUBSCRIBE' broker.log)" -ge "$1" ] && return 0; sleep 0.05
    done
}

# 1. trustlink mqtt pub -> mosquitto_sub.
timeout 20 mosquitto_sub "${MS[@]}" -t 'dev/#' -v -C 2 -q 1 > sub1.out 2>&1 & SUB_PID=$!
subscribed 1
run "$TL" mqtt pub --config device.json -t dev/a -m hello -q 1; expect_rc 0 "pub qos1"
expect_err_has "warning: using a software key"
run "$TL" mqtt pub --config device.json -t dev/b -m 'world' -q 0; expect_rc 0 "pub qos0"
wait $SUB_PID; SUB_PID=
[ "$(cat sub1.out)" = "dev/a hello
dev/b world" ] && _ok || _bad "mosquitto_sub got: $(cat sub1.out)"

# 2. mosquitto_pub -> trustlink mqtt sub (two filters, QoS 1).
"$TL" mqtt sub --config device.json -i dev-sub -t 'cmd/+' -t other -q 1 -C 2 -W 20 -v \
    > sub2.out 2> sub2.err & SUB_PID=$!
subscribed 2
mosquitto_pub "${MS[@]}" -t cmd/x -m 'one' -q 1
mosquitto_pub "${MS[@]}" -t other -m 'two' -q 0
wait $SUB_PID; RC=$?; SUB_PID=
OUT=$(cat sub2.out); ERR=$(cat sub2.err)
expect_rc 0 "trustlink sub"; expect_out "cmd/x one
other two"

# 3. No mqtt.ssl_ca_cert: plain TCP, and it says so.
timeout 20 mosquitto_sub "${MS[@]}" -t plain -C 1 > sub3.out 2>&1 & SUB_PID=$!
subscribed 3
run "$TL" mqtt pub --config device.json --set mqtt.ssl_ca_cert= \
    --set mqtt.server=127.0.0.1:$PLAIN_PORT -t plain -m 'no tls' -q 1
expect_rc 0 "plain TCP"; expect_err_has "over plain TCP, without TLS"
wait $SUB_PID; SUB_PID=
[ "$(cat sub3.out)" = "no tls" ] && _ok || _bad "plain: mosquitto_sub got: $(cat sub3.out)"

# 4. Errors: wrong CA file names it; a bad server; usage.
run "$TL" mqtt pub --config device.json --set mqtt.ssl_ca_cert=$T_DIR/other-ca.pem -t a -m b
expect_rc 1 "wrong CA"; expect_err_has "server certificate not trusted"
expect_err_has "mqtt.ssl_ca_cert $T_DIR/other-ca.pem"
run "$TL" mqtt pub --config device.json --set mqtt.ssl_ca_cert=$T_DIR/nope.pem -t a -m b
expect_rc 1; expect_err_has "mqtt.ssl_ca_cert: cannot open $T_DIR/nope.pem"
run "$TL" mqtt pub --config device.json --set mqtt.server=localhost -t a -m b
expect_rc 1; expect_err_has "mqtt.server: cannot connect to localhost:8883"
run "$TL" mqtt pub --config device.json -t 'a/#' -m b -q 1; expect_rc 1
expect_err_has "publish to 'a/#': invalid argument or topic"
run "$TL" mqtt sub --config device.json -t 'a/#/b'; expect_rc 2
expect_err_has "misplaced wildcard"
run "$TL" mqtt pub --config device.json -t a; expect_rc 2; expect_err_has "what message?"

# count_msgs FILE: distinct "msg N" lines, and duplicates.
distinct() { grep -c . <(sort -u "$1" | grep '^msg '); }
total() { grep -c '^msg ' "$1"; }

# 5. Broker stopped and restarted while N QoS 1 messages are published.
#    The subscriber has a persistent session so it misses nothing either.
start_sub() {  # start_sub FILE ID TOPIC
    local n=$(($(grep -c 'Received SUBSCRIBE' broker.log) + 1))
    mosquitto_sub "${MS[@]}" -i $2 -c -q 1 -t $3 >> "$1" 2>/dev/null & SUB_PID=$!
    subscribed $n
}
wait_count() {  # wait_count FILE N SECONDS
    for _ in $(seq $(($3 * 10))); do
        [ "$(distinct "$1")" -ge "$2" ] && return 0; sleep 0.1
    done
    return 1
}
start_sub rel1.out rel-sub1 rel/1
T0=$SECONDS
"$TL" mqtt pub --config device.json -t rel/1 -m 'msg %d' -q 1 --repeat $N \
    --repeat-delay 0.004 > pub1.out 2> pub1.err & PUB_PID=$!
wait_count rel1.out $((N / 4)) 15
stop $BROKER_PID; BROKER_PID=     # SIGTERM: the broker saves its sessions
sleep 1
start_broker
wait $PUB_PID; RC=$?; PUB_PID=
OUT=""; ERR=$(cat pub1.err); expect_rc 0 "publisher through a broker restart"
# The loss shows up on a receive or on a send, whichever comes first.
case "$ERR" in *"connection lost"*|*"send failed"*) _ok ;; *) _bad "no disconnect logged" ;; esac
wait_count rel1.out $N 20
D=$(distinct rel1.out); A=$(total rel1.out)
echo "broker restart: sent $N, received $A, distinct $D, duplicates $((A - D)) ($((SECONDS - T0)) s)"
[ "$D" = "$N" ] && _ok || _bad "broker restart: $D distinct messages of $N"
stop $SUB_PID; SUB_PID=

# 6. Publisher killed with SIGKILL mid-stream, then restarted: the journal
#    is intact and every message it had accepted is delivered (the ones it
#    may have sent go out again with DUP set: duplicates are expected).
start_sub rel2.out rel-sub2 rel/2
"$TL" mqtt pub --config device.json -t rel/2 -m 'msg %d' -q 1 --repeat $N \
    --repeat-delay 0.004 -d > pub2.out 2> pub2.err & PUB_PID=$!
wait_count rel2.out $((N / 3)) 15
# Freeze the broker first so unacknowledged messages pile up in the journal,
# then kill the publisher while it is still queueing.
kill -STOP $BROKER_PID; sleep 0.6
kill -KILL $PUB_PID; wait $PUB_PID 2>/dev/null; PUB_PID=
kill -CONT $BROKER_PID
K=$(grep -o "queued [0-9]*" pub2.err | tail -1 | cut -d' ' -f2)
run "$TL" mqtt pub --config device.json -t rel/2 -m 'msg done' -q 1
expect_rc 0 "restarted publisher"
expect_err_has "unacknowledged messages from before, sending them again"
wait_count rel2.out $((K + 1)) 20
MISSING=0
for i in $(seq 1 $K); do grep -qx "msg $i" rel2.out || MISSING=$((MISSING + 1)); done
D=$(distinct rel2.out); A=$(total rel2.out)
echo "publisher SIGKILL: accepted $K before the kill (+1 after), received $A, distinct $D," \
     "duplicates $((A - D)), missing $MISSING; restart said: $(echo "$ERR" | grep -o '[0-9]* unacknowledged.*' || echo 'nothing left over')"
[ "$MISSING" = 0 ] && _ok || _bad "SIGKILL: $MISSING of $K accepted messages missing"
grep -qx "msg done" rel2.out && _ok || _bad "message after the restart missing"
stop $SUB_PID; SUB_PID=

finish
