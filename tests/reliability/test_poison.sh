#!/usr/bin/env bash
# Poison messages against the real local cloud: a QoS 1 message to a topic
# the device's policy denies makes the broker close the connection (as AWS
# IoT does), with no PUBACK. Replayed first on every connection, it would
# block the journal forever; the client gives it up after 3 closures right
# after it (sent alone after the first), says so naming the topic, and the
# 20 messages queued behind it are delivered.
. "$TL_SRC/tests/cli/lib.sh"
. "$TL_SRC/tests/reliability/rel_lib.sh"
provision r1
provision observer observer
start_sub sub.out 'things/r1/#' r1
Q=$T_DIR/q.bin
# Leave the denied message in the journal: one connection, a long backoff
# after the broker closes it, and a short timeout.
SLOW=(--set mqtt.queue_path="$Q" --set mqtt.reconnect_min_ms=5000 --set mqtt.reconnect_max_ms=5000)
run "$TL" mqtt pub --config r1.json "${SLOW[@]}" -t forbidden/x -m poison -q 1 --timeout 1
expect_rc 1 "denied topic, first run"; expect_err_has "1 QoS 1 messages not acknowledged"
# 20 good messages queued behind it.
run "$TL" mqtt pub --config r1.json "${SLOW[@]}" -t things/r1/p -m 'msg %d' -q 1 --repeat 20 \
    --timeout 1
expect_rc 1 "queued behind"; expect_err_has "1 unacknowledged messages from before"
expect_err_has "21 QoS 1 messages not acknowledged"
grep -c "may not publish to forbidden/x" "$T_DIR/cloud/mosquitto.log" > denied1
# The next run gives the poison up and delivers the rest.
SECONDS=0
run "$TL" mqtt pub --config r1.json --set mqtt.queue_path="$Q" --set mqtt.reconnect_min_ms=100 \
    --set mqtt.reconnect_max_ms=300 -t things/r1/p -m 'msg done' -q 1 --timeout 20
expect_rc 1 "poison given up"
expect_err_has "QoS 1 message to 'forbidden/x' (6 bytes) refused by the broker"
expect_err_has "removed from the journal"
expect_err_has "1 QoS 1 messages refused by the broker and given up"
[ $SECONDS -lt 10 ] && _ok || _bad "took $SECONDS s to move on"
wait_distinct sub.out 21 20
MISSING=0
for i in $(seq 1 20) done; do grep -qx "msg $i" sub.out || MISSING=$((MISSING + 1)); done
DENIED=$(( $(grep -c "may not publish to forbidden/x" "$T_DIR/cloud/mosquitto.log") - $(cat denied1) ))
echo "poison: given up after $DENIED refusals in the last run ($SECONDS s), $MISSING of the 21 messages behind it missing"
[ "$MISSING" = 0 ] && _ok || _bad "$MISSING messages behind the poison missing"
[ "$DENIED" -ge 3 ] && _ok || _bad "broker refused it only $DENIED times"
# Gone from the journal for good: the next run has nothing left over.
run "$TL" mqtt pub --config r1.json --set mqtt.queue_path="$Q" -t things/r1/p -m 'msg after' -q 1
expect_rc 0 "after"
case "$ERR" in *"from before"*) _bad "journal not empty" ;; *) _ok ;; esac
finish
