"""The MQTT publish-rate section of docs/PERFORMANCE.md, from the rows that
bench/mqtt_rate.sh printed (scripts/bench calls markdown(rows))."""


def markdown(rows):
    rate = [r for r in rows if r.get("bench") == "mqtt_rate"]
    if not rate:
        return []
    md = ["", "## MQTT publish rate: trustlink mqtt pub vs mosquitto_pub", "",
          "`bench/mqtt_rate.sh`: the same messages (%d-byte payload) to the same Debian" %
          rate[0]["payload_bytes"],
          "Mosquitto (mutual TLS 1.2, `require_certificate true`, P-256 certificates, no",
          "subscriber) from `trustlink mqtt pub --repeat N` (the device stack: BearSSL, the MQTT",
          "client with its 16-packet in-flight window, every QoS 1 message written to the",
          "journal and synced before it is sent) and from `mosquitto_pub -l` (libmosquitto and",
          "OpenSSL, its default in-flight window of 20, nothing stored). Messages per second from",
          "process start to exit, TLS handshake included, the better of two alternating runs.", "",
          "| QoS | messages | trustlink mqtt pub (msg/s) | mosquitto_pub (msg/s) | ratio |",
          "|---|---:|---:|---:|---:|"]
    for r in rate:
        md.append("| %d | %s | %s | %s | %.2f |" % (
            r["qos"], format(r["messages"], ","), format(r["trustlink_per_s"], ","),
            format(r["mosquitto_pub_per_s"], ","),
            r["trustlink_per_s"] / max(1, r["mosquitto_pub_per_s"])))
    shm = [r for r in rate if "trustlink_journal_tmpfs_per_s" in r]
    if shm:
        md += ["", "With the QoS 1 journal on tmpfs (/dev/shm, where fsync costs nothing) trustlink",
               "sends %s msg/s: the difference to the row above is the price of a journal" %
               format(shm[0]["trustlink_journal_tmpfs_per_s"], ","),
               "that survives a power cut (one fdatasync per message on this machine's disk);",
               "mosquitto_pub keeps its queue in RAM and loses it with the process."]
    return md
