#!/bin/bash
# report.sh - turn the measurement records into bench/out/results.json and
# results.md.
#
#   bench/report.sh OUTDIR MODE
#
# Reads OUTDIR/meta.json and the JSON lines of OUTDIR/{progcost,fwd,tcp,
# ingest,mobility,frrfdb,checks}.jsonl (any may be missing), writes
# OUTDIR/results.json (every record, plus per-path and per-system summaries
# and the ratios between systems), OUTDIR/results.md (the same as tables)
# and, with gnuplot, OUTDIR/plot.png (bench/plot.sh). Figures only: nothing
# here judges a time.
set -eu
OUT=$1
MODE=${2:-full}

records() { [ -s "$1" ] && jq -s . "$1" || echo '[]'; }

jq -n --argjson meta "$(cat "$OUT/meta.json")" --arg mode "$MODE" \
	--argjson pc "$(records "$OUT/progcost.jsonl")" \
	--argjson fw "$(records "$OUT/fwd.jsonl")" \
	--argjson tcp "$(records "$OUT/tcp.jsonl")" \
	--argjson ing "$(records "$OUT/ingest.jsonl")" \
	--argjson mob "$(records "$OUT/mobility.jsonl")" \
	--argjson chk "$(records "$OUT/checks.jsonl")" \
	--argjson ffd "$(records "$OUT/frrfdb.jsonl")" '
	def median: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r3: if . == null then null else (. * 1000 | round) / 1000 end;
	def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else ($a / $b) | r3 end;
	def uniq_by_order: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
	# {median, min, max} of the non-null values (2 decimals), or null.
	def mmr: map(select(. != null)) | if length == 0 then null
		else {median: median, min: min, max: max} | map_values(. * 100 | round / 100) end;
	# Systems in a fixed order (kernel references first, then vtepd per
	# uplink_attach), variants (_jumbo, _b) after their base, others last.
	def sys_rank: . as $s | ($s | sub("_jumbo$"; "") | sub("_b$"; "")) as $b |
		(["routed", "bridge_vxlan", "vtepd", "vtepd6", "vtepd_tc", "vtepd_xdp", "vtepd_routes"] | index($b)) as $i |
		[($s | endswith("_jumbo") | if . then 1 else 0 end), ($i // 99), ($s != $b), $s];
	# A system skipped (only a vtepd configured "xdp" where the XDP uplink
	# cannot run is) keeps a row that says why.
	def skipped_row: {system, skipped, uplink_attach: "xdp"};
	# The comparisons the report states: each vtepd system against the
	# references of its own MTU (routed_jumbo for vtepd_jumbo...).
	def pairs($systems): [$systems[] | select(startswith("vtepd")) | . as $a |
		(if endswith("_jumbo") then "_jumbo" else "" end) as $x |
		("routed", "bridge_vxlan") | [$a, . + $x]];
	# ratios($rows; value): {A_over_B: median(A) / median(B)}, or the reason
	# A was skipped ("skipped: ...").
	def ratios($rows; f):
		($rows | map({key: .system, value: .}) | from_entries) as $by |
		pairs([$rows[].system]) | map({key: "\(.[0])_over_\(.[1])", value:
			(if $by[.[0]].skipped then "skipped: \($by[.[0]].skipped)"
			 else ratio($by[.[0]] | f; $by[.[1]] | f) end)}) | from_entries;
	# round_ratios($recs; value): A / B within each round (the systems of a
	# round run back to back), {median, min, max, rounds}.
	def round_ratios($recs; f):
		pairs([$recs[].system] | uniq_by_order) | map(. as [$a, $b] | {key: "\($a)_over_\($b)", value:
			(([$recs[] | select(.system == $a)] | map(. as $x | ($recs[] |
			  select(.system == $b and .run == $x.run) | f) as $d |
			  if $d and $d > 0 and ($x | f) != null then ($x | f) / $d else empty end)) |
			 if length == 0 then null else
			 {median: (median | r3), min: (min | r3), max: (max | r3), rounds: length} end)}) |
		from_entries;
	($pc | map(select(.kind == "progcost" and .skipped == null and .working_set == null))) as $rows |
	($pc | map(select(.kind == "progcost" and .skipped == null and .working_set != null))) as $ws |
	($pc | map(select(.kind == "memlat"))) as $ml |
	($rows | map(select(.path | startswith("floor_") or startswith("encap_floor")))) as $floors |
	{
	  meta: ($meta + {mode: $mode}),
	  method: {
	    progcost: "kernel.bpf_stats_enabled=1; run_time_ns and run_cnt of each program on the path read with `bpftool -j prog show` before and after a generator run; ns_per_pkt = sum of the programs time deltas / packets that entered the path (run_cnt delta of its first program). Verdict checked against the vtep_stats counter deltas.",
	    floor: "floor_tc: an empty TC program (TC_ACT_OK) on a workload port clsact ingress, same frames; floor_xdp: XDP_PASS on the receiving veth end. What the accounting itself reports per run. encap_floor: the least a TC program that encapsulates in VXLAN does (bench/floor.bpf.c: no lookups, bpf_skb_adjust_room with the datapath flags, every header written, bpf_redirect to the uplink); encap_floor_noadj: the same headers written in place, without bpf_skb_adjust_room.",
	    fwd: "64-byte UDP (60 bytes + FCS) from a workload on host 1 to a workload on host 2, generated with BPF_PROG_TEST_RUN live frames on one CPU (gen_mode live) or, where the kernel refuses live frames, with an AF_XDP socket on CPU 1 through an XDP relay while the whole path runs in a NAPI thread bound to CPU 0 (gen_mode xsk); rate = frames received by the far workload / generator run time, bpf_stats off (bpf_stats_on says whether another process had them on). path_cpu_ns_per_pkt (xsk): CPU 0 time of the path per received packet, independent of the share of CPU 0 other jobs took. Systems: routed veth, bridge + VXLAN, vtepd with uplink_attach auto (`vtepd`; `vtepd_routes` with the extra routes loaded), tc (`vtepd_tc`) and xdp (`vtepd_xdp`), each built from scratch for each run, alternated within each round (even rounds in reverse order); uplink_mode is what vtepd chose (vtepctl -j status on both hosts)."
	  },
	  napi_check: ($pc | map(select(.kind == "napi_check")) | first),
	  fill: ($pc | map(select(.kind == "fill"))),
	  map_counts: ($pc | map(select(.kind == "map_count"))),
	  progcost: $rows,
	  progcost_skipped: ($pc | map(select(.kind == "progcost" and .skipped != null) |
	    {uplink_attach, skipped})),
	  progcost_uplink: ($rows | map(select(.uplink_mode != null) | {uplink_attach, uplink_mode, uplink_reason}) |
	    unique),
	  progcost_summary: ([$rows[].path] | reduce .[] as $p ([]; if index([$p]) then . else . + [$p] end)
	    | map(. as $p | $rows | map(select(.path == $p)) | {
	    path: .[0].path, expect: .[0].expect,
	    by_routes: (map({key: (.routes | tostring), value: {ns_per_pkt, verdict_ok, packets}}) | from_entries),
	    programs_at_largest: (max_by(.routes) | .programs | map({name, ns_per_run}))
	  })),
	  # IPv6 paths beside their IPv4 twins, per route count (progcost.sh).
	  progcost_v6: ([["encap6", "encap"], ["local6", "local"], ["nd_reply_gw", "arp_reply_gw"],
	      ["nd_reply", "arp_reply"], ["icmp6_echo_gw", "icmp_echo_gw"], ["decap6", "decap"],
	      ["decap6_tc", "decap_tc"]] |
	    map(. as [$six, $four] | [$rows[].routes] | unique | map(. as $r |
	      ($rows | map(select(.path == $six and .routes == $r)) | first | .ns_per_pkt) as $b |
	      ($rows | map(select(.path == $four and .routes == $r)) | first | .ns_per_pkt) as $a |
	      select($a != null or $b != null) |
	      {ipv6: $six, ipv4: $four, routes: $r, ipv4_ns: $a, ipv6_ns: $b, ratio: ratio($b; $a)})) |
	    add // []),
	  floor: ($floors | group_by(.path) | map({key: .[0].path,
	    value: ([.[].ns_per_pkt | select(. != null)] | median)}) | from_entries),
	  # The working-set table: per W active destinations (of routes_loaded),
	  # ns per packet of encap and arp_reply, uniform and Zipf, beside the
	  # latency of one dependent load in a table of W route-map elements.
	  working_sets: ([$ws[].working_set] | unique | map(. as $w |
	    ($ws | map(select(.working_set == $w))) as $r |
	    ($ml | map(select(.entries == $w))) as $m |
	    def cost($p; $d): [$r[] | select(.path == $p and .dist == $d and .route_cache != "off") | .ns_per_pkt] | median;
	    def nocache($d): [$r[] | select(.path == "encap_ws" and .dist == $d and .route_cache == "off" and .route_table != "off") | .ns_per_pkt] | median;
	    def neither($d): [$r[] | select(.path == "encap_ws" and .dist == $d and .route_cache == "off" and .route_table == "off") | .ns_per_pkt] | median;
	    def hits($d): [$r[] | select(.path == "encap_ws" and .dist == $d and .route_cache != "off") |
	      (.counters.rcache_hit // 0) as $h | ($h + (.counters.rcache_miss // 0)) as $t |
	      select($t > 0) | $h / $t * 1000 | round / 10] | median;
	    {working_set: $w, routes_loaded: ($r | map(.routes) | max),
	     encap_uniform: cost("encap_ws"; "uniform"), encap_zipf: cost("encap_ws"; "zipf"),
	     encap_uniform_nocache: nocache("uniform"), encap_zipf_nocache: nocache("zipf"),
	     encap_uniform_routes_only: neither("uniform"), encap_zipf_routes_only: neither("zipf"),
	     rcache_hit_pct_uniform: hits("uniform"), rcache_hit_pct_zipf: hits("zipf"),
	     arp_reply_uniform: cost("arp_reply_ws"; "uniform"), arp_reply_zipf: cost("arp_reply_ws"; "zipf"),
	     verdicts_ok: ([$r[].verdict_ok] | all),
	     memlat_4k_ns: ([$m[] | select(.pages == "4k" and (.among // .entries) == .entries) | .ns_per_load] | median),
	     memlat_2m_ns: ([$m[] | select(.pages == "2m" and (.among // .entries) == .entries) | .ns_per_load] | median),
	     memlat_among_ns: ([$m[] | select((.among // .entries) > .entries) | .ns_per_load] | median),
	     memlat_table_bytes: ($m | map(select((.among // .entries) == .entries) | .table_bytes) | max)})),
	  fwd: ($fw | map(select(.kind == "fwd" and .skipped == null))),
	  fwd_skipped: ($fw | map(select(.kind == "fwd" and .skipped != null) | {system, skipped})),
	  fwd_summary: (($fw | map(select(.kind == "fwd" and .skipped == null))) as $f |
	    ([$f[].system] | uniq_by_order |
	    map(. as $s | $f | map(select(.system == $s))) | map({
	    system: .[0].system, routes: .[0].routes, runs: length, skipped: null,
	    uplink_attach: ([.[].uplink_attach] | unique | if length == 1 then .[0] else . end),
	    uplink_mode: ([.[].uplink_mode] | unique | if length == 1 then .[0] else . end),
	    uplink_reason: ([.[].uplink_reason] | unique | if length == 1 then .[0] else . end),
	    gen_mode: ([.[].gen_mode] | unique | if length == 1 then .[0] else . end),
	    rx_pps_median: ([.[].rx_pps] | median | round), rx_pps_min: ([.[].rx_pps] | min),
	    rx_pps_max: ([.[].rx_pps] | max),
	    ns_per_pkt_median: (([.[].rx_pps] | median) as $m | if $m and $m > 0 then (1e9 / $m | round) else null end),
	    path_cpu_ns_per_pkt_median: ([.[].path_cpu_ns_per_pkt | select(. != null)] | median),
	    path_cpu_ns_per_pkt_min: ([.[].path_cpu_ns_per_pkt | select(. != null)] | min),
	    path_cpu_ns_per_pkt_max: ([.[].path_cpu_ns_per_pkt | select(. != null)] | max),
	    loadavg_1m: ([.[].loadavg_1m] | mmr),
	    delivered_ratio: (([.[].received] | add) / ([.[].frames_sent] | add) * 1000 | round / 1000)
	  })) + ($fw | map(select(.kind == "fwd" and .skipped != null) | skipped_row)) |
	    sort_by(.system | sys_rank))
	} |
	.fwd_ratios = ratios(.fwd_summary; .rx_pps_median) |
	.fwd_round_ratios = round_ratios(.fwd; .rx_pps) |
	# Packets per CPU second of the path (1e9 / path CPU ns per packet), A
	# against B: what the rates would be on a CPU each system had to itself.
	.fwd_cpu_ratios = ratios(.fwd_summary; if .path_cpu_ns_per_pkt_median then 1e9 / .path_cpu_ns_per_pkt_median else null end) |
	.fwd_cpu_round_ratios = round_ratios(.fwd; if .path_cpu_ns_per_pkt then 1e9 / .path_cpu_ns_per_pkt else null end) |
	.fwd_loadavg_1m = ([.fwd[].loadavg_1m] | mmr) |
	.method.tcp = "iperf3, P TCP streams from the workload on host 1 to the workload on host 2 for S seconds (first second omitted), underlay MTU 1600 so 1500-byte packets fit every system (9000 / 8950 for the _jumbo systems), systems alternated within each round (even rounds in reverse order), each built from scratch; rate = bits received / time. vtepd runs with uplink_attach auto (`vtepd`), tc (`vtepd_tc`) and xdp (`vtepd_xdp`); uplink_mode is what vtepd chose (vtepctl -j status)." |
	.tcp = ($tcp | map(select(.kind == "tcp" and .skipped == null))) |
	.tcp_skipped = ($tcp | map(select(.kind == "tcp" and .skipped != null) | {system, skipped})) |
	.tcp_summary = ((.tcp as $t | [$t[].system] | uniq_by_order | map(. as $s | $t | map(select(.system == $s)) | {
	    system: $s, runs: length, streams: .[0].streams, skipped: null,
	    underlay_mtu: .[0].underlay_mtu, workload_mtu: .[0].workload_mtu,
	    uplink_attach: ([.[].uplink_attach] | unique | if length == 1 then .[0] else . end),
	    uplink_mode: ([.[].uplink_mode] | unique | if length == 1 then .[0] else . end),
	    uplink_reason: ([.[].uplink_reason] | unique | if length == 1 then .[0] else . end),
	    gbps_median: ([.[].gbps] | median), gbps_min: ([.[].gbps] | min), gbps_max: ([.[].gbps] | max),
	    loadavg_1m: ([.[].loadavg_1m] | mmr),
	    retransmits_median: ([.[].retransmits | select(. != null)] | median)})) +
	  (.tcp_skipped | map(skipped_row)) | sort_by(.system | sys_rank)) |
	.tcp_ratios = ratios(.tcp_summary; .gbps_median) |
	.tcp_round_ratios = round_ratios(.tcp; .gbps) |
	.tcp_loadavg_1m = ([.tcp[].loadavg_1m] | mmr) |
	.method.ingest = "One BGP session on loopback from bench/feeder (N EVPN type-2 MAC+IP routes, as many per UPDATE as fit, then End-of-RIB), then the withdrawal of all of them; clock from the first UPDATE (or withdrawal) write to: vtepd: every route in (or out of) the vtep_routes BPF map, forwarding-ready; gobgpd: N accepted (gobgp neighbor); frr: FRR bgpd holds N received (show bgp l2vpn evpn summary), its RIB only; frr_fwd: FRR as a VTEP (zebra + bgpd, advertise-all-vni, kernel bridge + VXLAN device for VNI 100) until the kernel FDB and neighbour tables hold every route (or none), FRR forwarding-ready. Memory per route: RSS after - before over N, plus for vtepd the growth of the kernel charge (bytes_memlock) of the map a route writes (vtep_routes; vtep_fdb for MAC-only routes) over N; the empty maps at the configured capacity are in maps_bytes_before. FRR: bgpd and zebra together (stack)." |
	.ingest = ($ing | map(select(.kind == "ingest"))) |
	.ingest_summary = ([.ingest[] | {system, routes}] | uniq_by_order | map(. as $k | $ing |
	  map(select(.system == $k.system and .routes == $k.routes)) | {
	    system: $k.system, routes: $k.routes, runs: length, complete: all(.[]; .complete),
	    held_min: ([.[].held] | min),
	    routes_per_s_median: ([.[].routes_per_s | select(. != null)] | median | if . then round else . end),
	    routes_per_s_min: ([.[].routes_per_s | select(. != null)] | min),
	    routes_per_s_max: ([.[].routes_per_s | select(. != null)] | max),
	    seconds_median: ([.[].seconds | select(. != null)] | median),
	    bytes_per_route_median: ([.[].bytes_per_route | select(. != null)] | median),
	    rss_bytes_per_route_median: ([.[].rss_bytes_per_route | select(. != null)] | median),
	    map_bytes_per_route: ([.[].map_bytes_per_route | select(. != null)] | median),
	    stack_bytes_per_route_median: ([.[].stack_bytes_per_route | select(. != null)] | median),
	    maps_total_bytes_median: ([.[] | .maps_bytes // empty | [.vtep_routes, .vtep_fdb] | map(. // 0) | add] | median),
	    routes_per_cpu_s_median: ([.[].routes_per_cpu_s | select(. != null)] | median),
	    withdraw_complete: all(.[]; (.withdraw // {complete: true}).complete),
	    withdraw_seconds_median: ([.[].withdraw.seconds? | select(. != null)] | median),
	    withdraw_per_s_median: ([.[].withdraw.routes_per_s? | select(. != null)] | median | if . then round else . end),
	    withdraw_per_s_min: ([.[].withdraw.routes_per_s? | select(. != null)] | min),
	    withdraw_per_s_max: ([.[].withdraw.routes_per_s? | select(. != null)] | max)})) |
	.ingest_ratios = (.ingest_summary as $is | [$is[].routes] | uniq_by_order |
	  map(. as $n | ($is | map(select(.routes == $n)) |
	    map({key: .system, value: .routes_per_s_median}) | from_entries) as $m |
	    ($is | map(select(.routes == $n)) |
	    map({key: .system, value: .withdraw_per_s_median}) | from_entries) as $w |
	    # Within each run (the systems of a run go one after another).
	    def per_run($a; $b; f): [$ing[] | select(.kind == "ingest" and .routes == $n and
	      .system == $a) | . as $x | ($ing[] | select(.kind == "ingest" and .routes == $n and
	      .system == $b and .run == $x.run) | f) as $d | ($x | f) as $v |
	      if $v != null and $d != null and $d > 0 then $v / $d else empty end] |
	      if length == 0 then null else {median: (median | r3), min: (min | r3), max: (max | r3),
	      runs: length} end;
	    {routes: $n, vtepd_over_gobgp: ratio($m.vtepd; $m.gobgp),
	     vtepd_over_frr: ratio($m.vtepd; $m.frr),
	     vtepd_over_frr_fwd: ratio($m.vtepd; $m.frr_fwd),
	     withdraw_vtepd_over_frr: ratio($w.vtepd; $w.frr),
	     withdraw_vtepd_over_frr_fwd: ratio($w.vtepd; $w.frr_fwd),
	     per_run: {vtepd_over_frr: per_run("vtepd"; "frr"; .routes_per_s),
	       vtepd_over_frr_fwd: per_run("vtepd"; "frr_fwd"; .routes_per_s),
	       withdraw_vtepd_over_frr: per_run("vtepd"; "frr"; .withdraw.routes_per_s?),
	       withdraw_vtepd_over_frr_fwd: per_run("vtepd"; "frr_fwd"; .withdraw.routes_per_s?),
	       cpu_vtepd_over_frr: per_run("vtepd"; "frr"; .routes_per_cpu_s)}})) |
	.method.mobility = "A workload moved K times between two remote VTEPs (both answer for it), announced by bench/feeder with MAC mobility sequence k from alternating next hops, the left VTEP route withdrawn after; time from the UPDATE write to vtep_routes holding (new VTEP, k), map polled every 20 us (p99_lo_us: the check before the one that saw the entry, a lower bound), plus the UPDATE-to-map histogram vtepd itself exports from /metrics; w1 pings the workload every 1 ms throughout." |
	.mobility = ($mob | map(select(.kind == "mobility")) | last) |
	.checks = ($chk | map(select(.kind == "check"))) |
	.method.frrfdb = "An FRR 8.4 leaf (zebra + bgpd, advertise-all-vni, kernel bridge with a VXLAN device, VNI 100) peers eBGP with vtepd; one `bridge -batch` adds N static MACs on a bridge port, zebra takes them as local MACs and bgpd advertises N type-2 routes. Clock from the batch start to: zebra holds N (show evpn vni 100 numMacs, polled every 0.2 s), FRR last UPDATE on the wire (tcpdump on FRR side), vtepd vtep_fdb holds N (bench/fill count of the pinned map, polled every 0.02 s plus the walk). Then `bridge fdb flush` and the same back to zero. vtepd RSS growth over N; CPU seconds of each daemon over each phase. zebra runs with -s 256 MiB: with its default netlink buffer a 100k flush loses most deletes in zebra, which then keeps advertising those MACs (bench/frr_fdb.sh)." |
	.frrfdb = ($ffd | map(select(.kind == "frrfdb"))) |
	.frrfdb_summary = ([.frrfdb[].macs] | uniq_by_order | map(. as $n | $ffd |
	  map(select(.kind == "frrfdb" and .macs == $n)) |
	  def st(f): [.[] | f | select(. != null)] | if length == 0 then null
	    else {median: median, min: min, max: max} end;
	  {macs: $n, runs: length, complete: all(.[]; .complete),
	   batch_s: st(.batch_s),
	   add: {zebra_s: st(.add.zebra_s), last_update_s: st(.add.last_update_s),
	         maps_s: st(.add.maps_s), vtepd_after_last_update_s: st(.add.vtepd_after_last_update_s)},
	   withdraw: {zebra_s: st(.withdraw.zebra_s), last_update_s: st(.withdraw.last_update_s),
	         maps_s: st(.withdraw.maps_s), vtepd_after_last_update_s: st(.withdraw.vtepd_after_last_update_s)},
	   cpu_s: {vtepd_add: st(.cpu_s.vtepd_add), zebra_add: st(.cpu_s.zebra_add), bgpd_add: st(.cpu_s.bgpd_add),
	           vtepd_withdraw: st(.cpu_s.vtepd_withdraw), zebra_withdraw: st(.cpu_s.zebra_withdraw),
	           bgpd_withdraw: st(.cpu_s.bgpd_withdraw)},
	   vtepd_rss_bytes_per_mac: st(.vtepd_rss_bytes_per_mac),
	   vtepd_rss_held: st(.vtepd_rss_held)}))
	' > "$OUT/results.json"

jq -r '
	def n: if . == null then "-" else tostring end;
	def uniq_by_order: reduce .[] as $x ([]; if index([$x]) then . else . + [$x] end);
	def sys_rank: . as $s | ($s | sub("_jumbo$"; "") | sub("_b$"; "")) as $b |
		(["routed", "bridge_vxlan", "vtepd", "vtepd_tc", "vtepd_xdp", "vtepd_routes"] | index($b)) as $i |
		[($s | endswith("_jumbo") | if . then 1 else 0 end), ($i // 99), ($s != $b), $s];
	def k: if . == null then "-" elif . >= 1000000 then "\(. / 1000000)M"
		elif . >= 1000 then "\(. / 1000)k" else tostring end;
	.meta as $m |
	([.progcost[].routes] | unique) as $rs |
	"# vtepd benchmark (\($m.mode))",
	"",
	"\($m.date), kernel \($m.kernel), \($m.cpus) CPUs (\($m.cpu)), commit \($m.git)" +
	  (if $m.uncommitted_files > 0 then " + \($m.uncommitted_files) uncommitted files" else "" end) + ".",
	"Figures, not verdicts: nothing in this report passes or fails on a time.",
	"",
	(if (.progcost | length) > 0 then (
	"## Program cost per verdict path (ns per packet)",
	"",
	.method.progcost,
	"",
	"Floors (the accounting itself): TC \(.floor.floor_tc | n) ns, XDP \(.floor.floor_xdp | n) ns per run." +
	  (if .floor.encap_floor then " The least any TC VXLAN encapsulation costs here (bench/floor.bpf.c:" +
	    " no lookups, bpf_skb_adjust_room, every header written, bpf_redirect): \(.floor.encap_floor | n) ns;" +
	    " the same headers written in place without bpf_skb_adjust_room: \(.floor.encap_floor_noadj | n) ns."
	   else "" end),
	"",
	"| path | verdict counter | " + ($rs | map("\(k) routes") | join(" | ")) +
	  " | per program at \($rs | max | k) (ns/run) | verdict |",
	"|---|---|" + ($rs | map("---:") | join("|")) + "|---|---|",
	(.progcost_summary[] | select(.path | startswith("floor_") or startswith("encap_floor") | not) | . as $p |
	  "| \(.path) | \(.expect | n) | " +
	  ($rs | map(. as $r | $p.by_routes[$r | tostring].ns_per_pkt | n) | join(" | ")) + " | " +
	  (.programs_at_largest | map("\(.name) \(.ns_per_run | n)") | join(" + ")) + " | " +
	  (if ([.by_routes[].verdict_ok] | all) then "ok" else "MISMATCH" end) + " |"),
	(if ([.map_counts[].vtepd_running] | all) then empty else
	  "", "Note: vtepd was not running at the end of some measurements (it crashed or exited);" +
	  " the programs and pinned maps it left kept the datapath working, so the figures are" +
	  " a measure of the datapath. See bench/out/vtepd-*.log." end),
	"",
	(if (.progcost_v6 | length) > 0 then (
	"IPv6 beside IPv4 (same runs): `encap6` walks the destination over the loaded /128s",
	"(vtep_routes6) as `encap` does over the /32s; `nd_reply` answers an NS for the first",
	"loaded /128 only (an NS goes to the solicited-node address of its target, so gen does not",
	"walk it), `arp_reply` walks the targets; `_gw` paths ask for the gateway.",
	"",
	"| IPv6 path | IPv4 path | routes | IPv4 ns/pkt | IPv6 ns/pkt | IPv6 / IPv4 |",
	"|---|---|---:|---:|---:|---:|",
	(.progcost_v6[] | "| \(.ipv6) | \(.ipv4) | \(.routes | k) | \(.ipv4_ns | n) | \(.ipv6_ns | n) | \(.ratio | n) |"),
	"") else empty end),
	"Port paths run `vtep_port_ingress` (TC ingress on the workload port). Uplink paths",
	"are named by the mode vtepd ran its uplink in: without a suffix (decap, uplink_pass, ...)",
	"the uplink XDP half and, for frames it passes on, the TC half (both summed); with `_tc`",
	"the one TC program of the TC uplink. `arp_reply` and `encap` walk the destination over",
	"all loaded routes.",
	"",
	(.progcost_uplink[] | "Uplink: uplink_attach \(.uplink_attach) ran \(.uplink_mode)" +
	  (if .uplink_reason and .uplink_reason != "" then " (\(.uplink_reason))" else "" end) + "."),
	(.progcost_skipped[] | "Uplink paths with uplink_attach \(.uplink_attach): skipped: \(.skipped)."),
	"",
	(if .napi_check then
	  "XDP-redirected frames into a veth without an XDP program on the receiving end: " +
	  "\(.napi_check.received_without_xdp) of \(.napi_check.sent) arrived; with XDP_PASS attached " +
	  "\(.napi_check.received_with_xdp_pass). " +
	  (if .napi_check.xdp_pass_needed then "So the bench attaches XDP_PASS (bench/pass.bpf.c) on the host-side end of the sending port."
	   else "" end)
	 else empty end),
	"",
	(if (.fill | length) > 0 then
	  "Route loading (bench/fill, bpf_map_update_batch, route + ARP + fdb entry each): " +
	  (.fill | map("to \(.routes)" + (if .uplink_attach != null and .uplink_attach != "auto" then " (\(.uplink_attach) uplink run)" else "" end) +
	    ": +\(.count) in \(.seconds) s") | join(", ")) + "."
	 else empty end),
	""
	) else empty end),
	(if (.working_sets | length) > 0 then (. as $r |
	"## Cost per packet against the working set",
	"",
	"With \(.working_sets | map(.routes_loaded) | max | k) routes loaded, the generator sends to W of them: each in turn (uniform:",
	"every destination as often) or drawn Zipf-distributed (rank k in proportion to 1/k: a few",
	"hot destinations and a long tail). ns per packet of the port program (bpf_stats), as in the",
	"table above. Beside it, the latency of one dependent load at random in a table",
	"of W entries of 96 bytes (a vtep_routes element: the element header of the hash table, key and",
	"value), bench/memlat on the same CPU, with 4 KiB pages (like the vmalloc memory of the bucket",
	"array of the map) and 2 MiB pages (like the direct map of the kernel, where the elements live): what one",
	"cache miss of the route lookup costs at that working set; and the same W entries scattered",
	"among as many as the routes loaded (4 KiB pages, memlat --among), as the elements and",
	"buckets of the map are: what one miss costs when the active entries do not sit together.",
	"",
	"The route cache and the flat route table (docs/design.md) serve the encapsulation and the ARP",
	"replies; the encap columns without the cache ran in the same topology right after, with the",
	"cache turned off (its gen 0), and those of vtep_routes alone with the table off too (its",
	"epoch 0): the two dependent misses of the hash map. The hit rate of the cache is rcache_hit over both",
	"counters during the run.",
	"",
	"| active destinations | encap, uniform | encap, Zipf | encap uniform, no route cache | encap Zipf, no route cache | encap uniform, vtep_routes alone | encap Zipf, vtep_routes alone | route cache hits, uniform / Zipf | ARP reply, uniform | ARP reply, Zipf | one load, 4 KiB pages | one load, 2 MiB pages | table | one load, scattered among the routes loaded |",
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
	(.working_sets[] | "| \(.working_set | k) | \(.encap_uniform | n) | \(.encap_zipf | n) | \(.encap_uniform_nocache | n) | \(.encap_zipf_nocache | n) | \(.encap_uniform_routes_only | n) | \(.encap_zipf_routes_only | n) | \(.rcache_hit_pct_uniform | n) % / \(.rcache_hit_pct_zipf | n) % | \(.arp_reply_uniform | n) | \(.arp_reply_zipf | n) | \(.memlat_4k_ns | n) | \(.memlat_2m_ns | n) | \(if .memlat_table_bytes then "\(.memlat_table_bytes / 1048576 * 10 | round / 10) MiB" else "-" end) | \(.memlat_among_ns | n) |" +
	  (if .verdicts_ok then "" else " (verdict mismatch)" end)),
	"",
	(($r.progcost_summary[] | select(.path == "encap") | .by_routes["1000"].ns_per_pkt) as $e1k |
	 ($r.working_sets | map(select(.working_set == 1000000)) | first) as $w1m |
	 ($r.working_sets | map(select(.working_set == 10000)) | first) as $w10k |
	 if $e1k then "Encapsulation with 1k routes loaded: \($e1k) ns" +
	   (if $w1m and $w1m.memlat_4k_ns then "; with 1M active, \($w1m.encap_uniform | n) ns, against \($e1k) + one miss (\($w1m.memlat_4k_ns)) = \(($e1k + $w1m.memlat_4k_ns) * 10 | round / 10) ns" else "" end) +
	   (if $w10k then "; with 10k active, \($w10k.encap_uniform | n) ns (Zipf \($w10k.encap_zipf | n)), without the route cache \($w10k.encap_uniform_nocache | n) ns (Zipf \($w10k.encap_zipf_nocache | n))" else "" end) + "."
	 else empty end),
	""
	) else empty end),
	(if (.fwd_summary | length) > 0 or (.tcp_summary | length) > 0 then (
	"## Forwarding and TCP per system, vtepd in each uplink mode",
	"",
	"`vtepd` runs vtepd as configured by default (`uplink_attach` auto), `vtepd_tc` and",
	"`vtepd_xdp` with the mode set explicitly; `mode run` is what vtepd chose (`vtepctl -j status`",
	"on both hosts). Medians [min-max] over the rounds; ratios of the medians against the",
	"references of the same MTU. \"per CPU / routed\": routed path CPU per packet over the",
	"system one (packets per CPU second against routed), the rate ratio on a CPU each had to",
	"itself. Details and method in the two sections below.",
	"",
	"| system | uplink_attach | mode run | 64-byte UDP pps | / routed | / bridge_vxlan | path CPU ns/pkt | per CPU / routed | TCP Gbit/s | / routed | / bridge_vxlan |",
	"|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
	(. as $r | ([.fwd_summary[].system] + [.tcp_summary[].system] | uniq_by_order | sort_by(sys_rank)) as $ss |
	  $ss[] | . as $s |
	  ($r.fwd_summary | map(select(.system == $s)) | first) as $f |
	  ($r.tcp_summary | map(select(.system == $s)) | first) as $t |
	  (if endswith("_jumbo") then "_jumbo" else "" end) as $x |
	  (($f // $t).skipped) as $skip |
	  def rt($tab): $tab[$s + "_over_" + .] | if . == null then "-"
	    elif type == "string" then "-" else tostring end;
	  "| \($s) | \(($f // $t).uplink_attach // "-") | " +
	  (if $skip then "skipped: \($skip) | - | - | - | - | - | - | - | - |" else
	  "\(($f // $t).uplink_mode // "-") | " +
	  (if $f then "\($f.rx_pps_median | n) [\($f.rx_pps_min | n)-\($f.rx_pps_max | n)] | " +
	    "\("routed" | rt($r.fwd_ratios)) | \("bridge_vxlan" | rt($r.fwd_ratios)) | " +
	    (if $f.path_cpu_ns_per_pkt_median then "\($f.path_cpu_ns_per_pkt_median) [\($f.path_cpu_ns_per_pkt_min)-\($f.path_cpu_ns_per_pkt_max)]" else "-" end) +
	    " | \("routed" | rt($r.fwd_cpu_ratios)) | "
	   else "- | - | - | - | - | " end) +
	  (if $t then "\($t.gbps_median | n) [\($t.gbps_min | n)-\($t.gbps_max | n)] | " +
	    "\("routed" + $x | rt($r.tcp_ratios)) | \("bridge_vxlan" + $x | rt($r.tcp_ratios)) |"
	   else "- | - | - |" end) end)),
	"",
	(([.fwd_summary[], .tcp_summary[]] | map(select(.system == "vtepd" and .skipped == null)) | first) as $v |
	 if $v then "With uplink_attach auto, vtepd ran its uplinks in \($v.uplink_mode // "?")" +
	   (if $v.uplink_reason then ": \($v.uplink_reason)" else "" end) + "." else empty end),
	([.fwd_summary[], .tcp_summary[]] | map(select(.skipped != null)) | map(.system) | unique |
	 if length > 0 then "Skipped: " + join(", ") + " (uplink_attach xdp, which vtepd refuses to start with" +
	   " where the kernel cannot run the XDP uplink; `vtepd --probe -j` said so)." else empty end),
	""
	) else empty end),
	(if (.fwd_summary | length) > 0 then (
	"## Forwarding rate, workload to workload across hosts (64-byte UDP)",
	"",
	.method.fwd,
	"",
	"| system | uplink_attach | mode run | extra routes | received pps (median) | min | max | runs | ns/packet, 1e9/rate | path CPU ns/pkt (median) | min | max | delivered |",
	"|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
	(.fwd_summary[] | if .skipped then
	  "| \(.system) | \(.uplink_attach) | skipped: \(.skipped) | - | - | - | - | 0 | - | - | - | - | - |" else
	  "| \(.system) | \(.uplink_attach | n) | \(.uplink_mode | n) | \(.routes) | \(.rx_pps_median | n) | \(.rx_pps_min | n) | \(.rx_pps_max | n) | \(.runs) | \(.ns_per_pkt_median | n) | \(.path_cpu_ns_per_pkt_median | n) | \(.path_cpu_ns_per_pkt_min | n) | \(.path_cpu_ns_per_pkt_max | n) | \(.delivered_ratio | n) |" end),
	"",
	"Generator mode: \([.fwd[].gen_mode] | unique | join(", "))." +
	  (if .fwd_loadavg_1m then " 1-minute load average at the end of the runs (this bench included):" +
	   " median \(.fwd_loadavg_1m.median), \(.fwd_loadavg_1m.min)-\(.fwd_loadavg_1m.max)." else "" end),
	(if ([.fwd[].gen_mode] | index("live")) then
	  "ns/packet 1e9/rate, live frames: everything one CPU spends per frame, generator and" +
	  " receiving sink included, so only the differences between systems are the paths." else empty end),
	(if ([.fwd_summary[].path_cpu_ns_per_pkt_median | select(. != null)] | length) > 0 then
	  "With the AF_XDP generator the generator is not on the CPU of the path: path CPU is the CPU 0" +
	  " time of the path (its NAPI thread and ksoftirqd/0) per received packet, whatever share of" +
	  " CPU 0 other jobs took; the received rate moves with that share." else empty end),
	(if ([.fwd[] | select(.bpf_stats_on == true)] | length) > 0 then
	  "Note: BPF run-time statistics were on during \([.fwd[] | select(.bpf_stats_on == true)] | length)" +
	  " of the runs (another process); vtepd paid for them." else empty end),
	(if ([.fwd[] | select(.vtepd_running == false)] | length) > 0 then
	  "", "Note: vtepd was not running during some vtepd runs (see bench/out/vtepd-*.log);" +
	  " its attached programs forwarded without it." else empty end),
	"",
	"Ratios of the medians: " + (.fwd_ratios | to_entries | map("\(.key | sub("_over_"; " / ")) \(.value | n)") | join(", ")) + ".",
	(if (.fwd_round_ratios | length) > 0 then
	  "The same within each round (systems run back to back), median [min-max] over the rounds: " +
	  (.fwd_round_ratios | to_entries | map(select(.value != null) |
	    "\(.key | sub("_over_"; " / ")) \(.value.median) [\(.value.min)-\(.value.max)]") | join(", ")) + "."
	 else empty end),
	(if ([.fwd_cpu_ratios[] | numbers] | length) > 0 then
	  "Packets per CPU second of the path (1e9 / path CPU ns per packet), ratios of the medians: " +
	  (.fwd_cpu_ratios | to_entries | map(select(.value | numbers) | "\(.key | sub("_over_"; " / ")) \(.value)") | join(", ")) +
	  "; within each round, median [min-max]: " +
	  (.fwd_cpu_round_ratios | to_entries | map(select(.value != null) |
	    "\(.key | sub("_over_"; " / ")) \(.value.median) [\(.value.min)-\(.value.max)]") | join(", ")) + "."
	 else empty end),
	(.fwd_summary[] | select(.uplink_reason != null and .skipped == null) |
	  "\(.system): uplink_attach \(.uplink_attach) ran \(.uplink_mode) (\(.uplink_reason))."),
	""
	) else empty end),
	(if (.tcp_summary | length) > 0 then (
	"## TCP throughput, workload to workload across hosts (iperf3)",
	"",
	.method.tcp,
	"",
	"| system | uplink_attach | mode run | underlay / workload MTU | streams | Gbit/s (median) | min | max | runs | retransmits (median) |",
	"|---|---|---|---|---:|---:|---:|---:|---:|---:|",
	(.tcp_summary[] | if .skipped then
	  "| \(.system) | \(.uplink_attach) | skipped: \(.skipped) | - | - | - | - | - | 0 | - |" else
	  "| \(.system) | \(.uplink_attach | n) | \(.uplink_mode | n) | \(.underlay_mtu | n) / \(.workload_mtu | n) | \(.streams) | \(.gbps_median | n) | \(.gbps_min | n) | \(.gbps_max | n) | \(.runs) | \(.retransmits_median | n) |" end),
	"",
	"Ratios of the medians: " + (.tcp_ratios | to_entries | map("\(.key | sub("_over_"; " / ")) \(.value | n)") | join(", ")) + ".",
	(if (.tcp_round_ratios | length) > 0 then
	  "Within each round, median [min-max] over the rounds: " +
	  (.tcp_round_ratios | to_entries | map(select(.value != null) |
	    "\(.key | sub("_over_"; " / ")) \(.value.median) [\(.value.min)-\(.value.max)]") | join(", ")) + "."
	 else empty end),
	(if .tcp_loadavg_1m then "1-minute load average during the runs (this bench included): median" +
	  " \(.tcp_loadavg_1m.median), \(.tcp_loadavg_1m.min)-\(.tcp_loadavg_1m.max)." else empty end),
	""
	) else empty end),
	(if (.ingest | length) > 0 then (
	"## Route ingestion, EVPN type-2 routes over one BGP session",
	"",
	.method.ingest,
	"",
	"| receiver | routes | routes/s (median) | min | max | seconds (median) | routes per CPU s | runs | all held | withdrawal routes/s (median) | min | max | withdrawal s |",
	"|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
	(.ingest_summary[] | "| \(.system) | \(.routes | k) | \(.routes_per_s_median | n) | \(.routes_per_s_min | n) | \(.routes_per_s_max | n) | \(.seconds_median | n) | \(.routes_per_cpu_s_median | n) | \(.runs) | " +
	  (if .complete then "yes" else "no (\(.held_min) held at the deadline)" end) +
	  " | \(.withdraw_per_s_median | n)\(if .withdraw_complete then "" else " (incomplete)" end) | \(.withdraw_per_s_min | n) | \(.withdraw_per_s_max | n) | \(.withdraw_seconds_median | n) |"),
	"",
	(.ingest_ratios[] | "Ratios at \(.routes | k) routes (medians): vtepd / FRR RIB \(.vtepd_over_frr | n), vtepd / FRR forwarding-ready \(.vtepd_over_frr_fwd | n), vtepd / gobgpd \(.vtepd_over_gobgp | n); withdrawal: vtepd / FRR RIB \(.withdraw_vtepd_over_frr | n), vtepd / FRR forwarding-ready \(.withdraw_vtepd_over_frr_fwd | n)." +
	  (.per_run | to_entries | map(select(.value != null) |
	    "\(.key | sub("^cpu_"; "per CPU second, ") | sub("^withdraw_"; "withdrawal, ") | sub("_over_"; " / ")) \(.value.median) [\(.value.min)-\(.value.max)] over \(.value.runs) runs") |
	    if length > 0 then " Within each run (median [min-max]): " + join("; ") + "." else "" end)),
	"",
	"Memory per route, the receiver holding N routes:",
	"",
	"| receiver | routes | bytes/route | of which RSS | of which maps (kernel) | maps in total, bytes | bgpd + zebra RSS, bytes/route |",
	"|---|---:|---:|---:|---:|---:|---:|",
	(.ingest_summary[] | select(.system != "gobgp") | "| \(.system) | \(.routes | k) | \(if (.system | startswith("frr")) then "-" else (.bytes_per_route_median | n) end) | \(.rss_bytes_per_route_median | n) | \(.map_bytes_per_route | n) | \(.maps_total_bytes_median | n) | \(.stack_bytes_per_route_median | if . then (. * 10 | round / 10) else . end | n) |"),
	"",
	"vtepd: its RSS growth plus the growth of the kernel charge of vtep_routes (bytes_memlock);",
	"\"maps in total\" is the whole charge of vtep_routes and vtep_fdb, bucket arrays included",
	"(sized for limits.routes and limits.fdb). FRR: bgpd RSS growth (of which RSS); the last",
	"column adds the growth of zebra (frr: zebra holds nothing per route; frr_fwd: the MACs and neighbours",
	"it installs). The kernel memory of the FDB and neighbour entries of FRR is not counted.",
	"",
	"An incomplete row: its rate is the routes held at the deadline over the time to it.",
	"GoBGP and FRR times are polls of their CLIs (about 50 ms apart plus the call):",
	"their resolution. For vtepd the feeder polls the map itself, every key checked present.",
	""
	) else empty end),
	(if .mobility then (.mobility as $m |
	"## Mobility: a workload moving between two hosts",
	"",
	.method.mobility,
	"",
	"| moves | measured | UPDATE to map p50 (us) | p90 | p99 | max | ping lost during moves | per move | baseline (same length, no moves) |",
	"|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
	"| \($m.moves) | \($m.measured) | \($m.p50_us | n) | \($m.p90_us | n) | \($m.p99_us | n) | \($m.max_us | n) | \($m.lost_during) of \($m.ping_during.transmitted) | \($m.lost_per_move | n) | \($m.lost_baseline) of \($m.ping_baseline.transmitted) |",
	"",
	"Moves are \($m.gap_ms) ms apart. Both hosts answer for the workload, so a lost ping",
	"is one the reprogramming lost, not downtime of the migration itself.",
	""
	) else empty end),
	(if (.frrfdb | length) > 0 then (
	"## MACs from an FRR leaf: bridge FDB to vtepd maps",
	"",
	.method.frrfdb,
	"",
	"Seconds from the start of the batch (add) or the flush (withdraw); median [min-max] over the runs.",
	"",
	"| MACs | phase | runs | bridge command | zebra holds all | FRR last UPDATE | vtepd maps hold all | vtepd after last UPDATE | CPU s vtepd / zebra / bgpd |",
	"|---:|---|---:|---:|---:|---:|---:|---:|---|",
	(.frrfdb_summary[] | . as $f |
	  def r2: . * 100 | round / 100;
	  def mm: if . == null then "-" else "\(.median | r2) [\(.min | r2)-\(.max | r2)]" end;
	  def md: if . == null then "-" else (.median | r2 | tostring) end;
	  ("add", "withdraw") as $ph | $f[$ph] as $p |
	  "| \($f.macs | k) | \($ph) | \($f.runs) | " +
	  (if $ph == "add" then ($f.batch_s | mm) else "-" end) +
	  " | \($p.zebra_s | mm) | \($p.last_update_s | mm) | \($p.maps_s | mm)" +
	  (if $f.complete then "" else " (INCOMPLETE)" end) +
	  " | \($p.vtepd_after_last_update_s | mm) | " +
	  "\($f.cpu_s["vtepd_" + $ph] | md) / \($f.cpu_s["zebra_" + $ph] | md) / \($f.cpu_s["bgpd_" + $ph] | md) |"),
	"",
	(.frrfdb_summary[] | "vtepd RSS at \(.macs | k) MACs: \(.vtepd_rss_held.median / 1048576 * 10 | round / 10) MiB" +
	  " (+\(.vtepd_rss_bytes_per_mac.median) bytes per MAC, median)."),
	"",
	"\"vtepd after last UPDATE\" is an upper bound: the vtepd processing tail plus up to",
	"one map poll (a walk of the map, which grows with N: ~0.2-0.5 s at 100k on a busy VM).",
	"`FRRFDB_PERF=1 bench/frr_fdb.sh` timestamps the bpf() map writes of vtepd instead.",
	""
	) else empty end),
	(if (.checks | length) > 0 then (
	"## Checks",
	"",
	(.checks[] | "- \(.name): \(.passed) passed, \(.failed) failed (`\(.command)`)"),
	""
	) else empty end),
	(if .meta.versions then
	  "Versions: FRR \(.meta.versions.frr), GoBGP \(.meta.versions.gobgp), iperf3 \(.meta.versions.iperf3)." else empty end),
	"",
	"",
	"## Caveats",
	"",
	"- A \(.meta.cpus)-CPU machine that may run other work: run-to-run spread can be large;" +
	  " compare rows of one run, systems alternated within each round.",
	"- bpf_stats put about the floor on every program run; the ns figures include it",
	"  (subtract the floor for what the program itself costs). fwd runs with bpf_stats off.",
	"- Generated traffic is one flow (spread destinations aside); no GRO, no TCP.",
	(if ([.fwd[].gen_mode] | index("live")) then
	"- Live frames: the generator, the receiving NAPI and the whole forwarding path share one" +
	" CPU, so a slower path also slows the generator: rates are processing rates, not offered loads."
	 else empty end),
	(if ([.fwd[].gen_mode] | index("xsk")) then
	"- AF_XDP generator: it sends from CPU 1 and the path runs on CPU 0; the received rate is" +
	" what CPU 0 forwarded in the share of it this bench got, the path CPU per packet is its cost." +
	" ksoftirqd/0 counts in it, so softirq work of other jobs on CPU 0 can too."
	 else empty end)
' "$OUT/results.json" > "$OUT/results.md"
# The plot is a figure among others: without gnuplot the report stands.
if command -v gnuplot >/dev/null; then
	"$(dirname "$0")/plot.sh" "$OUT" || echo "bench: plot failed" >&2
fi
