#!/usr/bin/python3
"""k8s_stream.py - one long TCP connection for the Kubernetes scenarios, to
see whether it survives what happens on the path while it runs.

  k8s_stream.py serve PORT SECONDS
      echo server on 0.0.0.0:PORT of the namespace it runs in: prints
      "listening", echoes every byte of each connection back, exits by
      itself after SECONDS.
  k8s_stream.py send IP PORT SECONDS INTERVAL_MS [MAX_WAIT_MS]
      connects, writes an 8-byte sequence number every INTERVAL_MS for
      SECONDS, then half-closes and reads the rest of the echo. Prints
      one line: "sent N, echoed N in order, longest wait between echoes
      X ms, retransmitted segments R" (R from TCP_INFO's total_retrans).
      Exits 0 when every number came back, in order, the server closed
      cleanly and (given MAX_WAIT_MS) no two echoes were further apart;
      1 otherwise (reset, timeout, missing or reordered data, a stall)."""
import select
import socket
import struct
import sys
import time


def serve(port, secs):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(8)
    print("listening", flush=True)
    deadline = time.monotonic() + secs
    conns = []
    while time.monotonic() < deadline:
        r, _, _ = select.select([srv] + conns, [], [], 0.5)
        for s in r:
            if s is srv:
                c, _ = srv.accept()
                conns.append(c)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if data:
                s.sendall(data)
            else:
                s.close()
                conns.remove(s)
    return 0


def total_retrans(s):
    # struct tcp_info: 8 bytes of u8 fields, then u32s; total_retrans is
    # the 24th u32 (linux/tcp.h).
    try:
        info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        return struct.unpack_from("I", info, 100)[0]
    except OSError:
        return -1


def send(ip, port, secs, interval_ms, max_wait_ms=None):
    s = socket.create_connection((ip, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.setblocking(False)
    start = time.monotonic()
    end = start + secs
    step = interval_ms / 1000.0
    sent = 0
    buf = b""
    echoed = 0
    in_order = True
    last = time.monotonic()
    longest = 0.0
    closed = False
    half_closed = False
    deadline = end + 30
    while not closed and time.monotonic() < deadline:
        now = time.monotonic()
        if not half_closed and now >= end:
            s.shutdown(socket.SHUT_WR)
            half_closed = True
        elif not half_closed and now >= start + sent * step:
            try:
                s.send(struct.pack("!Q", sent))
                sent += 1
            except BlockingIOError:
                pass
            except OSError as e:
                print(f"sent {sent}, echoed {echoed}: {e}")
                return 1
        wait = 0.05 if half_closed else max(0.0, start + sent * step - time.monotonic())
        r, _, _ = select.select([s], [], [], wait)
        if not r:
            continue
        try:
            data = s.recv(65536)
        except OSError as e:
            print(f"sent {sent}, echoed {echoed}: {e}")
            return 1
        if not data:
            closed = True
            break
        now = time.monotonic()
        longest = max(longest, now - last)
        last = now
        buf += data
        while len(buf) >= 8:
            (n,) = struct.unpack_from("!Q", buf)
            buf = buf[8:]
            if n != echoed:
                in_order = False
            echoed += 1
    retrans = total_retrans(s)
    s.close()
    ok = closed and in_order and echoed == sent and not buf
    if max_wait_ms is not None and longest * 1000 > max_wait_ms:
        ok = False
    print(f"sent {sent}, echoed {echoed}{' in order' if in_order else ' OUT OF ORDER'}"
          f"{'' if closed else ', no clean close'}, longest wait between echoes"
          f" {longest * 1000:.0f} ms, retransmitted segments {retrans}", flush=True)
    return 0 if ok else 1


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        return serve(int(sys.argv[2]), float(sys.argv[3]))
    if len(sys.argv) in (6, 7) and sys.argv[1] == "send":
        return send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]),
                    float(sys.argv[6]) if len(sys.argv) == 7 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
