#!/usr/bin/env bash
# tl_faultproxy itself: forwards MQTT both ways to a real (plain TCP)
# Mosquitto, a reset on SIGUSR1 ends the client's connection, a target that
# is down closes the client at once, --max-seconds ends it, usage errors.
. "$TL_SRC/tests/cli/lib.sh"
FP=${TL_FAULTPROXY:?TL_FAULTPROXY not set}
BROKER=; PROXY=; SUB=
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }
cleanup() { stop "$SUB"; stop "$PROXY"; stop "$BROKER"; rm -rf "$T_DIR"; }
trap cleanup EXIT
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
    done
}
BP=$(free_port)
printf 'listener %s 127.0.0.1\nallow_anonymous true\nlog_type all\n' $BP > m.conf
[ "$(id -u)" = 0 ] && echo "user root" >> m.conf
mosquitto -c m.conf > broker.log 2>&1 & BROKER=$!
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$BP) 2>/dev/null && break; sleep 0.05; done

run "$FP" --help; expect_rc 0; expect_out_has "--every MIN-MAX"
run "$FP" --listen 0; expect_rc 2; expect_err_has "--target IP:PORT is required"
run "$FP" --listen 0 --target 127.0.0.1:$BP --faults rst,boom; expect_rc 2
expect_err_has "unknown fault 'boom'"
run "$FP" --listen 0 --target 127.0.0.1:$BP --every 5-1; expect_rc 2; expect_err_has "--every"

# Forwarding both ways, then a reset on SIGUSR1.
"$FP" --listen 0 --target 127.0.0.1:$BP --faults rst --seed 7 --max-seconds 30 \
    > fp.port 2> fp.log & PROXY=$!
for _ in $(seq 100); do [ -s fp.port ] && break; sleep 0.05; done
PP=$(cat fp.port)
mosquitto_sub -h 127.0.0.1 -p $PP -t t -C 2 > sub.out 2> sub.err & SUB=$!
for _ in $(seq 100); do [ "$(grep -c 'Received SUBSCRIBE' broker.log)" -ge 1 ] && break; sleep 0.05; done
mosquitto_pub -h 127.0.0.1 -p $PP -t t -m one
for _ in $(seq 100); do [ -s sub.out ] && break; sleep 0.05; done
[ "$(cat sub.out)" = "one" ] && _ok || _bad "through the proxy: '$(cat sub.out)'"
stop $SUB; SUB=   # mosquitto_sub would reconnect: a raw connection shows the reset
exec 4<>/dev/tcp/127.0.0.1/$PP
sleep 0.2
kill -USR1 $PROXY
T0=$SECONDS; timeout 5 cat <&4 > /dev/null 2>&1; RC=$?; exec 4<&-
[ "$RC" != 124 ] && [ $((SECONDS - T0)) -le 2 ] && _ok || _bad "connection not reset (rc $RC)"
grep -q "fault rst on [12] connections" fp.log && _ok || _bad "no fault logged: $(cat fp.log)"
# A second signal is a second fault, not the end of the proxy; with no
# connection open it is held and hits the next one.
kill -USR1 $PROXY; sleep 0.2
kill -0 $PROXY 2>/dev/null && _ok || _bad "a second SIGUSR1 ended the proxy"
exec 4<>/dev/tcp/127.0.0.1/$PP
T0=$SECONDS; timeout 5 cat <&4 > /dev/null 2>&1; RC=$?; exec 4<&-
[ "$RC" != 124 ] && [ $((SECONDS - T0)) -le 2 ] && _ok || _bad "held fault did not reset the next connection (rc $RC)"

# Target down: the client is closed at once, and counted.
stop $BROKER; BROKER=
run timeout 5 mosquitto_pub -h 127.0.0.1 -p $PP -t t -m two
[ "$RC" != 0 ] && [ "$RC" != 124 ] && _ok || _bad "publish with the target down: rc $RC"
stop $PROXY; PROXY=
grep -q "summary: 4 connections, 1 refused, faults rst 2 .*held 0" fp.log && _ok ||
    _bad "summary: $(tail -1 fp.log)"

# Bounded lifetime.
SECONDS=0
run "$FP" --listen 0 --target 127.0.0.1:$BP --max-seconds 1 --quiet
expect_rc 0 "--max-seconds"
[ $SECONDS -le 3 ] && _ok || _bad "--max-seconds 1 took $SECONDS s"
finish
