# Assertions for the shell tests of the trustlink command. Source it.
# Each test runs in its own temporary directory, removed on exit.
set -u
TL=${TL_BIN:?TL_BIN not set}/trustlink
T_DIR=$(mktemp -d)
T_PIDS=()        # background processes of the test: killed at exit (t_bg)
T_AT_EXIT=()     # commands run at exit before that (t_at_exit)
t_cleanup() {
    local c p
    for c in "${T_AT_EXIT[@]}"; do eval "$c" >/dev/null 2>&1; done
    for p in "${T_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$T_DIR"
}
trap t_cleanup EXIT
cd "$T_DIR" || exit 1
T_PASS=0
T_FAIL=0

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
    OUT=$("$@" 2>"$T_DIR/.stderr"); RC=$?
    ERR=$(cat "$T_DIR/.stderr")
}

_ok()   { T_PASS=$((T_PASS + 1)); }
_bad()  { T_FAIL=$((T_FAIL + 1)); echo "FAIL: $*" >&2; echo "  stdout: $OUT" >&2; echo "  stderr: $ERR" >&2; }

expect_rc()      { [ "$RC" = "$1" ] && _ok || _bad "${2:-} exit status $RC, expected $1"; }
expect_out()     { [ "$OUT" = "$1" ] && _ok || _bad "${2:-} stdout '$OUT', expected '$1'"; }
expect_err()     { [ "$ERR" = "$1" ] && _ok || _bad "${2:-} stderr '$ERR', expected '$1'"; }
expect_out_has() { case "$OUT" in *"$1"*) _ok ;; *) _bad "${2:-} stdout lacks '$1'" ;; esac; }
expect_err_has() { case "$ERR" in *"$1"*) _ok ;; *) _bad "${2:-} stderr lacks '$1'" ;; esac; }
expect_file_same() { cmp -s "$1" "$2" && _ok || _bad "${3:-} $1 changed"; }

# Print the plain summary line and fail if any check failed or none ran.
finish() {
    echo "$T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" = 0 ] && [ "$T_PASS" -gt 0 ]
}

# t_bg CMD...: run CMD in the background; it is killed when the test ends.
# $T_LAST_PID is its pid.
t_bg() { "$@" & T_LAST_PID=$!; T_PIDS+=($T_LAST_PID); }
# t_at_exit 'COMMAND': run COMMAND (a string for eval) when the test ends.
t_at_exit() { T_AT_EXIT+=("$1"); }

# free_port: a random port nobody listens on (127.0.0.1), below Linux's
# ephemeral range (32768-60999) so that no outgoing connection takes it later.
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 12000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return 0; }
    done
    return 1
}
# wait_port PORT / wait_path PATH: until it answers / exists (5 s at most).
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; return 1; }
wait_path() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.05; done; return 1; }
# wait_log FILE PATTERN SECONDS [COUNT]: until FILE has COUNT (1) lines with PATTERN.
wait_log() {
    for _ in $(seq $(($3 * 20))); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "${4:-1}" ] && return 0
        sleep 0.05
    done
    return 1
}

# t_emulator NAME [ARGS]: a factory-new emulated chip on $T_DIR/NAME.sock
# (state $T_DIR/NAME.bin), stopped at exit.
t_emulator() {
    local name=$1; shift
    t_bg "$TL" chip emulate --socket "$T_DIR/$name.sock" --state "$T_DIR/$name.bin" \
        --idle-timeout 120 "$@" 2>>"$T_DIR/emu.log"
    wait_path "$T_DIR/$name.sock" || echo "emulator $name did not start" >&2
}
# t_cloud: the local cloud in $T_DIR/cloud on free ports, its exports loaded
# (AWS_* and AWS_ENDPOINT_URL), stopped at exit. Sets MQTT_PORT, API_PORT.
t_cloud() {
    MQTT_PORT=$(free_port); API_PORT=$(free_port)
    t_at_exit '"$TL" cloud stop --dir "$T_DIR/cloud"'
    "$TL" cloud start --dir "$T_DIR/cloud" --mqtt-port "$MQTT_PORT" --api-port "$API_PORT" \
        > "$T_DIR/cloud.env" || { echo "the local cloud did not start" >&2; return 1; }
    eval "$(cat "$T_DIR/cloud.env")"
}
