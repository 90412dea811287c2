#!/bin/bash
# run.sh - `make bench`: vtepd's datapath figures, never a pass/fail on time.
#
#   bench/run.sh [--quick] [--only PART[,PART...]] [--routes "1000 100000 1000000"]
#                [--seconds S] [--runs K] [--tcp-runs K] [--no-build]
#   PART: progcost fwd tcp ingest mobility frrfdb pods check (default: all)
#
#   progcost  ns per packet of each verdict path (ARP reply, local delivery,
#             encapsulation, decapsulation, each drop) with 1k, 100k and 1M
#             routes, against an empty program, vtepd's uplink in the mode
#             uplink_attach auto picks; then (not with --quick) the uplink
#             paths in the other mode at the largest route count, or a
#             record of why that mode cannot run here (bench/progcost.sh)
#   fwd       forwarding rate, 64-byte UDP workload to workload across
#             hosts: vtepd (uplink_attach auto, tc, xdp) vs kernel bridge +
#             VXLAN vs a routed veth (bench/fwd.sh)
#   tcp       TCP throughput (iperf3, several streams) for the same systems
#             on the same topology (bench/tcp.sh)
#   ingest    EVPN routes per second over one BGP session into vtepd,
#             gobgpd and FRR bgpd, 100k and 1M routes (bench/ingest.sh)
#   mobility  1,000 moves of a workload: UPDATE-to-map p50/p99 and ping
#             loss per move (bench/mobility.sh)
#   frrfdb    100k MACs put in an FRR leaf's bridge FDB with one `bridge
#             -batch`: time until vtepd's vtep_fdb holds them all (and
#             FRR's share), then the same for a flush (bench/frr_fdb.sh)
#   pods      pod setup latency (ADD to first packet, p50/p99 over 100
#             pods) and 100 concurrent ADDs, vtepd-cni against Debian's
#             bridge + host-local; the Service fix's cost per packet
#             (bench/pods.sh; pods.md beside results.md)
#   check     GoBGP receives exactly what the feeder sends (check_feeder.sh)
# --runs sets the rounds of fwd and tcp, --tcp-runs those of tcp alone.
# --no-build uses the binaries already in build/ (make all bench-tools).
# Results: bench/out/results.json and bench/out/results.md (the raw records
# beside them). --quick runs a few paths on 1k routes with small frame counts
# in a few seconds: the end-to-end check that the bench still works (`make
# bench-quick`); its exit status says only whether the bench ran.
#
# Needs root (namespaces, bpffs, BPF). Creates only bn-*, bn2-* and bn3-*
# namespaces, /run/vtepd-bench, /run/vtepd-bench2 and /run/vtepd-bench3,
# FRR instances under /etc/frr/bn[23]-* and /var/run/frr/bn[23]-* (with
# BN_PFX=P and BN_RUN=D in the environment, every part uses P-* and D
# instead, one part after another), and
# removes them when it ends.
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
tcp_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; pc_args+=(--quick); fw_args+=(--quick); tcp_args+=(--quick); shift ;;
	--only) only=$2; shift 2 ;;
	--routes) pc_args+=(--routes "$2"); fw_args+=(--routes "${2##* }"); tc_routes=${2##* }
		shift 2 ;;
	--seconds) pc_args+=(--seconds "$2"); fw_args+=(--seconds "$2"); shift 2 ;;
	--runs) fw_args+=(--runs "$2"); tcp_args+=(--runs "$2"); shift 2 ;;
	--tcp-runs) tcp_args+=(--runs "$2"); shift 2 ;;
	--no-build) build=0; shift ;;
	-h|--help) sed -n '2,39p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "bench/run.sh: needs root" >&2; exit 2; }
for t in jq bpftool nsenter ip tc bridge iperf3 gobgpd gobgp vtysh ping; do
	command -v $t >/dev/null || { echo "bench/run.sh: $t missing (make deps)" >&2; exit 2; }
done

if [ $build = 1 ]; then
	# make gets BUILD as the Makefile's own runs spell it (relative to
	# ROOT when inside it): the compiler's .d files name their targets the
	# way they were built, so an absolute BUILD would match none of the
	# header dependencies a default build wrote, and objects whose headers
	# changed would not be rebuilt (a stale struct layout: vtepd crashed).
	make --no-print-directory -C "$ROOT" BUILD="${BUILD#"$ROOT"/}" all bench-tools >&2 || exit 1
fi
mkdir -p "$OUT"
want() { [ -z "$only" ] || [[ ,$only, == *,$1,* ]]; }
# The records of the parts that run now; with --only, the other parts'
# records stay and the report keeps their figures.
for part in progcost fwd tcp ingest mobility frrfdb pods check; do
	want $part && rm -f "$OUT/$part.jsonl"
done
want check && rm -f "$OUT/checks.jsonl"
rm -f "$OUT"/results.json "$OUT"/results.md "$OUT"/plot.png "$OUT"/vtepd-*.log
# Run a snapshot of the binaries: the tree may be rebuilt (or cleaned) while
# the bench runs, and every figure should come from one vtepd.
rm -rf "${OUT:?}/bin" && mkdir -p "$OUT/bin/bench" &&
cp "$BUILD/vtepd" "$BUILD/vtepctl" "$OUT/bin/" &&
cp "$BUILD"/bench/gen "$BUILD"/bench/fill "$BUILD"/bench/feeder "$BUILD"/bench/kcount \
	"$BUILD"/bench/memlat "$BUILD"/bench/floorload "$BUILD"/bench/*.bpf.o \
	"$OUT/bin/bench/" || exit 1
BUILD=$OUT/bin
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
bn_meta > "$OUT/meta.json"

status=0
t0=$SECONDS
if want progcost; then
	"$ROOT/bench/progcost.sh" "${pc_args[@]}" "$OUT/progcost.jsonl" || status=1
	# The uplink paths in the mode the first run (uplink_attach auto) did
	# not measure, at the largest route count: the XDP-vs-TC comparison of
	# docs/design.md. Where auto ran TC (a veth uplink) that is XDP, which
	# progcost.sh records as skipped, with the reason, on a kernel that
	# cannot run it.
	ran=$(jq -r 'select(.kind == "progcost" and .skipped == null) | .uplink_mode // empty' \
		"$OUT/progcost.jsonl" 2>/dev/null | sort -u)
	other=
	case $ran in xdp) other=tc ;; tc) other=xdp ;; esac
	if [ $quick = 0 ] && [ -n "$other" ]; then
		"$ROOT/bench/progcost.sh" "${pc_args[@]}" --uplink "$other" --paths uplink \
			--routes "$tc_routes" "$OUT/progcost.jsonl" || status=1
	fi
fi
if want fwd; then
	"$ROOT/bench/fwd.sh" "${fw_args[@]}" "$OUT/fwd.jsonl" || status=1
fi
if want tcp; then
	"$ROOT/bench/tcp.sh" "${tcp_args[@]}" "$OUT/tcp.jsonl" || status=1
fi
if want check; then
	# The feeder behind the ingestion figures sends what it says.
	cmd="bench/check_feeder.sh -n 1000"
	OUT=$OUT "$ROOT/bench/check_feeder.sh" -n 1000 > "$OUT/check_feeder.txt" 2>&1 || status=1
	sed -n 's/^check_feeder: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$OUT/check_feeder.txt" |
		{ read -r p f; jq -nc --arg c "$cmd" --argjson p "${p:-0}" --argjson f "${f:-1}" \
			'{kind: "check", name: "GoBGP receives exactly the routes the feeder sends", command: $c,
			  passed: $p, failed: $f}'; } >> "$OUT/checks.jsonl"
	tail -n 1 "$OUT/check_feeder.txt" >&2
fi
if want ingest; then
	"$ROOT/bench/ingest.sh" $([ $quick = 1 ] && echo --quick) "$OUT/ingest.jsonl" || status=1
fi
if want mobility; then
	"$ROOT/bench/mobility.sh" $([ $quick = 1 ] && echo --quick) "$OUT/mobility.jsonl" || status=1
fi
if want pods; then
	"$ROOT/bench/pods.sh" $([ $quick = 1 ] && echo --quick) "$OUT/pods.jsonl" || status=1
fi
if want frrfdb; then
	"$ROOT/bench/frr_fdb.sh" $([ $quick = 1 ] && echo --quick) "$OUT/frrfdb.jsonl" || status=1
fi
"$ROOT/bench/report.sh" "$OUT" "$([ $quick = 1 ] && echo quick || echo full)" || status=1
# Did it run end to end? Rows present and traffic through every path; a
# verdict mismatch is reported in the tables, a time is never judged.
if [ -s "$OUT/results.json" ] && ! jq -e --arg only ",${only:-progcost,fwd,tcp,ingest,mobility,frrfdb,check}," '
	def want($p): $only | contains(",\($p),");
	(if want("progcost") then (.progcost | length > 0) and all(.progcost[]; .packets > 0) else true end) and
	(if want("fwd") then (.fwd | length > 0) and all(.fwd[]; .received > 0) and
	 all(.fwd[] | select(.system | startswith("vtepd") and (endswith("_b") | not));
	     .uplink_mode != null) else true end) and
	(if want("tcp") then (.tcp | length > 0) and all(.tcp[]; .bytes > 0) else true end) and
	(if want("ingest") then (.ingest | length > 0) and all(.ingest[]; .held > 0) else true end) and
	(if want("mobility") then (.mobility.measured // 0) > 0 else true end) and
	(if want("frrfdb") then (.frrfdb | length > 0) and all(.frrfdb[]; (.add.maps_last // 0) > 0)
	 else true end) and
	(if want("check") then (.checks | length > 0) and all(.checks[]; .failed == 0) else true end)' \
	"$OUT/results.json" >/dev/null; then
	echo "bench: some measurement carried no traffic (see $OUT/results.json)" >&2
	status=1
fi
# The pods part's table (its records are in pods.jsonl).
if [ -s "$OUT/pods.jsonl" ]; then
	jq -rs '"\n## Pods (bench/pods.sh)\n\n| measurement | system | value |\n|---|---|---|",
		(.[] | if .kind == "pods_latency" then
			"| ADD to first packet (\(.pods) pods) | \(.system) | p50 \(.p50_ms) ms, p99 \(.p99_ms) ms |"
		elif .kind == "pods_concurrent" then
			"| \(.adds) concurrent ADDs (then DELs) | \(.system) | \(.add_ms) ms (\(.del_ms) ms), \(.ok) ok |"
		else "| uplink program per packet | \(.case) | \(.ns) ns (\(.packets) packets) |" end)' \
		"$OUT/pods.jsonl" >"$OUT/pods.md" && cat "$OUT/pods.md" >>"$OUT/results.md"
fi
echo "bench: $((SECONDS - t0)) s; results in $OUT/results.md and results.json" >&2
[ -s "$OUT/results.md" ] && cat "$OUT/results.md"
exit $status
