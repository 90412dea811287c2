#!/bin/sh
# Installs every Debian package vtepd needs to build, test, demo and bench.
# Non-interactive and idempotent: packages already present are skipped by apt.
set -eu
PKGS="make gcc pkg-config clang clang-19 llvm-19 lld-19 libclang-rt-19-dev \
 libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev \
 libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libjson-c-dev libmicrohttpd-dev check libsubunit-dev \
 iproute2 iputils-ping tcpdump iperf3 jq curl netcat-openbsd python3 procps util-linux \
 nftables gobgpd frr prometheus gnuplot-nox \
 containernetworking-plugins podman runc busybox-static iptables conntrack yamllint"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm validate the Kubernetes manifests (tests/k8s_deploy.sh).
# A Node.js already on the machine (possibly not Debian's, with its own npm)
# is used as it is; Debian's packages only when there is none.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then echo "install-deps: need root to install:$missing" >&2; exit 1; fi
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
