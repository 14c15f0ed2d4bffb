#!/usr/bin/env python3
"""Waits until the demo answers: the web page loads and WAMP procedures reply.

Used by scripts/run to know when to print "open this URL". Standard library
only (a minimal WebSocket client speaking WAMP's JSON serialization), so it
works before and without the Python venv.

  wamp_probe.py --page http://127.0.0.1:8080/ --ws ws://127.0.0.1:8080/ws \
      --realm realm1 --timeout 120 com.example.now.v1 com.example.notes.count

Exit 0 and one JSON line {procedure: result} on success; exit 1 with the last
reason on stderr when the deadline passes.
"""
import argparse
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.parse
import urllib.request


class WebSocket:
    """Just enough of RFC 6455 for a short WAMP conversation."""

    def __init__(self, url, protocol, timeout):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "ws":
            raise ValueError(f"only ws:// URLs are supported, got {url}")
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {protocol}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed during the WebSocket handshake")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in status + " ":
            raise ConnectionError(f"WebSocket handshake refused: {status}")

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by the router")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, message):
        self._send_frame(0x1, json.dumps(message).encode())

    def receive(self):
        message = b""
        while True:
            first, second = self._read(2)
            opcode, n = first & 0x0F, second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            if opcode == 0x8:
                raise ConnectionError("the router closed the WebSocket")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if first & 0x80:
                    return json.loads(message)

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


def call_all(ws_url, realm, procedures, timeout):
    """Joins `realm` anonymously and calls each procedure without arguments."""
    ws = WebSocket(ws_url, "wamp.2.json", timeout)
    try:
        ws.send([1, realm, {"roles": {"caller": {}}}])  # HELLO
        welcome = ws.receive()
        if welcome[0] != 2:  # not WELCOME: ABORT [3, details, reason]
            raise ConnectionError(f"join refused: {welcome[-1]}")
        results = {}
        for request, uri in enumerate(procedures, start=1):
            ws.send([48, request, {}, uri])  # CALL
            answer = ws.receive()
            if answer[0] == 50:  # RESULT [50, request, details, args?, kwargs?]
                args = answer[3] if len(answer) > 3 else []
                results[uri] = args[0] if len(args) == 1 else args
            elif answer[0] == 8:  # ERROR [8, 48, request, details, uri, args?, kwargs?]
                raise RuntimeError(f"{uri} answered {answer[4]}")
            else:
                raise RuntimeError(f"{uri}: unexpected WAMP message {answer[0]}")
        ws.send([6, {}, "wamp.close.normal"])  # GOODBYE
        return results
    finally:
        ws.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--page", required=True, help="URL of the web page")
    parser.add_argument("--ws", required=True, help="WAMP WebSocket URL")
    parser.add_argument("--realm", default="realm1")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait in all")
    parser.add_argument("procedures", nargs="*")
    opts = parser.parse_args()

    deadline = time.monotonic() + opts.timeout
    last = "nothing tried yet"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(opts.page, timeout=5) as page:
                if page.status != 200:
                    raise RuntimeError(f"{opts.page} answered HTTP {page.status}")
            print(json.dumps(call_all(opts.ws, opts.realm, opts.procedures, 5)))
            return 0
        except Exception as e:  # any failure means "not up yet": try again until the deadline
            last = f"{type(e).__name__}: {e}"
        time.sleep(0.5)
    print(f"wamp_probe: not ready after {opts.timeout:.0f} s; last: {last}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
