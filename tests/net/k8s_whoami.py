#!/usr/bin/python3
"""k8s_whoami.py NAME PORT SECONDS - a TCP server for the Kubernetes
scenarios: every connection gets one line, "NAME PEER_ADDRESS", and is
closed. So a client learns which backend answered and as whom it was seen
(the source after any masquerade). Listens on 0.0.0.0:PORT of the network
namespace it runs in, and exits by itself after SECONDS (every test loop is
bounded)."""
import socket
import sys
import time


def main():
    name, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(128)
    srv.settimeout(0.5)
    print(f"listening {name} :{port}", flush=True)
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            conn, peer = srv.accept()
        except socket.timeout:
            continue
        try:
            conn.sendall(f"{name} {peer[0]}\n".encode())
        except OSError:
            pass
        conn.close()


if __name__ == "__main__":
    main()
