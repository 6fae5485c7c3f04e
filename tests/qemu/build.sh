#!/usr/bin/env bash
# Cross-build the device-core tests for a QEMU target into OUTDIR/TARGET
# (BearSSL from Debian's source package first, cached in OUTDIR/bearssl for
# all targets). Used by ctest (qemu_build, lx106_build, s390x_build) and by hand:
#   tests/qemu/build.sh OUTDIR [cortex-m3|xtensa-lx106|s390x]     (default cortex-m3)
#   tests/qemu/run.sh OUTDIR/cortex-m3/test_json.elf
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build.sh OUTDIR [cortex-m3|xtensa-lx106|s390x]}
target=${2:-cortex-m3}
case $target in
  cortex-m3) prefix=arm-none-eabi- qemu=qemu-system-arm ;;
  xtensa-lx106) prefix=xtensa-lx106-elf- qemu=qemu-system-xtensa ;;
  s390x) prefix=s390x-linux-gnu- qemu=qemu-s390x ;;
  *) echo "build.sh: unknown target $target (cortex-m3, xtensa-lx106, s390x)" >&2; exit 2 ;;
esac
for tool in "${prefix}gcc" "$qemu" make; do
  command -v "$tool" >/dev/null || { echo "qemu tests: $tool missing (run scripts/install-deps)" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
"$src/ports/build-bearssl" "$out/bearssl" "$target"
make -s -j"${JOBS:-2}" -f "$src/tests/qemu/Makefile" SRC="$src" OUT="$out/$target" \
  BEARSSL="$out/bearssl" TARGET="$target"
# Flash per program on the MCUs; the s390x programs are mostly static glibc.
[ "$target" = s390x ] ||
"${prefix}size" "$out/$target"/*.elf | awk 'NR > 1 {printf "  %-22s %7d bytes flash\n", $6, $1 + $2}' | sed 's#.*/##'
