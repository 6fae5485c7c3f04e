#!/usr/bin/env bash
# ctest bench_cloud_smoke: bench/cloud/run.sh with small sizes must produce
# its three figures, every connection accepted and every held one alive.
set -euo pipefail
out=$(CLOUD_BENCH_CONNS=40 CLOUD_BENCH_ROUNDS=1 CLOUD_BENCH_THREADS=2 CLOUD_BENCH_RTT=50 \
      CLOUD_BENCH_HOLD=50 bash "$(dirname "$0")/run.sh" "${1:?build dir}")
echo "$out"
python3 - "$out" <<'PY'
import json, sys
rows = {r["bench"]: r for r in map(json.loads, sys.argv[1].splitlines())}
c, s, h = rows["cloud_connect"], rows["cloud_shadow_rtt"], rows["cloud_hold"]
assert c["connections"] == 40 and c["plugin_per_s"] > 0 and c["plain_per_s"] > 0, c
assert c["plugin_broker_cpu_us_per_conn"] > 0 and c["plain_broker_cpu_us_per_conn"] > 0, c
assert s["count"] == 50 and 0 < s["shadow_p50_us"] <= s["shadow_p99_us"], s
assert 0 < s["echo_p50_us"] <= s["echo_p99_us"], s
assert h["plugin_answered"] == h["plain_answered"] == h["connections"] == 50, h
print("bench_cloud_smoke: ok")
PY
