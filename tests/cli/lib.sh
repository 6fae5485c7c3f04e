# Assertions for the shell tests of the trustlink command. Source it.
# Each test runs in its own temporary directory, removed on exit.
set -u
TL=${TL_BIN:?TL_BIN not set}/trustlink
T_DIR=$(mktemp -d)
trap 'rm -rf "$T_DIR"' EXIT
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
