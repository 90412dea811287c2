#!/bin/bash
# check_feeder.sh - GoBGP receives exactly the routes bench/feeder says it
# sends: the test behind the route ingestion figures (issue: "the feeder may
# be a tool of ours, as long as a test shows that GoBGP receives exactly the
# routes it claims to send").
#
#   bench/check_feeder.sh [-n N]        (default 1000; root; bn2-cf namespace)
#
# The feeder sends N routes with non-default VNI, addresses, MACs, RD and RT
# to a real gobgpd. Checks, each independent of the feeder's code:
#   1 the feeder reports N routes sent and End-of-RIB
#   2 GoBGP's neighbor counts N routes received and N accepted
#   3 GoBGP's EVPN RIB has exactly N destinations
#   4 the set of (RD, MAC, IP, label) in GoBGP's RIB equals the set computed
#     here from the numbering (route i: MAC mac-base + i, IP base + i)
#   5 routes 0, 1, 255, 256, N-1 carry next hop, AS_PATH, ORIGIN, the route
#     target and the VXLAN encapsulation community as sent
# Prints "check_feeder: P passed, F failed"; exit 1 if any failed.
# jq programs are single-quoted on purpose.
# shellcheck disable=SC2016
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=1000
[ "${1:-}" = -n ] && N=$2
[ "$(id -u)" = 0 ] || { echo "check_feeder: needs root" >&2; exit 2; }
OUT=${OUT:-$ROOT/bench/out}
mkdir -p "$OUT"
export BN_PFX=${BN_PFX:-bn2} BN_RUN=${BN_RUN:-/run/vtepd-bench2}
BN_NS_ALL="$BN_PFX-cf"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/peers.sh
. "$ROOT/bench/peers.sh"
NS=$BN_PFX-cf
LOG=$OUT/check_feeder.jsonl
[ -x "$BN_FEEDER" ] || bn_die "no $BN_FEEDER (make bench-tools)"
command -v gobgpd >/dev/null || bn_die "gobgpd missing (make deps)"

# What is sent: every field away from the feeder's defaults.
VNI_T=5000 BASE_T=10.20.0.0 MAC_T=02:c0:00:00:10:00 NH_T=198.51.100.7
RD_T=198.51.100.7:77 RT_T=65001:5000

pass=0 fail=0
check() {
	local what=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "ok   $what"
	else fail=$((fail + 1)); echo "FAIL $what"; fi
}

trap peers_cleanup EXIT
trap 'exit 130' INT TERM
peers_cleanup
peer_ns "$NS" || bn_die "namespace"
peer_gobgp_start "$NS" || bn_die "gobgpd did not start"
peer_feeder "$NS" "$LOG" -n "$N" --vni $VNI_T --base $BASE_T --mac-base $MAC_T \
	--nexthop $NH_T --rd $RD_T --rt $RT_T
# Until GoBGP has N, or has stopped changing for 5 s after End-of-RIB.
last=-1 still=0
for ((i = 0; i < 600 && still < 50; i++)); do
	c=$(peer_gobgp_count "$NS")
	if [ "$c" = "$last" ] && [ -n "$(peer_event "$LOG" sent)" ]; then
		still=$((still + 1))
		[ "$c" = "$N" ] && still=$((still + 10))
	else
		still=0
	fi
	last=$c
	sleep 0.1
done

sent=$(peer_event "$LOG" sent)
nb=$(peer_gobgp "$NS" -j neighbor "$PEER_TX")
peer_gobgp "$NS" -j global rib -a evpn >"$OUT/check_feeder-rib.json"
echo "feeder: ${sent:-no sent event}"
echo "gobgp: $(jq -c '.afi_safis[0].state | {received, accepted}' <<<"$nb")"

check "feeder sent $N routes" jq -e --argjson n "$N" '.routes == $n' <<<"${sent:-null}" >/dev/null
check "gobgp received and accepted $N" jq -e --argjson n "$N" \
	'[.afi_safis[].state | select(.family.afi == 25)][0] | .received == $n and .accepted == $n' \
	<<<"$nb" >/dev/null
check "gobgp RIB holds $N destinations" jq -e --argjson n "$N" 'length == $n' \
	"$OUT/check_feeder-rib.json" >/dev/null

# The expected set, built in jq from the numbering alone.
# shellcheck disable=SC2016
JQ_EXPECT='
	def hex2: [(. / 16 | floor), (. % 16)] | map("0123456789abcdef"[.:. + 1]) | join("");
	def ip4($base): ($base | split(".") | map(tonumber) |
		.[0] * 16777216 + .[1] * 65536 + .[2] * 256 + .[3]) as $b | ($b + .) as $v |
		[($v / 16777216 | floor), ($v / 65536 | floor) % 256, ($v / 256 | floor) % 256, $v % 256] |
		map(tostring) | join(".");
	def mac($base): ($base | split(":") | map(explode | map(if . >= 97 then . - 87 else . - 48 end) |
		.[0] * 16 + .[1])) as $m |
		(($m[2] * 16777216 + $m[3] * 65536 + $m[4] * 256 + $m[5]) + .) as $v |
		[$m[0], $m[1], ($v / 16777216 | floor) % 256, ($v / 65536 | floor) % 256,
		 ($v / 256 | floor) % 256, $v % 256] | map(hex2) | join(":");
	def want($i): {rd: $rd, mac: ($i | mac($macb)), ip: ($i | ip4($base)), labels: [$vni]};'
got_set() {
	jq -c '[.[][] | select(.best) | .nlri.value |
		{rd: "\(.rd.admin):\(.rd.assigned)", mac, ip, labels}] | sort' "$OUT/check_feeder-rib.json"
}
want_set() {
	jq -nc --argjson n "$N" --arg rd "$RD_T" --arg macb "$MAC_T" --arg base "$BASE_T" \
		--argjson vni "$VNI_T" "$JQ_EXPECT"' [range(0; $n) | want(.)] | sort'
}
check "the (RD, MAC, IP, label) set is exactly the one sent" \
	test "$(got_set)" = "$(want_set)"

spot() {
	local i=$1 w
	w=$(jq -nc --argjson i "$i" --arg rd "$RD_T" --arg macb "$MAC_T" --arg base "$BASE_T" \
		--argjson vni "$VNI_T" "$JQ_EXPECT"' want($i)')
	jq -e --argjson w "$w" --arg nh "$NH_T" --arg rt "$RT_T" --argjson asn "$PEER_TX_AS" '
		[.[][] | select(.nlri.value as $v | $v.mac == $w.mac and $v.ip == $w.ip)] |
		length == 1 and (.[0] | (.attrs | map({key: (.type | tostring), value: .}) |
			from_entries) as $a |
		.nlri.value.labels == $w.labels and
		"\(.nlri.value.rd.admin):\(.nlri.value.rd.assigned)" == $w.rd and
		$a["14"].nexthop == $nh and $a["1"].value == 0 and
		$a["2"].as_paths == [{segment_type: 2, num: 1, asns: [$asn]}] and
		any($a["16"].value[]; .subtype == 2 and .value == $rt) and
		any($a["16"].value[]; .subtype == 12 and .tunnel_type == 8))' \
		"$OUT/check_feeder-rib.json" >/dev/null
}
for i in 0 1 255 256 $((N - 1)); do
	check "route $i: RD, MAC, IP, label, next hop, AS_PATH, ORIGIN, RT, VXLAN encap" spot "$i"
done

echo "check_feeder: $pass passed, $fail failed"
[ $fail = 0 ]
