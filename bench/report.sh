#!/bin/bash
# report.sh - turn the measurement records into bench/out/results.json and
# results.md.
#
#   bench/report.sh OUTDIR MODE
#
# Reads OUTDIR/meta.json and the JSON lines of OUTDIR/progcost.jsonl and
# OUTDIR/fwd.jsonl (either may be missing), writes OUTDIR/results.json (every
# record, plus per-path and per-system summaries) and OUTDIR/results.md
# (the same as tables). Figures only: nothing here judges a time.
set -eu
OUT=$1
MODE=${2:-full}

records() { [ -s "$1" ] && jq -s . "$1" || echo '[]'; }

jq -n --argjson meta "$(cat "$OUT/meta.json")" --arg mode "$MODE" \
	--argjson pc "$(records "$OUT/progcost.jsonl")" \
	--argjson fw "$(records "$OUT/fwd.jsonl")" '
	def median: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	($pc | map(select(.kind == "progcost"))) as $rows |
	($rows | map(select(.path | startswith("floor_")))) as $floors |
	{
	  meta: ($meta + {mode: $mode}),
	  method: {
	    progcost: "kernel.bpf_stats_enabled=1; run_time_ns and run_cnt of each program on the path read with `bpftool -j prog show` before and after a generator run; ns_per_pkt = sum of the programs time deltas / packets that entered the path (run_cnt delta of its first program). Verdict checked against the vtep_stats counter deltas.",
	    floor: "floor_tc: an empty TC program (TC_ACT_OK) on a workload port clsact ingress, same frames; floor_xdp: XDP_PASS on the receiving veth end. What the accounting itself reports per run.",
	    fwd: "64-byte UDP (60 bytes + FCS) from a workload on host 1 to a workload on host 2, generated with BPF_PROG_TEST_RUN live frames on one CPU; rate = frames received by the far workload / generator run time, bpf_stats off."
	  },
	  napi_check: ($pc | map(select(.kind == "napi_check")) | first),
	  fill: ($pc | map(select(.kind == "fill"))),
	  map_counts: ($pc | map(select(.kind == "map_count"))),
	  progcost: $rows,
	  progcost_summary: ([$rows[].path] | reduce .[] as $p ([]; if index([$p]) then . else . + [$p] end)
	    | map(. as $p | $rows | map(select(.path == $p)) | {
	    path: .[0].path, expect: .[0].expect,
	    by_routes: (map({key: (.routes | tostring), value: {ns_per_pkt, verdict_ok, packets}}) | from_entries),
	    programs_at_largest: (max_by(.routes) | .programs | map({name, ns_per_run}))
	  })),
	  floor: ($floors | group_by(.path) | map({key: .[0].path,
	    value: ([.[].ns_per_pkt | select(. != null)] | median)}) | from_entries),
	  fwd: ($fw | map(select(.kind == "fwd"))),
	  fwd_summary: ($fw | map(select(.kind == "fwd")) as $f |
	    [$f[].system] | reduce .[] as $s ([]; if index([$s]) then . else . + [$s] end) |
	    map(. as $s | $f | map(select(.system == $s))) | map({
	    system: .[0].system, routes: .[0].routes, runs: length,
	    rx_pps_median: ([.[].rx_pps] | median | round), rx_pps_min: ([.[].rx_pps] | min),
	    rx_pps_max: ([.[].rx_pps] | max),
	    ns_per_pkt_median: (([.[].rx_pps] | median) as $m | if $m and $m > 0 then (1e9 / $m | round) else null end),
	    delivered_ratio: (([.[].received] | add) / ([.[].frames_sent] | add) * 1000 | round / 1000)
	  }))
	}' > "$OUT/results.json"

jq -r '
	def n: if . == null then "-" else tostring end;
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
	"Floors (the accounting itself): TC \(.floor.floor_tc | n) ns, XDP \(.floor.floor_xdp | n) ns per run.",
	"",
	"| path | verdict counter | " + ($rs | map("\(k) routes") | join(" | ")) +
	  " | per program at \($rs | max | k) (ns/run) | verdict |",
	"|---|---|" + ($rs | map("---:") | join("|")) + "|---|---|",
	(.progcost_summary[] | select(.path | startswith("floor_") | not) | . as $p |
	  "| \(.path) | \(.expect | n) | " +
	  ($rs | map(. as $r | $p.by_routes[$r | tostring].ns_per_pkt | n) | join(" | ")) + " | " +
	  (.programs_at_largest | map("\(.name) \(.ns_per_run | n)") | join(" + ")) + " | " +
	  (if ([.by_routes[].verdict_ok] | all) then "ok" else "MISMATCH" end) + " |"),
	(if ([.map_counts[].vtepd_running] | all) then empty else
	  "", "Note: vtepd was not running at the end of some measurements (it crashed or exited);" +
	  " the programs and pinned maps it left kept the datapath working, so the figures are" +
	  " a measure of the datapath. See bench/out/vtepd-*.log." end),
	"",
	"Port paths run `vtep_port_ingress` (TC ingress on the workload port); decap and",
	"uplink paths run the uplink XDP half and, for frames it passes on, the TC half",
	"(both summed). `arp_reply` and `encap` walk the destination over all loaded routes.",
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
	  (.fill | map("to \(.routes)" + (if .uplink_attach == "tc" then " (tc uplink run)" else "" end) +
	    ": +\(.count) in \(.seconds) s") | join(", ")) + "."
	 else empty end),
	""
	) else empty end),
	(if (.fwd | length) > 0 then (
	"## Forwarding rate, workload to workload across hosts (64-byte UDP)",
	"",
	.method.fwd,
	"",
	"| system | extra routes | received pps (median) | min | max | runs | ns/packet, whole path | delivered |",
	"|---|---:|---:|---:|---:|---:|---:|---:|",
	(.fwd_summary[] | "| \(.system) | \(.routes) | \(.rx_pps_median | n) | \(.rx_pps_min | n) | \(.rx_pps_max | n) | \(.runs) | \(.ns_per_pkt_median | n) | \(.delivered_ratio | n) |"),
	"",
	"ns/packet here is 1e9 / rate: everything one CPU spends per frame, generator and",
	"receiving sink included, so only the differences between systems are the paths.",
	(if ([.fwd[] | select(.vtepd_running == false)] | length) > 0 then
	  "", "Note: vtepd was not running during some vtepd runs (see bench/out/vtepd-*.log);" +
	  " its attached programs forwarded without it." else empty end),
	""
	) else empty end),
	"",
	"## Caveats",
	"",
	"- A 2-CPU VM with other work on it: run-to-run spread is large; compare rows of one run.",
	"- bpf_stats put about the floor on every program run; the ns figures include it",
	"  (subtract the floor for what the program itself costs). fwd runs with bpf_stats off.",
	"- Generated traffic is one flow (spread destinations aside); no GRO, no TCP.",
	"- The generator, the receiving NAPI and the whole forwarding path share one CPU, so a",
	"  slower path also slows the generator: rates are processing rates, not offered loads."
' "$OUT/results.json" > "$OUT/results.md"
