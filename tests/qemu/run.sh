#!/usr/bin/env bash
# Run one cross-built test program under QEMU, bounded by a timeout, on the
# CPU its ELF header names: a Cortex-M3 (MPS2 AN385, ARM semihosting), an
# lx106 (the ESP8266's CPU on QEMU's xtensa simulator, SIMCALL) or an s390x
# (big-endian; a static Linux program under qemu-user).
#   run.sh ELF              a test program: exit 0 and its summary line
#                           "N passed, 0 failed, 0 skipped" required
#   run.sh ELF --fault      must die of an unaligned access in the fault
#                           handler (status 3, FAULT line naming the trap);
#                           MCUs only (s390x allows unaligned access)
#   run.sh ELF --exclude T  leave test function T out (too slow for an
#                           emulated CPU; the run reports it as excluded)
set -uo pipefail
elf=${1:?usage: run.sh ELF [--fault] [--exclude TEST]...}
shift
mode= append=
while [ $# -gt 0 ]; do
  case $1 in
    --fault) mode=--fault ;;
    --exclude) append="$append -${2:?--exclude needs a test name}"; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -f "$elf" ] || { echo "qemu: $elf not built (qemu_build or lx106_build failed?)" >&2; exit 1; }
# e_machine, ELF header offset 18, in the byte order EI_DATA (offset 5)
# names: 1 little-endian, 2 big-endian.
order=$(od -An -tu1 -j5 -N1 "$elf" | tr -d ' ')
read -r m0 m1 < <(od -An -tu1 -j18 -N2 "$elf")
if [ "$order" = 2 ]; then machine=$((m0 * 256 + m1)); else machine=$((m1 * 256 + m0)); fi
system=( -nographic -monitor none -serial none -semihosting-config enable=on,target=native )
case $machine in
  40) qemu=(qemu-system-arm -M mps2-an385 "${system[@]}" -kernel "$elf" -append "${append# }")
      fault_re='^FAULT usage' fault_name="a usage fault" ;;
  94) qemu=(qemu-system-xtensa -M sim -cpu lx106 "${system[@]}" -kernel "$elf" -append "${append# }")
      fault_re='^FAULT LoadStoreAlignment' fault_name="LoadStoreAlignment" ;;
  # The runner reads the exclusions from argv as it does from -append.
  22) qemu=(qemu-s390x "$elf" $append) fault_re= ;;
  *) echo "qemu: $elf is not an ARM, Xtensa or s390x program" >&2; exit 1 ;;
esac
if [ "$mode" = --fault ] && [ -z "$fault_re" ]; then
  echo "qemu: --fault: $(basename "$elf")'s CPU does not trap unaligned accesses" >&2; exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout "${TL_QEMU_TIMEOUT:-40}" "${qemu[@]}" > "$log" 2>&1
rc=$?
cat "$log"
if [ $rc = 124 ]; then
  echo "qemu: $(basename "$elf") timed out after ${TL_QEMU_TIMEOUT:-40} s" >&2; exit 1
fi
if [ "$mode" = --fault ]; then
  if [ $rc = 3 ] && grep -q "$fault_re" "$log"; then
    echo "qemu: unaligned access trapped as expected"; exit 0
  fi
  echo "qemu: expected $fault_name (status 3), got status $rc" >&2; exit 1
fi
if [ $rc != 0 ]; then
  echo "qemu: $(basename "$elf") exited with status $rc" >&2; exit 1
fi
# A program that ran no test must not pass.
if ! grep -Eq '^\[==========\] .*: [1-9][0-9]* passed, 0 failed, 0 skipped' "$log"; then
  echo "qemu: $(basename "$elf") printed no passing summary" >&2; exit 1
fi
