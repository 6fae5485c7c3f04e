#!/usr/bin/env bash
# Cross-build the device-core tests for the Cortex-M3 into OUTDIR (BearSSL
# from Debian's source package first, cached there). Used by ctest
# (qemu_build) and by hand:  tests/qemu/build.sh build-test/tests/qemu
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
for tool in arm-none-eabi-gcc qemu-system-arm make; do
  command -v "$tool" >/dev/null || { echo "qemu tests: $tool missing (run scripts/install-deps)" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
"$src/ports/build-bearssl" --dirs codec,ec,hash,int,mac,rand "$out/bearssl" cortex-m3
make -s -j"${JOBS:-2}" -f "$src/tests/qemu/Makefile" SRC="$src" OUT="$out" BEARSSL="$out/bearssl"
arm-none-eabi-size "$out"/*.elf | awk 'NR > 1 {printf "  %-22s %7d bytes flash\n", $6, $1 + $2}' | sed 's#.*/##'
