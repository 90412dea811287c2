#!/bin/bash
# plot.sh - OUTDIR/plot.png from OUTDIR/results.json (gnuplot): forwarding
# rate and program cost against the number of routes loaded.
#
#   bench/plot.sh OUTDIR
#
# Left: packets per second received across hosts (median, min-max bars);
# vtepd in its default configuration (uplink_attach auto: `vtepd` and
# `vtepd_routes`) at the routes it had loaded (1 = the one static route, N =
# with bench/fill's N extra), the kernel bridge + VXLAN and the routed veth as
# lines (their cost does not depend on vtepd's tables). Right: ns per packet
# of vtepd's main verdict paths at 1k, 100k and 1M routes (decap in the XDP
# uplink, decap_tc in the TC one: whichever ran), with the empty TC
# program's floor. Third: ns per packet of encapsulation and ARP reply
# against the destinations in use (the working-set table: uniform and Zipf),
# with the 1k-route encapsulation cost plus one memory load at random in a
# table of that many route elements (bench/memlat) as the reference line.
set -eu
OUT=$1
J=$OUT/results.json
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

jq -r '.fwd_summary[] | select((.system == "vtepd" or .system == "vtepd_routes") and .skipped == null) |
	"\(if .routes > 0 then .routes else 1 end) \(.rx_pps_median / 1e6) \(.rx_pps_min / 1e6) \(.rx_pps_max / 1e6)"' \
	"$J" | sort -n > "$D/vtepd.dat"
line() { jq -r --arg s "$1" '.fwd_summary[] | select(.system == $s and .skipped == null) | .rx_pps_median / 1e6' "$J"; }
routed=$(line routed)
bridge=$(line bridge_vxlan)
paths="encap arp_reply decap decap_tc local drop_no_route"
for p in $paths; do
	jq -r --arg p "$p" '.progcost_summary[] | select(.path == $p) | .by_routes | to_entries[] |
		select(.value.ns_per_pkt != null) | "\(.key) \(.value.ns_per_pkt)"' "$J" | sort -n > "$D/$p.dat"
done
floor=$(jq -r '.floor.floor_tc // empty' "$J")
for c in encap_uniform encap_zipf arp_reply_uniform arp_reply_zipf; do
	jq -r --arg c "$c" '.working_sets[]? | select(.[$c] != null) | "\(.working_set) \(.[$c])"' \
		"$J" | sort -n > "$D/ws_$c.dat"
done
jq -r '(.progcost_summary[]? | select(.path == "encap") | .by_routes["1000"].ns_per_pkt) as $e |
	if $e then (.working_sets[]? | select(.memlat_4k_ns != null) |
	"\(.working_set) \($e + .memlat_4k_ns)") else empty end' "$J" | sort -n > "$D/ws_ref.dat"

have_fwd=$([ -s "$D/vtepd.dat" ] && echo 1 || echo 0)
have_pc=0
for p in $paths; do [ -s "$D/$p.dat" ] && have_pc=1; done
have_ws=$([ -s "$D/ws_encap_uniform.dat" ] && echo 1 || echo 0)
if [ "$have_fwd" = 0 ] && [ "$have_pc" = 0 ]; then
	echo "bench: no forwarding or program cost figures to plot" >&2
	exit 0
fi
{
	echo "set terminal pngcairo size $((700 * (have_fwd + have_pc + have_ws))),560 font 'DejaVu Sans,11'"
	echo "set output '$OUT/plot.png'"
	echo "set multiplot layout 1,$((have_fwd + have_pc + have_ws)) title 'vtepd bench: $(jq -r '"\(.meta.date), \(.meta.cpus) CPUs, kernel \(.meta.kernel)"' "$J")'"
	echo "set logscale x; set xrange [0.5:3e6]; set grid"
	echo "set format x '10^{%L}'; set key bottom left"
	echo "set xlabel 'routes loaded'; set ylabel 'Mpps received (64-byte UDP)'"
	if [ "$have_fwd" = 1 ]; then
		echo "set title 'Forwarding rate, workload to workload across hosts'"
		echo "set yrange [0:*]"
		plot="plot '$D/vtepd.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'vtepd (uplink\\_attach auto)'"
		[ -n "$routed" ] && plot+=", $routed with lines lw 2 dt 2 lc rgb '#009e73' title 'routed veth (reference)'"
		[ -n "$bridge" ] && plot+=", $bridge with lines lw 3 dt 4 lc rgb '#d55e00' title 'bridge + VXLAN (kernel)'"
		echo "$plot"
	fi
	echo "set title 'Program cost per verdict path'"
	echo "set xrange [500:2e6]; set ylabel 'ns per packet (bpf\\_stats)'; set key top left"
	plot="plot"
	sep=""
	for p in $paths; do
		[ -s "$D/$p.dat" ] || continue
		plot+="$sep '$D/$p.dat' using 1:2 with linespoints lw 2 pt 7 title '${p//_/\\_}'"
		sep=","
	done
	[ -n "$floor" ] && plot+="$sep $floor with lines dt 2 lw 2 title 'empty TC program (floor)'"
	[ "$have_pc" = 1 ] && echo "$plot"
	if [ "$have_ws" = 1 ]; then
		echo "set title 'Cost per packet against the destinations in use'"
		echo "set xrange [500:2e6]; set xlabel 'active destinations ($(jq -r '[.working_sets[].routes_loaded] | max' "$J") routes loaded)'"
		echo "set ylabel 'ns per packet (bpf\\_stats)'; set key top left"
		plot="plot '$D/ws_encap_uniform.dat' using 1:2 with linespoints lw 2 pt 7 title 'encap, uniform'"
		plot+=", '$D/ws_encap_zipf.dat' using 1:2 with linespoints lw 2 pt 5 title 'encap, Zipf'"
		plot+=", '$D/ws_arp_reply_uniform.dat' using 1:2 with linespoints lw 2 pt 9 title 'ARP reply, uniform'"
		plot+=", '$D/ws_arp_reply_zipf.dat' using 1:2 with linespoints lw 2 pt 11 title 'ARP reply, Zipf'"
		[ -s "$D/ws_ref.dat" ] &&
			plot+=", '$D/ws_ref.dat' using 1:2 with lines dt 2 lw 2 title 'encap at 1k routes + one random load'"
		echo "$plot"
	fi
	echo "unset multiplot"
} > "$D/plot.gp"
gnuplot "$D/plot.gp"
