#!/usr/bin/env bash
# N QoS 1 messages (MQTT_FAULTS_COUNT, default 3000 in CI; `make reliability`
# runs 10,000) from `trustlink mqtt pub` through tl_faultproxy, which resets,
# closes, truncates, corrupts and stalls the connection at random times, to
# the real local cloud, which is stopped and started again twice meanwhile.
# A persistent-session subscriber (straight to the broker) must see every
# sequence number at least once; duplicates are counted and reported.
. "$TL_SRC/tests/cli/lib.sh"
. "$TL_SRC/tests/reliability/rel_lib.sh"
N=${MQTT_FAULTS_COUNT:-3000}
SEED=${MQTT_FAULTS_SEED:-$RANDOM}
provision r1
provision observer observer
PROXY_PORT=$(free_port)
"$FP" --listen "$PROXY_PORT" --target "127.0.0.1:$MQTT_PORT" --seed "$SEED" \
    --faults rst,fin,truncate,corrupt,stall --every 400-1500 --stall-ms 1500 \
    --max-seconds 600 > /dev/null 2> proxy.log & PROXY=$!; PIDS+=($PROXY)
start_sub sub.out 'things/r1/#' r1

T0=$SECONDS
"$TL" mqtt pub --config r1.json --set mqtt.server=localhost:$PROXY_PORT \
    --set mqtt.queue_path="$T_DIR/q.bin" --set mqtt.reconnect_min_ms=100 \
    --set mqtt.reconnect_max_ms=500 \
    -t things/r1/rel -m 'msg %d' -q 1 --repeat "$N" --timeout 120 > pub.out 2> pub.err & PUB=$!
PIDS+=($PUB)
# Two broker restarts, at a third and at two thirds of the way.
RESTARTS=0
for part in 3 2; do
    wait_distinct sub.out $((N * (4 - part) / 3 - N / 10)) 60 $PUB || break
    cloud_stop; sleep 0.3; cloud_start
    RESTARTS=$((RESTARTS + 1))
done
wait $PUB; RC=$?
OUT=$(cat pub.out); ERR=$(cat pub.err); expect_rc 0 "publisher through the faults"
wait_distinct sub.out "$N" 30
kill -USR1 $PROXY 2>/dev/null   # no-op fault; then stop it for its summary
kill $PROXY; wait $PROXY 2>/dev/null
D=$(distinct sub.out); A=$(total sub.out)
MISSING=0
for i in $(seq 1 "$N"); do echo "msg $i"; done | sort > want.txt
MISSING=$(sort -u sub.out | grep '^msg ' | comm -23 want.txt - | wc -l)
FAULTS=$(grep -c "faultproxy: fault" proxy.log)
RECONN=$(grep -c "connection lost\|send failed\|broker did not answer\|cannot connect" pub.err)
echo "qos1 faults (seed $SEED): sent $N, received $A, distinct $D, duplicates $((A - D))," \
     "missing $MISSING, proxy faults $FAULTS ($(grep -o 'faults rst.*corrupt [0-9]*' proxy.log))," \
     "broker restarts $RESTARTS, publisher disconnects $RECONN, $((SECONDS - T0)) s"
[ "$MISSING" = 0 ] && [ "$D" = "$N" ] && _ok || _bad "$MISSING of $N messages missing"
[ "$RESTARTS" = 2 ] && _ok || _bad "only $RESTARTS broker restarts happened"
[ "$FAULTS" -ge 3 ] && _ok || _bad "only $FAULTS faults injected"
finish
