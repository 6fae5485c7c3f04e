#!/usr/bin/env bash
# trustlink chip emulate: options, state file, ready line, signals, idle exit.
. "$TL_SRC/tests/cli/lib.sh"
H=("$TL_BIN/tests/emu/emu_cli_harness")
if "$TL_BIN/trustlink" chip emulate --help >/dev/null 2>&1; then
    H=("$TL_BIN/trustlink" chip emulate)
fi

run "${H[@]}" --help
expect_rc 0 "--help"
expect_out_has "--socket PATH" "--help"

run "${H[@]}" --state s.bin
expect_rc 2 "no --socket"
expect_err_has "--socket PATH is required"
run "${H[@]}" --socket x.sock --state s.bin --model 707a
expect_rc 2 "bad model"
run "${H[@]}" --socket x.sock --state s.bin --fault-crc 1.5
expect_rc 2 "bad rate"

# A new chip: state file created, ready line, idle timeout ends it (exit 0).
run "${H[@]}" --socket "$T_DIR/c.sock" --state s.bin --seed 7 --idle-timeout 1
expect_rc 0 "idle timeout"
expect_err_has "chip emulator (ATECC508A, SN 0123" "ready line"
expect_err_has "EE) listening on $T_DIR/c.sock" "ready line"
[ -s s.bin ] && _ok || _bad "state file not created"
[ -e "$T_DIR/c.sock" ] && _bad "socket left behind" || _ok
cp s.bin s0.bin

# The same state again: same serial; a different --model is refused.
first_sn=$(printf '%s' "$ERR" | grep -o 'SN [0-9A-F]*')
run "${H[@]}" --socket "$T_DIR/c.sock" --state s.bin --idle-timeout 1
expect_rc 0 "reload"
expect_err_has "$first_sn" "same serial after reload"
run "${H[@]}" --socket "$T_DIR/c.sock" --state s.bin --model 608a --idle-timeout 1
expect_rc 1 "model mismatch"
expect_err_has "holds an ATECC508A"
expect_file_same s.bin s0.bin "model mismatch"

# A state file that cannot be written: one clear error, no server.
run "${H[@]}" --socket "$T_DIR/c.sock" --state "$T_DIR/no/such/dir/s.bin" --idle-timeout 1
expect_rc 1 "unwritable state"
expect_err_has "$T_DIR/no/such/dir/s.bin"
[ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] && _ok || _bad "more than one error line"

# A corrupt state file is an error, not a new chip.
printf 'garbage' > bad.bin
run "${H[@]}" --socket "$T_DIR/c.sock" --state bad.bin --idle-timeout 1
expect_rc 1 "corrupt state"
expect_err_has "not a chip state file"

# SIGTERM: clean exit, socket removed. A 608A this time.
"${H[@]}" --socket "$T_DIR/d.sock" --state s608.bin --model 608a --seed 3 2>err.txt &
pid=$!
for _ in $(seq 50); do [ -S "$T_DIR/d.sock" ] && break; sleep 0.1; done
[ -S "$T_DIR/d.sock" ] && _ok || _bad "socket not created"
# A client of our own in Python (installed by scripts/install-deps):
    # K, then Info over the socket protocol; then Lock config: the state file changes.
    OUT=$(python3 - "$T_DIR/d.sock" <<'PY'
import socket, struct, sys
def crc(d):
    r = 0
    for b in d:
        for i in range(8):
            x = ((b >> i) & 1) ^ (r >> 15)
            r = (r << 1) & 0xFFFF
            if x: r ^= 0x8005
    return r
def pkt(op, p1, p2):
    b = bytes([7, op, p1, p2 & 255, p2 >> 8])
    c = crc(b)
    return b + bytes([c & 255, c >> 8])
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
def req(op, ln, payload=b""):
    s.sendall(bytes([ord(op)]) + struct.pack("<H", ln) + payload)
    h = s.recv(3, socket.MSG_WAITALL); n = h[1] | h[2] << 8
    return h[0], s.recv(n, socket.MSG_WAITALL) if n else b""
print(req("K", 0)[1].hex())
w = b"\x03" + pkt(0x30, 0, 0); req("W", len(w), w)
req("W", 1, b"\x00"); print(req("R", 7)[1].hex())
w = b"\x03" + pkt(0x17, 0x80, 0); req("W", len(w), w)
PY
)
    expect_out_has "04113343" "wake over the socket"
    expect_out_has "0700006002" "Info over the socket"
kill -TERM "$pid"
wait "$pid"; RC=$?
expect_rc 0 "SIGTERM"
[ -e "$T_DIR/d.sock" ] && _bad "socket left after SIGTERM" || _ok
ERR=$(cat err.txt)
expect_err_has "chip emulator (ATECC608A, SN 0123"
finish
