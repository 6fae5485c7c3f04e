#!/usr/bin/env bash
# trustlink chip: the driver over the emulator socket, checked against OpenSSL.
. "$(dirname "$0")/lib.sh"
unset TRUSTLINK_CONFIG TRUSTLINK_CHIP
command -v openssl >/dev/null || { echo "openssl missing"; exit 1; }

tohex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
unhex() { printf "$(echo "$1" | sed 's/../\\x&/g')" > "$2"; }

# An emulated 508A (the default model); it exits by itself when idle, and
# the trap stops it by pid.
"$TL" chip emulate --socket "$T_DIR/chip.sock" --state "$T_DIR/chip.bin" --idle-timeout 20 \
    >"$T_DIR/emu.log" 2>&1 &
EMU=$!
trap 'kill $EMU 2>/dev/null; wait $EMU 2>/dev/null; rm -rf "$T_DIR"' EXIT
for _ in $(seq 100); do [ -S "$T_DIR/chip.sock" ] && break; sleep 0.05; done
[ -S "$T_DIR/chip.sock" ] && _ok || _bad "emulator socket did not appear"
C="emu:$T_DIR/chip.sock"

# Usage and URI errors.
run "$TL" chip genkey --chip "$C";            expect_rc 2; expect_err_has "which slot?"
run "$TL" chip genkey --chip "$C" --slot 16;  expect_rc 2; expect_err_has "out of range"
run "$TL" chip sign --chip "$C" --slot 0 --digest abcd; expect_rc 2; expect_err_has "64 hex digits"
run "$TL" chip lock --chip "$C";              expect_rc 2; expect_err_has "--default-config"
run "$TL" chip info --chip bogus:x;           expect_rc 1
expect_err "trustlink: unknown chip URI 'bogus:x' (use auto, i2c:/dev/i2c-N[@0x60] or emu:PATH)"
run "$TL" chip info --chip "i2c:/dev/i2c-1@0x99"; expect_rc 1; expect_err_has "bad address"
run "$TL" chip info --chip "emu:$T_DIR/nothing.sock"; expect_rc 1; expect_err_has "cannot connect to emulator"

# info, by --chip, by --set chip.uri=, by $TRUSTLINK_CHIP.
run "$TL" chip info --chip "$C"; expect_rc 0; expect_out_has "model:        ATECC508A"
expect_out_has "config zone:  unlocked"
run "$TL" chip info --set "chip.uri=$C" --json; expect_rc 0
expect_out_has '"model": "ATECC508A", "revision": "00005000"'
TRUSTLINK_CHIP=$C run "$TL" chip info; expect_rc 0; expect_out_has "ATECC508A"
export TRUSTLINK_CHIP=$C

# Before the lock: data is unreadable, keys cannot be made.
run "$TL" chip read --slot 8; expect_rc 1
expect_err "trustlink: chip refused: execution error (0x0F): slot 8: data zone is not locked"
run "$TL" chip genkey --slot 0; expect_rc 1; expect_err_has "chip refused: execution error (0x0F)"

# lock: refuses without --yes when stdin is no terminal; then locks.
run "$TL" chip lock --default-config </dev/null; expect_rc 1
expect_err_has "refusing to lock without --yes: stdin is not a terminal"
run "$TL" chip info --json; expect_out_has '"config_locked": false'
# On a terminal it shows the plan and asks; anything but 'yes' keeps it unlocked.
# (script comes with util-linux/bsdutils, which every Debian system has.)
run bash -c "echo no | script -qec '$TL chip lock --default-config' /dev/null"
expect_rc 1; expect_out_has "0    0x2087     0x0033    device key (TLS, CSR)"
expect_out_has "Type 'yes': trustlink: not locked (answer was not 'yes')"
run "$TL" chip info --json; expect_out_has '"config_locked": false'
run "$TL" chip lock --default-config --yes --trace "$T_DIR/lock.trace"; expect_rc 0
expect_out "configuration written and verified; config zone locked; data zone locked"
run head -4 "$T_DIR/lock.trace"; expect_out "K
R 04 11 33 43
W 03 07 30 00 00 00 03 5d
W 00"
run "$TL" chip info; expect_out_has "config zone:  locked"; expect_out_has "data zone:    locked"
run "$TL" chip lock --default-config --yes; expect_rc 0; expect_out "already locked with the default configuration"
run "$TL" chip config show; expect_rc 0
expect_out_has "0    0x2087     0x0033    device key (TLS, CSR)  P-256 private key; secret, never readable"
expect_out_has "8    0x0000     0x003C    certificate storage    data/SHA; clear read; write always"

# Keys: generate, public key as PEM that OpenSSL reads.
run "$TL" chip genkey --slot 0; expect_rc 0
[ ${#OUT} = 128 ] && _ok || _bad "genkey prints 64 bytes of hex"
GENPUB=$OUT
run "$TL" chip pubkey --slot 0; expect_out "$GENPUB"
"$TL" chip pubkey --slot 0 --pem > chip.pem
run openssl pkey -pubin -in chip.pem -noout -text; expect_rc 0; expect_out_has "NIST CURVE: P-256"
run "$TL" chip pubkey --slot 8; expect_rc 1; expect_err_has "chip refused: execution error (0x0F)"

# chip csr: a PKCS#10 request signed by the chip, for the slot's own key.
run "$TL" chip csr --slot 0 --cn dev-1 -o dev.csr; expect_rc 0
expect_err_has "CSR for CN=dev-1 (slot 0) written to dev.csr"
run openssl req -in dev.csr -noout -verify -subject; expect_rc 0
expect_out_has "subject=CN = dev-1"; expect_err_has "verify OK"
run bash -c "openssl req -in dev.csr -noout -pubkey | cmp - chip.pem"; expect_rc 0 "CSR carries the slot's key"
run "$TL" chip csr --slot 0; expect_rc 2; expect_err_has "--cn NAME is required"
run "$TL" chip csr --slot 8 --cn x; expect_rc 1; expect_err_has "chip refused"

# A secret slot is never readable: the chip's own refusal, named.
run "$TL" chip read --slot 0; expect_rc 1
expect_err "trustlink: chip refused: execution error (0x0F): slot 0 is secret"
run "$TL" chip read --slot 8; expect_rc 0
[ ${#OUT} = 832 ] && _ok || _bad "slot 8 is 416 bytes"

# chip sign -> openssl verify (both dgst over the file and pkeyutl over the digest).
printf 'trustlink says hello\n' > msg.txt
DIG=$(openssl dgst -sha256 -r msg.txt | cut -d' ' -f1)
run "$TL" chip sign --slot 0 --digest "$DIG" --der; expect_rc 0
unhex "$OUT" sig.der
run openssl dgst -sha256 -verify chip.pem -signature sig.der msg.txt; expect_rc 0; expect_out "Verified OK"
unhex "$DIG" dig.bin
run openssl pkeyutl -verify -pubin -inkey chip.pem -in dig.bin -sigfile sig.der; expect_rc 0
expect_out_has "Signature Verified Successfully"
run "$TL" chip sign --slot 0 --digest "$DIG"; expect_rc 0
RAWSIG=$OUT
[ ${#RAWSIG} = 128 ] && _ok || _bad "raw signature is 64 bytes"
run "$TL" chip verify --slot 0 --digest "$DIG" --signature "$RAWSIG"; expect_rc 0; expect_out "signature valid"
printf 'tampered\n' > msg2.txt
run openssl dgst -sha256 -verify chip.pem -signature sig.der msg2.txt; expect_rc 1

# openssl sign -> chip verify (DER and the --pubkey PEM file).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out peer.key 2>/dev/null
openssl pkey -in peer.key -pubout -out peer.pub 2>/dev/null
openssl dgst -sha256 -sign peer.key -out peer.sig msg.txt
run "$TL" chip verify --pubkey peer.pub --digest "$DIG" --signature "$(tohex peer.sig)"
expect_rc 0; expect_out "signature valid"
DIG2=$(openssl dgst -sha256 -r msg2.txt | cut -d' ' -f1)
run "$TL" chip verify --pubkey peer.pub --digest "$DIG2" --signature "$(tohex peer.sig)"
expect_rc 1; expect_err "trustlink: signature does not verify"
run "$TL" chip verify --slot 0 --pubkey peer.pub --digest "$DIG" --signature "$RAWSIG"
expect_rc 2; expect_err_has "exactly one of --pubkey FILE and --slot N"

# ECDH: the chip's secret with openssl's key equals openssl's with the chip's key.
run openssl pkeyutl -derive -inkey peer.key -peerkey chip.pem -out z.bin; expect_rc 0
run "$TL" chip ecdh --slot 0 --peer peer.pub; expect_rc 0
expect_out "$(tohex z.bin)"
run "$TL" chip ecdh --slot 8 --peer peer.pub; expect_rc 1; expect_err_has "chip refused"

# random: 32 bytes, different each time.
run "$TL" chip random; expect_rc 0; R1=$OUT
run "$TL" chip random --json; expect_out_has '"random": "'
[ ${#R1} = 64 ] && [ "$R1" != "${OUT:12:64}" ] && _ok || _bad "random"

# A full trace of genkey + sign: K/W/R lines only, and no private key can be
# checked here (the cmocka test does that with the emulator's key).
run "$TL" chip sign --slot 0 --digest "$DIG" --trace "$T_DIR/sign.trace"; expect_rc 0
run grep -cvE '^(K|NACK|[WR]( [0-9a-f]{2})*)$' "$T_DIR/sign.trace"; expect_out "0"

# auto: takes the emulator from $TRUSTLINK_CHIP.
run "$TL" chip info --chip auto; expect_rc 0; expect_out_has "bus:          $C"

# A 608A with the chip's timing (busy NACKs, watchdog) and 5% CRC / 5% NACK
# faults on the socket: the driver's polling and retries carry it through.
"$TL" chip emulate --socket "$T_DIR/f.sock" --state "$T_DIR/f.bin" --model 608a --timing \
    --fault-crc 0.05 --fault-nack 0.05 --seed 9 --idle-timeout 20 >"$T_DIR/emu2.log" 2>&1 &
EMU2=$!
trap 'kill $EMU $EMU2 2>/dev/null; wait $EMU $EMU2 2>/dev/null; rm -rf "$T_DIR"' EXIT
for _ in $(seq 100); do [ -S "$T_DIR/f.sock" ] && break; sleep 0.05; done
F="emu:$T_DIR/f.sock"
run "$TL" chip info --chip "$F"; expect_rc 0; expect_out_has "ATECC608A"
run "$TL" chip lock --chip "$F" --default-config --yes; expect_rc 0
run "$TL" chip genkey --chip "$F" --slot 1 --pem; expect_rc 0
echo "$OUT" > f.pem
for i in 1 2 3 4 5; do
    printf 'message %s\n' "$i" > m.txt
    D=$(openssl dgst -sha256 -r m.txt | cut -d' ' -f1)
    run "$TL" chip sign --chip "$F" --slot 1 --digest "$D" --der --trace "$T_DIR/f$i.trace"
    expect_rc 0 "faulty sign $i:"
    unhex "$OUT" s.der
    run openssl dgst -sha256 -verify f.pem -signature s.der m.txt; expect_out "Verified OK"
done
cat "$T_DIR"/f?.trace | grep -q '^NACK$' && _ok || _bad "no NACK seen: faults or busy polling not exercised"

finish
