"""The local cloud's section of docs/PERFORMANCE.md, from the rows that
bench/cloud/run.sh printed (scripts/bench calls markdown(rows))."""


def _n(v):
    return format(v, ",")


def markdown(rows):
    by = {r.get("bench"): r for r in rows}
    c, s, h = by.get("cloud_connect"), by.get("cloud_shadow_rtt"), by.get("cloud_hold")
    if not (c or s or h):
        return []
    md = ["", "## Local cloud: Mosquitto with the trustlink plugin", "",
          "`bench/cloud/run.sh`: the cloud as `trustlink cloud start` runs it (Debian's Mosquitto,",
          "mutual TLS with `require_certificate`, the trustlink plugin checking every certificate",
          "against the registry and every CONNECT, SUBSCRIBE, PUBLISH and delivery against a",
          "least-privilege policy with `${iot:ClientId}` variables), against a second Mosquitto",
          "with the very same generated configuration minus the plugin lines (baseline), both",
          "running in the same run. The client is `bench/cloud/bench_cloud`: OpenSSL and",
          "hand-made MQTT packets, a full handshake every time (no resumption), and it skips",
          "verifying the server's chain so that it does less work per handshake than the broker."]
    if c:
        md += ["", "### Mutual-TLS connections per second",
               "", "Each connection: TCP, full TLS 1.2 handshake with a P-256 client certificate,",
               "MQTT CONNECT/CONNACK, DISCONNECT. %d rounds of %s connections per broker, %d" %
               (c["rounds"], _n(c["connections"]), c["threads"]),
               "clients at a time, the rounds alternating between the brokers; connections per",
               "second is the median round, broker CPU is user + system time of the Mosquitto",
               "process (/proc/PID/stat) over all rounds divided by the connections.", "",
               "| | with plugin | plain Mosquitto (baseline) | plugin / plain |",
               "|---|---:|---:|---:|",
               "| connections/s | %.0f | %.0f | %.3f |" % (c["plugin_per_s"], c["plain_per_s"], c["ratio"]),
               "| broker CPU per connection (µs) | %.0f | %.0f | %.3f |" %
               (c["plugin_broker_cpu_us_per_conn"], c["plain_broker_cpu_us_per_conn"],
                c["broker_cpu_ratio"]),
               "| broker busy (CPU s / wall s) | %.2f | %.2f | |" %
               (c["plugin_broker_busy"], c["plain_broker_busy"]), "",
               "The client spent %.0f µs of CPU per connection, %s" % (
                   c["client_cpu_us_per_conn"],
                   "less than either broker: it is not"
                   if c["client_cpu_us_per_conn"] < min(c["plugin_broker_cpu_us_per_conn"],
                                                        c["plain_broker_cpu_us_per_conn"])
                   else "not less than the brokers: it may be"),
               "what limits the rate. Mosquitto is single-threaded; where the broker is busy well",
               "below 1.0, the machine's other load and the round trips limit the rate, and the",
               "broker CPU per connection is the steadier comparison. Both brokers run with",
               "`set_tcp_nodelay true`, which `cloud start` writes: without it Nagle's algorithm",
               "holds the broker's second small write for the client's delayed ACK (40 ms) and",
               "the rate falls to a tenth."]
    if s:
        md += ["", "### Shadow update round trip",
               "", "One device connection publishes `{\"state\":{\"reported\":{...}},\"clientToken\":...}`",
               "to `$aws/things/T/shadow/update` and waits for `.../update/accepted` with its token",
               "(the plugin merges, versions and stores the document in SQLite before answering).",
               "Baseline: the same connection publishes to a topic it subscribes to and waits for",
               "the message to come back, on the same broker. QoS 0, %s round trips each after" % _n(s["count"]),
               "20 warm-up ones.", "",
               "| | shadow update → accepted (µs) | publish → echo (µs) | shadow / echo |",
               "|---|---:|---:|---:|",
               "| p50 | %s | %s | %.2f |" % (_n(s["shadow_p50_us"]), _n(s["echo_p50_us"]), s["ratio_p50"]),
               "| p99 | %s | %s | %.2f |" % (_n(s["shadow_p99_us"]), _n(s["echo_p99_us"]), s["ratio_p99"])]
    if h:
        md += ["", "### Connections held and broker memory",
               "", "%s mutual-TLS connections opened one after the other and held at once (keep-alive" %
               _n(h["connections"]),
               "off), then a PINGREQ on each: all must answer. Broker memory is VmRSS from",
               "/proc/PID/status after one warm-up connection and after the last PINGRESP.", "",
               "| | with plugin | plain Mosquitto (baseline) | plugin / plain |",
               "|---|---:|---:|---:|",
               "| connections held (answered PINGREQ) | %s | %s | |" %
               (_n(h["plugin_answered"]), _n(h["plain_answered"])),
               "| broker RSS per connection (bytes) | %s | %s | %.3f |" %
               (_n(h["plugin_rss_per_conn"]), _n(h["plain_rss_per_conn"]), h["ratio"]),
               "| broker RSS with all connected (MB) | %.1f | %.1f | |" %
               (h["plugin_rss_after"] / 1048576, h["plain_rss_after"] / 1048576)]
    return md
