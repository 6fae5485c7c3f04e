#!/usr/bin/env python3
"""A plain-TCP MQTT 3.1.1 proxy for tests that records what crosses it.

    mqtt_sniff.py --listen PORT --broker PORT --log FILE [--max-seconds N]
                  [--delay-down MS]

Forwards every byte unchanged between clients and the broker (both on
127.0.0.1) and writes one JSON line per PUBLISH and PUBACK it sees:
  {"conn": 3, "dir": "up", "type": "PUBLISH", "dup": 1, "qos": 1, "id": 7,
   "topic": "...", "payload": "..."}
  {"conn": 3, "dir": "down", "type": "PUBACK", "id": 7}
"up" is client to broker. --delay-down holds each chunk from the broker for
MS milliseconds (acknowledgements arrive late, so more messages are in
flight when a client dies). It exits by itself after --max-seconds.
"""
import argparse, asyncio, json, sys

def frames(buf):
    """Split complete MQTT packets off the front of buf: (packets, rest)."""
    out = []
    while True:
        if len(buf) < 2:
            return out, buf
        mult, length, i = 1, 0, 1
        while True:
            if i >= len(buf):
                return out, buf
            b = buf[i]
            length += (b & 0x7F) * mult
            mult *= 128
            i += 1
            if not b & 0x80:
                break
            if i > 4:
                raise ValueError("bad remaining length")
        if len(buf) < i + length:
            return out, buf
        out.append((buf[0], bytes(buf[i:i + length])))
        buf = buf[i + length:]

def describe(conn, direction, first, body):
    ptype = first >> 4
    if ptype == 3:
        qos = (first >> 1) & 3
        tlen = int.from_bytes(body[0:2], "big")
        topic = body[2:2 + tlen].decode("utf-8", "replace")
        pos = 2 + tlen
        pid = None
        if qos:
            pid = int.from_bytes(body[pos:pos + 2], "big")
            pos += 2
        return {"conn": conn, "dir": direction, "type": "PUBLISH", "dup": (first >> 3) & 1,
                "qos": qos, "id": pid, "topic": topic,
                "payload": body[pos:].decode("utf-8", "replace")}
    if ptype == 4:
        return {"conn": conn, "dir": direction, "type": "PUBACK",
                "id": int.from_bytes(body[0:2], "big")}
    return None

async def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--broker", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--delay-down", type=float, default=0)
    args = ap.parse_args()
    log = open(args.log, "a", buffering=1)
    count = 0

    async def pipe(reader, writer, conn, direction):
        buf = b""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                buf += data
                packets, buf = frames(buf)
                for first, body in packets:
                    d = describe(conn, direction, first, body)
                    if d:
                        log.write(json.dumps(d) + "\n")
                if direction == "down" and args.delay_down:
                    await asyncio.sleep(args.delay_down / 1000)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def on_client(creader, cwriter):
        nonlocal count
        count += 1
        conn = count
        try:
            breader, bwriter = await asyncio.open_connection("127.0.0.1", args.broker)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pipe(creader, bwriter, conn, "up"),
                             pipe(breader, cwriter, conn, "down"))

    server = await asyncio.start_server(on_client, "127.0.0.1", args.listen)
    async with server:
        await asyncio.sleep(args.max_seconds)

if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
