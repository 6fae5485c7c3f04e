#!/usr/bin/env python3
"""A TCP proxy for TLS 1.2 connections that corrupts one signature the
server sends, to check that the client refuses it.

    tamper_proxy.py MODE:SERVER_PORT...
One listener on 127.0.0.1 per argument, each printing "PORT MODE:SERVER_PORT n"
when ready and serving connections until killed (or 60 s).
MODE ske:  flip the last byte of the ServerKeyExchange (its signature's tail)
     cert: flip the last byte of the first certificate of the Certificate
           message (the tail of the signature over the server certificate)
Prints "tampered MODE" each time it changed a byte.
"""
import socket
import sys
import threading
import time


def tamper_handshake(body, mode):
    """body: the handshake messages of one record; returns them changed."""
    out = bytearray(body)
    i = 0
    while i + 4 <= len(out):
        typ = out[i]
        n = int.from_bytes(out[i + 1:i + 4], "big")
        end = i + 4 + n
        if end > len(out):
            break
        if mode == "ske" and typ == 12:
            out[end - 1] ^= 0x01
            return bytes(out), True
        if mode == "cert" and typ == 11:
            first = int.from_bytes(out[i + 7:i + 10], "big")
            out[i + 10 + first - 1] ^= 0x01
            return bytes(out), True
        i = end
    return bytes(out), False


def pump(src, dst, mode):
    buf = b""
    done = mode is None
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if done:
                dst.sendall(buf + data)
                buf = b""
                continue
            buf += data
            # Whole records only: header (type, version, length) + body.
            while len(buf) >= 5 and len(buf) >= 5 + int.from_bytes(buf[3:5], "big"):
                n = int.from_bytes(buf[3:5], "big")
                rec, buf = buf[:5 + n], buf[5 + n:]
                if rec[0] == 22 and not done:
                    body, done = tamper_handshake(rec[5:], mode)
                    if done:
                        print("tampered %s" % mode, flush=True)
                    rec = rec[:5] + body
                dst.sendall(rec)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(lst, mode, server_port):
    while True:
        cli, _ = lst.accept()
        try:
            srv = socket.create_connection(("127.0.0.1", server_port), timeout=20)
        except OSError:
            cli.close()
            continue
        threading.Thread(target=pump, args=(cli, srv, None), daemon=True).start()
        threading.Thread(target=pump, args=(srv, cli, mode), daemon=True).start()


for arg in sys.argv[1:]:
    mode, port = arg.split(":")
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(4)
    threading.Thread(target=serve, args=(lst, mode, int(port)), daemon=True).start()
    print("PORT %s %d" % (arg, lst.getsockname()[1]), flush=True)
time.sleep(60)
