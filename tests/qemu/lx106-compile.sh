#!/usr/bin/env bash
# All of the device code as the ESP8266 build compiles it (xtensa-lx106-elf-gcc,
# picolibc, -Os -Werror, `make size`'s device options), including what the
# lx106_* QEMU tests do not link (TLS, agent, CSR, session, board_esp8266.c):
# gcc warns about things clang does not. Compiles only (make size links the
# image; the lx106_* tests run the device core on the CPU).
#   lx106-compile.sh OUTDIR
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: lx106-compile.sh OUTDIR}
command -v xtensa-lx106-elf-gcc >/dev/null || { echo "lx106: xtensa-lx106-elf-gcc missing (scripts/install-deps)" >&2; exit 1; }
mkdir -p "$out/inc"
out=$(cd "$out" && pwd)
ln -sf /usr/include/jsmn.h "$out/inc/jsmn.h"
cd "$src"
files=$(ls src/json/*.c src/config/*.c src/atca/*.c src/mqtt/*.c src/shadow/*.c src/tls/*.c \
  src/agent/*.c src/provision/tl_csr.c src/hal/tl_bus_trace.c ports/common/*.c \
  ports/xtensa-lx106/board_esp8266.c)
cc="xtensa-lx106-elf-gcc --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs -mlongcalls -std=c99 -Os
  -ffunction-sections -fdata-sections -Wall -Wextra -Werror -I$out/inc -I/usr/include/bearssl
  -I$src/ports/include -I$src/src"
# The device options are make size's (the DEFINES list in scripts/size), so
# the variants it measures (no texts, no CRL code...) are compiled in CI too.
device=$(SIZE_DEFINES= python3 -c 'import importlib.machinery as m, sys
size = m.SourceFileLoader("size", sys.argv[1]).load_module()
print(" ".join(size.DEFINES))' "$src/scripts/size") || { echo "lx106: cannot read scripts/size's DEFINES" >&2; exit 1; }
case "$device" in *-DTL_TLS_MCU_IMPLS*) ;; *) echo "lx106: unexpected DEFINES: $device" >&2; exit 1 ;; esac
cc=$(echo $cc)
mkdir -p "$out/device"
# Batches of files per compiler run (their names are unique), two at a time;
# any warning fails the test.
abs=$(for f in $files; do echo "$src/$f"; done)
if ! (cd "$out/device" && echo "$abs" | xargs -P "${JOBS:-2}" -n 12 $cc $device -c); then
  echo "lx106: device build failed" >&2; exit 1
fi
echo "lx106: device build: $(echo $files | wc -w) files compiled"
