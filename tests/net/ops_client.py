#!/usr/bin/python3
"""ops_client.py - hostile clients for the operations tests (tests/net/ops_*.sh).
Standard library only. Every command is bounded in time and in what it sends,
prints what it saw, and exits 0 when vtepd behaved (an error reply or a
dropped connection, never a hang), 1 otherwise.

  ctl SOCKET CASE
        one bad-input case against the control socket (see CTL_CASES): each
        request must get {"ok": false, "error": ...} or the connection must be
        closed; nothing may hang past the timeout.
  ctl-idle SOCKET N HOLD
        opens N connections and keeps them silent for HOLD seconds; prints how
        many were refused at once ("too many clients") and how many the server
        closed while idle, and the seconds to the last close.
  ctl-slow SOCKET N HOLD
        N slowloris clients: each sends one byte of a request every 0.5 s for
        at most HOLD seconds; exit 0 when the server dropped every one.
  http-flood ADDR PORT N PAR
        N GET /metrics with PAR at a time (HTTP/1.0, one request per
        connection); prints the number of 200s, other answers and refusals.
        Exit 0 when at least one 200 came back and none took longer than 30 s.
  http-slow ADDR PORT N HOLD
        N slowloris clients on /metrics: each sends its request one byte
        every 0.5 s for at most HOLD seconds (libmicrohttpd's inactivity
        timeout never fires); meanwhile normal scrapes are tried until one
        is answered. Exit 0 when a scrape got a 200 and every slow client
        was dropped by vtepd before HOLD.
  http-bad ADDR PORT CASE
        one malformed HTTP request (see HTTP_CASES): exit 0 when the answer is
        not a 200 (or the connection is closed) within the timeout.
  garbage IFACE N [--seed S]
        N random Ethernet frames (random length 14..1514, random bytes after a
        unicast destination) out of IFACE through AF_PACKET.
"""
import argparse
import json
import os
import random
import socket
import sys
import threading
import time

TIMEOUT = 15.0
MAX_MSG = 65536  # CTLPROTO_MAX_MSG


# ---------------------------------------------------------------- control socket

def ctl_connect(path):
    # A Unix socket whose backlog is full refuses a connect with EAGAIN at
    # once (it does not wait like TCP): retry until the deadline.
    deadline = time.monotonic() + TIMEOUT
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def read_lines(s, want, deadline):
    """Reads until `want` newline-terminated replies arrived, the peer closed,
    or the deadline passed. Returns (replies, closed)."""
    buf = b""
    out = []
    closed = False
    while len(out) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except (ConnectionResetError, BrokenPipeError):
            closed = True
            break
        if not chunk:
            closed = True
            break
        buf += chunk
        while b"\n" in buf and len(out) < want:
            line, buf = buf.split(b"\n", 1)
            out.append(line)
    return out, closed


def is_error_reply(line):
    try:
        r = json.loads(line)
    except ValueError:
        return False
    return isinstance(r, dict) and r.get("ok") is False and isinstance(r.get("error"), str) \
        and len(r["error"]) > 0


def send_all(s, data):
    try:
        s.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False  # the server closed on us: allowed for hostile input


def nested(depth):
    return '{"cmd":"version","args":{"x":' + '[' * depth + ']' * depth + '}}'


# Each case: a list of messages (bytes) sent on one connection, and whether a
# final shutdown(SHUT_WR) follows. Every message must be refused.
def ctl_cases():
    rnd = random.Random(4242)
    garbage = []
    for _ in range(200):
        b = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300)))
        garbage.append(b.replace(b"\n", b"") + b"\n")
    garbage = [g for g in garbage if g.strip()]
    return {
        # one line longer than the limit, newline at the end
        "oversized": ([b"{" + b'"x":' + b"1" * (MAX_MSG + 10) + b"}\n"], False),
        # the limit reached without any newline: refused before the end
        "oversized-no-newline": ([b"a" * (MAX_MSG + 4096)], False),
        "truncated": ([b'{"cmd": "routes.add", "args": {"vni": 1\n'], False),
        "truncated-eof": ([b'{"cmd": "routes.add", "args": {"vni": 100, "pre'], True),
        "invalid-json": ([b"not json\n", b"{\"cmd\": }\n", b"{'cmd': 'version'}\n",
                          b"{\"cmd\": \"version\"} trailing\n", b"\"version\"\n", b"null\n",
                          b"[1, 2, 3]\n", b"123\n", b"{\"cmd\": 5}\n",
                          b"{\"cmd\": \"version\", \"args\": []}\n",
                          b"{\"cmd\": \"ver\\u0000sion\"}\n", b"\xff\xfe{\"cmd\":1}\n"], False),
        "unknown-command": ([b'{"cmd": "rm -rf /"}\n', b'{"cmd": ""}\n',
                             b'{"cmd": "routes.flush"}\n',
                             b'{"cmd": "' + b"A" * 60000 + b'"}\n'], False),
        "deeply-nested": ([nested(100).encode() + b"\n", nested(20000).encode() + b"\n",
                           b"[" * 60000 + b"\n", b'{"a":' * 10000 + b"\n"], False),
        "bad-arguments": ([json.dumps(m).encode() + b"\n" for m in [
            {"cmd": "routes.add", "args": {"vni": 0, "prefix": "10.9.0.1/32",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 16777216, "prefix": "10.9.0.1/32",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 2 ** 70, "prefix": "10.9.0.1/32",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": "100", "prefix": "10.9.0.1/32",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.9.0.1/24",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.9.0.1/33",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.9.0.1/32",
                                           "vtep": "224.0.0.1", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.9.0.1/32",
                                           "vtep": "192.0.2.9", "mac": "01:00:5e:00:00:01"}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.9.0.1/32",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01",
                                           "extra": 1}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": "10.9.0.1/32\u0000x",
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.add", "args": {"vni": 100, "prefix": None,
                                           "vtep": "192.0.2.9", "mac": "02:00:00:00:09:01"}},
            {"cmd": "routes.del", "args": {"vni": 100, "prefix": "10.99.99.99/32"}},
            {"cmd": "routes.del", "args": {"vni": 999, "prefix": "10.1.0.21/32"}},
            {"cmd": "ports.add", "args": {"ifname": "../../etc", "vni": 100, "ip": "10.1.0.99"}},
            {"cmd": "ports.add", "args": {"ifname": "x" * 16, "vni": 100, "ip": "10.1.0.99"}},
            {"cmd": "ports.add", "args": {"ifname": "w9", "vni": 100, "ip": "10.1.0.99",
                                          "mac": "zz:zz"}},
            {"cmd": "ports.add", "args": {"ifname": "w9", "vni": 424242, "ip": "10.1.0.99"}},
            {"cmd": "ports.del", "args": {"ifname": "nosuchport"}},
            {"cmd": "ports.del", "args": {"ifname": ""}},
            {"cmd": "reload", "args": {"force": True}},
            {"cmd": "peers", "args": {"x": 1}},
            {"cmd": "bgp.routes", "args": {"vni": -1}},
            {"cmd": "bgp.routes", "args": {"peer": "not-an-ip"}},
        ]], False),
        "binary-garbage": (garbage, False),
        "nul-bytes": ([b"\0" * 1000 + b"\n", b'{"cmd":"version"}\0\n'], False),
    }


def cmd_ctl(a):
    cases = ctl_cases()
    if a.case not in cases:
        print("unknown case %s; known: %s" % (a.case, " ".join(sorted(cases))))
        return 1
    msgs, shut = cases[a.case]
    s = ctl_connect(a.socket)
    deadline = time.monotonic() + TIMEOUT
    errors = 0
    bad = []
    closed = False
    for i, m in enumerate(msgs):
        sent = send_all(s, m)
        if sent and shut and i == len(msgs) - 1:
            s.shutdown(socket.SHUT_WR)
        # Even when the send failed (vtepd closed mid-message), its error
        # reply may be waiting.
        replies, closed = read_lines(s, 1, deadline)
        closed = closed or not sent
        if replies:
            if is_error_reply(replies[0]):
                errors += 1
            else:
                bad.append((m[:60], replies[0][:120]))
        elif not closed:
            print("no reply and no close within %.0f s to %r" % (TIMEOUT, m[:60]))
            return 1
        if closed:
            break
    s.close()
    print("%s: %d messages, %d error replies, connection %s" %
          (a.case, len(msgs), errors, "closed by vtepd" if closed else "kept"))
    for m, r in bad:
        print("  not refused: %r -> %r" % (m, r))
    if bad:
        return 1
    # Nothing refused and nothing closed would mean the input went unnoticed.
    return 0 if errors or closed else 1


def cmd_ctl_idle(a):
    conns = []
    refused = 0
    for _ in range(a.n):
        try:
            s = ctl_connect(a.socket)
        except OSError:
            refused += 1
            continue
        conns.append(s)
    t0 = time.monotonic()
    # The ones over the server's limit get "too many clients" and a close at
    # once; the others must be closed by the idle timeout.
    open_ = list(conns)
    closed_at = []
    busy = 0
    while open_ and time.monotonic() - t0 < a.hold:
        still = []
        for s in open_:
            s.settimeout(0.05)
            try:
                d = s.recv(4096)
            except socket.timeout:
                still.append(s)
                continue
            except OSError:
                d = b""
            if d and b"too many clients" in d:
                busy += 1
            closed_at.append(time.monotonic() - t0)
            s.close()
        open_ = still
    for s in open_:
        s.close()
    print("%d connections: %d refused at connect, %d told 'too many clients', "
          "%d closed by vtepd (last after %.1f s), %d still open after %.0f s" %
          (a.n, refused, busy, len(closed_at), max(closed_at or [0]), len(open_), a.hold))
    return 0 if not open_ else 1


def cmd_ctl_slow(a):
    req = b'{"cmd": "version"}'
    state = {}
    lock = threading.Lock()

    def one(i):
        try:
            s = ctl_connect(a.socket)
        except OSError as e:
            with lock:
                state[i] = ("connect failed: %s" % e, 0.0)
            return
        t0 = time.monotonic()
        pos = 0
        while time.monotonic() - t0 < a.hold:
            try:
                s.send(req[pos % len(req):pos % len(req) + 1])
            except OSError:
                break
            pos += 1
            s.settimeout(0.5)
            try:
                d = s.recv(4096)
                if not d or b"too many" in d:
                    break
            except socket.timeout:
                continue
            except OSError:
                break
        else:
            with lock:
                state[i] = ("still open", time.monotonic() - t0)
            s.close()
            return
        with lock:
            state[i] = ("dropped", time.monotonic() - t0)
        s.close()

    th = [threading.Thread(target=one, args=(i,)) for i in range(a.n)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    dropped = [v[1] for v in state.values() if v[0] == "dropped"]
    other = [v for v in state.values() if v[0] != "dropped"]
    print("%d slow clients: %d dropped by vtepd (after %.1f..%.1f s), others: %s" %
          (a.n, len(dropped), min(dropped or [0]), max(dropped or [0]), other[:3]))
    return 0 if len(dropped) == a.n else 1


# ---------------------------------------------------------------- HTTP

def http_raw(addr, port, data, timeout=TIMEOUT):
    """Sends data, returns (status line or None, bytes received, seconds)."""
    t0 = time.monotonic()
    s = socket.create_connection((addr, port), timeout=timeout)
    got = b""
    try:
        s.sendall(data)
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except socket.timeout:
        pass
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    status = got.split(b"\r\n", 1)[0] if got else None
    return status, got, time.monotonic() - t0


def cmd_http_flood(a):
    counts = {"200": 0, "other": 0, "refused": 0}
    slowest = [0.0]
    lock = threading.Lock()
    left = [a.n]

    def worker():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            try:
                st, _, dt = http_raw(a.addr, a.port, b"GET /metrics HTTP/1.0\r\n\r\n")
                k = "200" if st and b" 200 " in st else "other"
            except OSError:
                k, dt = "refused", 0.0
            with lock:
                counts[k] += 1
                slowest[0] = max(slowest[0], dt)

    t0 = time.monotonic()
    th = [threading.Thread(target=worker) for _ in range(a.par)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    print("%d requests in %.1f s (%d at a time): %d x 200, %d other, %d refused; slowest %.2f s"
          % (a.n, time.monotonic() - t0, a.par, counts["200"], counts["other"],
             counts["refused"], slowest[0]))
    return 0 if counts["200"] > 0 and slowest[0] < 30 else 1


def cmd_http_slow(a):
    req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100000
    state = {}
    lock = threading.Lock()
    t_start = time.monotonic()

    def one(i):
        try:
            s = socket.create_connection((a.addr, a.port), timeout=TIMEOUT)
        except OSError as e:
            with lock:
                state[i] = ("connect failed: %s" % e, 0.0)
            return
        t0 = time.monotonic()
        pos = 0
        why = "still open"
        while time.monotonic() - t0 < a.hold:
            try:
                s.send(req[pos:pos + 1])
            except OSError:
                why = "dropped"
                break
            pos += 1
            s.settimeout(0.5)
            try:
                d = s.recv(4096)
                if not d:
                    why = "dropped"
                    break
                # An answer (an error page) ends it too; never a 200.
                why = "answered 200" if b" 200 " in d.split(b"\r\n", 1)[0] else "dropped"
                break
            except socket.timeout:
                continue
            except OSError:
                why = "dropped"
                break
        with lock:
            state[i] = (why, time.monotonic() - t0)
        s.close()

    th = [threading.Thread(target=one, args=(i,)) for i in range(a.n)]
    for t in th:
        t.start()
    time.sleep(2)  # let them take every slot
    scrape = "none answered"
    while time.monotonic() - t_start < a.hold:
        try:
            st, got, dt = http_raw(a.addr, a.port, b"GET /metrics HTTP/1.0\r\n\r\n", timeout=5)
        except OSError as e:
            st, dt = None, 0.0
        if st and b" 200 " in st and b"vtepd_build_info" in got:
            scrape = "200 after %.1f s (took %.2f s)" % (time.monotonic() - t_start, dt)
            break
        time.sleep(0.2)
    for t in th:
        t.join()
    dropped = [v[1] for v in state.values() if v[0] == "dropped"]
    other = [v for v in state.values() if v[0] != "dropped"]
    print("%d slow HTTP clients: %d dropped by vtepd (after %.1f..%.1f s), others: %s; "
          "normal scrape: %s" % (a.n, len(dropped), min(dropped or [0]), max(dropped or [0]),
                                 other[:3], scrape))
    return 0 if len(dropped) == a.n and scrape.startswith("200") else 1


HTTP_CASES = {
    "bad-method": b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    "post": b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    "bad-path": b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    "huge-header": b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n",
    "many-headers": b"GET /metrics HTTP/1.1\r\nHost: x\r\n" +
                    b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n",
    "huge-url": b"GET /" + b"m" * 200000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad-version": b"GET /metrics HTTP/9.9\r\n\r\n",
    "no-version": b"GET /metrics\r\n\r\n",
    "binary": bytes(random.Random(7).randrange(256) for _ in range(4096)) + b"\r\n\r\n",
    "negative-length": b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    "bad-chunked": b"POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"fffffffffffffffffff\r\nxx\r\n0\r\n\r\n",
}


def cmd_http_bad(a):
    if a.case not in HTTP_CASES:
        print("unknown case %s; known: %s" % (a.case, " ".join(sorted(HTTP_CASES))))
        return 1
    try:
        st, got, dt = http_raw(a.addr, a.port, HTTP_CASES[a.case])
    except OSError as e:
        print("%s: connection failed: %s" % (a.case, e))
        return 1
    print("%s: %s (%d bytes, %.2f s)" % (a.case, st.decode("latin-1") if st else
                                          "closed without an answer", len(got), dt))
    if dt >= TIMEOUT:
        return 1
    return 0 if not st or b" 200 " not in st else 1


# ---------------------------------------------------------------- frames

def cmd_garbage(a):
    rnd = random.Random(a.seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    own = s.getsockname()[4]
    sent = 0
    for _ in range(a.n):
        n = rnd.randrange(14, 1515)
        body = bytes(rnd.getrandbits(8) for _ in range(n - 12))
        # Unicast destination (the gateway's or random), our own source MAC
        # half of the time so the frames get past the MAC check sometimes.
        dst = bytes([rnd.randrange(256) & 0xfe]) + bytes(rnd.randrange(256) for _ in range(5))
        src = own if rnd.random() < 0.5 else bytes(rnd.randrange(256) for _ in range(6))
        try:
            s.send(dst + src + body)
            sent += 1
        except OSError:
            pass
    print("%d random frames sent out of %s" % (sent, a.iface))
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("ctl")
    c.add_argument("socket")
    c.add_argument("case")
    c = sub.add_parser("ctl-idle")
    c.add_argument("socket")
    c.add_argument("n", type=int)
    c.add_argument("hold", type=float)
    c = sub.add_parser("ctl-slow")
    c.add_argument("socket")
    c.add_argument("n", type=int)
    c.add_argument("hold", type=float)
    c = sub.add_parser("http-flood")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("n", type=int)
    c.add_argument("par", type=int)
    c = sub.add_parser("http-slow")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("n", type=int)
    c.add_argument("hold", type=float)
    c = sub.add_parser("http-bad")
    c.add_argument("addr")
    c.add_argument("port", type=int)
    c.add_argument("case")
    c = sub.add_parser("garbage")
    c.add_argument("iface")
    c.add_argument("n", type=int)
    c.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    fn = {"ctl": cmd_ctl, "ctl-idle": cmd_ctl_idle, "ctl-slow": cmd_ctl_slow,
          "http-flood": cmd_http_flood, "http-slow": cmd_http_slow, "http-bad": cmd_http_bad,
          "garbage": cmd_garbage}
    return fn[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
