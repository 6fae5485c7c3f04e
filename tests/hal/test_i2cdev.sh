#!/usr/bin/env bash
# The i2c-dev backend (src/hal/posix/tl_bus_i2cdev.c) and the I2C probing of
# `chip ... --chip auto` and aws-iot-setup, through i2c_shim.so: a stand-in
# for the kernel's i2c-dev with the emulator on a fake /dev/i2c-7.
. "$TL_SRC/tests/cli/lib.sh"
unset TRUSTLINK_CONFIG TRUSTLINK_CHIP AWS_PROFILE
command -v openssl >/dev/null || { echo "openssl missing"; exit 1; }
SHIM=$TL_BIN/i2c_shim.so
[ -f "$SHIM" ] || { echo "$SHIM missing (build target tl_i2c_shim)"; exit 1; }

tohex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
unhex() { printf "$(echo "$1" | sed 's/../\\x&/g')" > "$2"; }
# shim ENV=VALUE... -- CMD...: CMD with the shim and the fake bus.
shim() {
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
    run env LD_PRELOAD="$SHIM" TL_SHIM_BUS=/dev/i2c-7 "${envs[@]}" "$@"
}
S60=(TL_SHIM_STATE="$T_DIR/chip60.bin" TL_SHIM_LOG="$T_DIR/shim60.log")
B=i2c:/dev/i2c-7

# Without the shim there is no bus here: the plain error of open().
run "$TL" chip info --chip "$B"; expect_rc 1
expect_err "trustlink: cannot open /dev/i2c-7: No such file or directory"

# info at 0x60: model and serial; the state file carries the chip to the
# next process (the same serial, read again).
shim "${S60[@]}" -- "$TL" chip info --chip "$B"; expect_rc 0
expect_out_has "model:        ATECC508A"; expect_out_has "bus:          $B@0x60"
SERIAL=$(echo "$OUT" | sed -n 's/^serial: *//p')
[ ${#SERIAL} = 18 ] && [ "${SERIAL:0:4}" = 0123 ] && _ok || _bad "serial '$SERIAL'"
[ -s "$T_DIR/chip60.bin" ] && _ok || _bad "state file not written"
# The wake on the wire: general call 0x00 (NACKed), then 4 bytes at 0x60.
run head -6 "$T_DIR/shim60.log"
expect_out_has "ioctl I2C_SLAVE 0x60
ioctl I2C_SLAVE 0x00
W@0x00 1 = NACK ENXIO (wake pulse)
ioctl I2C_SLAVE 0x60
R@0x60 04 11 33 43"
shim "${S60[@]}" -- "$TL" chip info --chip "$B@0x60" --json; expect_rc 0
expect_out_has "\"serial\": \"$SERIAL\""

# Nothing at 0x61: every transfer there is NACKed (ENXIO), the driver gives up.
shim "${S60[@]}" -- "$TL" chip info --chip "$B@0x61"; expect_rc 1
expect_err "trustlink: no ATECC508A/608A at $B@0x61 (too many communication errors): nothing answered; check the wiring and the address (0x60 by default, 0x35 Trust&GO, 0x36 TrustFLEX)"
grep -q '^R@0x61 4 = NACK ENXIO$' "$T_DIR/shim60.log" && _ok || _bad "no NACKed read at 0x61"
# Adapters that say EREMOTEIO (bcm2835) or EIO: the same NACK for the driver.
for e in EREMOTEIO EIO; do
    shim "${S60[@]}" TL_SHIM_NACK_ERRNO=$e -- "$TL" chip info --chip "$B@0x61"; expect_rc 1
    expect_err "trustlink: no ATECC508A/608A at $B@0x61 (too many communication errors): nothing answered; check the wiring and the address (0x60 by default, 0x35 Trust&GO, 0x36 TrustFLEX)"
done
# A kernel driver bound at the address: I2C_SLAVE says EBUSY, named as such.
shim "${S60[@]}" TL_SHIM_BUSY=0x60 -- "$TL" chip info --chip "$B"; expect_rc 1
expect_err_has "/dev/i2c-7: cannot select address 0x60: Device or resource busy (a kernel driver"
# Signals interrupting transfers (EINTR before the bus): retried, not errors.
shim "${S60[@]}" TL_SHIM_EINTR=3 -- "$TL" chip info --chip "$B"; expect_rc 0
expect_out_has "serial:       $SERIAL"
grep -q 'EINTR (injected)' "$T_DIR/shim60.log" && _ok || _bad "no EINTR injected"

# auto, TRUSTLINK_CHIP unset: /dev/i2c-0..6 do not exist, i2c-7 answers at 0x60.
shim "${S60[@]}" -- "$TL" chip info --chip auto; expect_rc 0
expect_out_has "bus:          $B@0x60"; expect_out_has "serial:       $SERIAL"

# A Trust&GO-like part at 0x35: auto and aws-iot-setup find it after 0x60.
S35=(TL_SHIM_STATE="$T_DIR/chip35.bin" TL_SHIM_ADDR=0x35 TL_SHIM_SEED=35)
shim "${S35[@]}" -- "$TL" chip info --chip auto; expect_rc 0
expect_out_has "bus:          $B@0x35"
echo '{}' > setup.json
shim "${S35[@]}" AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=dummy AWS_REGION=us-east-1 \
    -- "$TL" aws-iot-setup --dry-run --thing x --config setup.json
expect_rc 0
expect_err_has "      $B@0x60: no ATECC508A/608A at $B@0x60 (too many communication errors): nothing answered; check the wiring and the address (0x60 by default, 0x35 Trust&GO, 0x36 TrustFLEX)
      found ATECC508A at $B@0x35: revision 00005000, serial"
expect_err_has "dry run: nothing was changed"
expect_file_same setup.json <(echo '{}') "dry run:"
# No chip anywhere: auto says where it looked.
shim TL_SHIM_ADDR=0x50 -- "$TL" chip info --chip auto; expect_rc 1
expect_err_has "no /dev/i2c-0..15 answers at 0x60, 0x35 or 0x36"

# The shim's own hostile inputs: a bad setting or state file is said, and
# the host program goes on (no chip, or a factory-new one).
shim TL_SHIM_ADDR=zz -- "$TL" chip info --chip "$B"; expect_rc 1
expect_err_has "i2c_shim: TL_SHIM_ADDR='zz' is not a number in 8..119; ignored"
head -c 3000 /dev/urandom > junk.bin
shim TL_SHIM_STATE="$T_DIR/junk.bin" -- "$TL" chip info --chip "$B"; expect_rc 0
expect_err "i2c_shim: $T_DIR/junk.bin is not a chip state; starting a factory-new chip"

# A bus the user may not open (not in group i2c): said, not skipped silently.
shim TL_SHIM_OPEN_ERRNO=EACCES -- "$TL" chip info --chip auto; expect_rc 1
expect_err_has "0x36; cannot open /dev/i2c-7: Permission denied)"
shim TL_SHIM_OPEN_ERRNO=EACCES -- "$TL" chip info --chip "$B"; expect_rc 1
expect_err "trustlink: cannot open /dev/i2c-7: Permission denied"

# The whole chip life through the shim, one process per command: lock with
# the trace, genkey, sign, and OpenSSL verifies the chip's signature.
shim "${S60[@]}" -- "$TL" chip lock --chip "$B" --default-config --yes --trace "$T_DIR/lock.trace"
expect_rc 0; expect_out "configuration written and verified; config zone locked; data zone locked"
run head -4 "$T_DIR/lock.trace"; expect_out "K
R 04 11 33 43
W 03 07 30 00 00 00 03 5d
W 00"
run grep -cvE '^(K|NACK|[WR]( [0-9a-f]{2})*)$' "$T_DIR/lock.trace"; expect_out "0"
shim "${S60[@]}" -- "$TL" chip info --chip "$B"; expect_out_has "config zone:  locked"
expect_out_has "data zone:    locked"
shim "${S60[@]}" -- "$TL" chip genkey --chip "$B" --slot 0; expect_rc 0
GENPUB=$OUT
[ ${#GENPUB} = 128 ] && _ok || _bad "genkey prints 64 bytes of hex"
shim "${S60[@]}" -- "$TL" chip pubkey --chip "$B" --slot 0 --pem; expect_rc 0
echo "$OUT" > chip.pem
printf 'over a fake i2c-dev\n' > msg.txt
DIG=$(openssl dgst -sha256 -r msg.txt | cut -d' ' -f1)
shim "${S60[@]}" TL_SHIM_EINTR=7 -- "$TL" chip sign --chip "$B" --slot 0 --digest "$DIG" --der \
    --trace "$T_DIR/sign.trace"
expect_rc 0
unhex "$OUT" sig.der
run openssl dgst -sha256 -verify chip.pem -signature sig.der msg.txt; expect_rc 0
expect_out "Verified OK"
printf 'tampered\n' > msg2.txt
run openssl dgst -sha256 -verify chip.pem -signature sig.der msg2.txt; expect_rc 1
run grep -c '^W 03 .. 41 ' "$T_DIR/sign.trace"; expect_out "1"   # one Sign command

# An adapter that moves a byte less than asked (i2c-dev never does; a broken
# one might): a short write or read counts as a NACK, and the driver's resend
# and re-read carry a whole provisioning through, every 5th transfer short.
SS=(TL_SHIM_STATE="$T_DIR/short.bin" TL_SHIM_SHORT=5 TL_SHIM_LOG="$T_DIR/short.log")
shim "${SS[@]}" -- "$TL" chip lock --chip "$B" --default-config --yes; expect_rc 0 "short lock:"
shim "${SS[@]}" -- "$TL" chip genkey --chip "$B" --slot 2 --pem; expect_rc 0 "short genkey:"
echo "$OUT" > short.pem
shim "${SS[@]}" -- "$TL" chip sign --chip "$B" --slot 2 --digest "$DIG" --der
expect_rc 0 "short sign:"
unhex "$OUT" short.der
run openssl dgst -sha256 -verify short.pem -signature short.der msg.txt; expect_out "Verified OK"
grep -q 'short transfer' "$T_DIR/short.log" && _ok || _bad "no short transfer injected"

# The state file is the emulator's own format: `chip emulate` serves the
# same chip (locked, same serial, same key).
cp "$T_DIR/chip60.bin" "$T_DIR/e.bin"
t_emulator e
run "$TL" chip info --chip "emu:$T_DIR/e.sock"; expect_rc 0
expect_out_has "serial:       $SERIAL"; expect_out_has "data zone:    locked"
run "$TL" chip pubkey --chip "emu:$T_DIR/e.sock" --slot 0; expect_out "$GENPUB"

finish
