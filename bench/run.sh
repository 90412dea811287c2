#!/bin/bash
# run.sh - `make bench`: vtepd's datapath figures, never a pass/fail on time.
#
#   bench/run.sh [--quick] [--only progcost|fwd] [--routes "1000 100000 1000000"]
#                [--seconds S] [--runs K] [--no-build]
#
#   progcost  ns per packet of each verdict path (ARP reply, local delivery,
#             encapsulation, decapsulation, each drop) with 1k, 100k and 1M
#             routes, against an empty program (bench/progcost.sh)
#   fwd       forwarding rate, 64-byte UDP workload to workload across
#             hosts: vtepd vs kernel bridge + VXLAN vs a routed veth
#             (bench/fwd.sh)
# --no-build uses the binaries already in build/ (make all bench-tools).
# Results: bench/out/results.json and bench/out/results.md (the raw records
# beside them). --quick runs a few paths on 1k routes with small frame counts
# in a few seconds: the end-to-end check that the bench still works (`make
# bench-quick`); its exit status says only whether the bench ran.
#
# Needs root (namespaces, bpffs, BPF). Creates only bn-* namespaces and
# /run/vtepd-bench, and removes them when it ends.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/bench/out
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD

quick=0
only=""
build=1
tc_routes=1000000
pc_args=()
fw_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; pc_args+=(--quick); fw_args+=(--quick); shift ;;
	--only) only=$2; shift 2 ;;
	--routes) pc_args+=(--routes "$2"); fw_args+=(--routes "${2##* }"); tc_routes=${2##* }
		shift 2 ;;
	--seconds) pc_args+=(--seconds "$2"); fw_args+=(--seconds "$2"); shift 2 ;;
	--runs) fw_args+=(--runs "$2"); shift 2 ;;
	--no-build) build=0; shift ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root" >&2; exit 2; }
for t in jq bpftool nsenter ip tc bridge; do
	command -v $t >/dev/null || { echo "bench/run.sh: $t missing (make deps)" >&2; exit 2; }
done

if [ $build = 1 ]; then
	make --no-print-directory -C "$ROOT" BUILD="$BUILD" all bench-tools >&2 || exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT"/progcost.jsonl "$OUT"/fwd.jsonl "$OUT"/results.json "$OUT"/results.md "$OUT"/vtepd-*.log
# Run a snapshot of the binaries: the tree may be rebuilt (or cleaned) while
# the bench runs, and every figure should come from one vtepd.
rm -rf "${OUT:?}/bin" && mkdir -p "$OUT/bin/bench" &&
cp "$BUILD/vtepd" "$BUILD/vtepctl" "$OUT/bin/" &&
cp "$BUILD"/bench/gen "$BUILD"/bench/fill "$BUILD"/bench/*.bpf.o "$OUT/bin/bench/" || exit 1
BUILD=$OUT/bin
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
bn_meta > "$OUT/meta.json"

status=0
t0=$SECONDS
if [ -z "$only" ] || [ "$only" = progcost ]; then
	"$ROOT/bench/progcost.sh" "${pc_args[@]}" "$OUT/progcost.jsonl" || status=1
	# The uplink in TC mode (no XDP half): decapsulation and delivery by
	# one TC program, for the DESIGN.md XDP-vs-TC comparison.
	[ $quick = 1 ] || "$ROOT/bench/progcost.sh" "${pc_args[@]}" --uplink tc --paths uplink \
		--routes "$tc_routes" "$OUT/progcost.jsonl" || status=1
fi
if [ -z "$only" ] || [ "$only" = fwd ]; then
	"$ROOT/bench/fwd.sh" "${fw_args[@]}" "$OUT/fwd.jsonl" || status=1
fi
"$ROOT/bench/report.sh" "$OUT" "$([ $quick = 1 ] && echo quick || echo full)" || status=1
# Did it run end to end? Rows present and traffic through every path; a
# verdict mismatch is reported in the tables, a time is never judged.
if [ -s "$OUT/results.json" ] && ! jq -e --arg only "$only" '
	(if $only == "fwd" then true else
	  (.progcost | length > 0) and all(.progcost[]; .packets > 0) end) and
	(if $only == "progcost" then true else
	  (.fwd | length > 0) and all(.fwd[]; .received > 0) end)' \
	"$OUT/results.json" >/dev/null; then
	echo "bench: some measurement carried no traffic (see $OUT/results.json)" >&2
	status=1
fi
echo "bench: $((SECONDS - t0)) s; results in $OUT/results.md and results.json" >&2
[ -s "$OUT/results.md" ] && cat "$OUT/results.md"
exit $status
