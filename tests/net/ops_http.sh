#!/bin/bash
# ops_http.sh - the metrics endpoint under abuse (issue 4, point 5), vtepd
# built with ASan/UBSan: a flood of 2000 scrapes, 32 at a time, from inside
# the host namespace; malformed HTTP (bad method, body on POST, huge header,
# thousands of headers, huge URL, bad or missing version, binary garbage,
# negative length, bad chunking) each gets a non-200 answer or a closed
# connection; 40 slowloris clients trickling a byte every 0.5 s (more than
# the 16 connections served) do not lock scrapers out and are all dropped
# (absolute deadline, eviction: agent/ctl/metrics_conn.h). Afterwards vtepd still answers scrapes that pass promtool,
# keeps every route, forwards, and logged no sanitizer report.
. "$(dirname "$0")/ops_lib.sh"
METRICS="\"127.0.0.1:$MPORT\""
net_begin
ops_use_asan
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1
NS1=$(ns_of h1)
snapshot h1 "$LOGDIR/before.json" || die "cannot snapshot h1"

check "flood: 2000 GET /metrics, 32 at a time" ops_py "$NS1" http-flood 127.0.0.1 "$MPORT" 2000 32
check "vtepd alive after the flood" alive h1
for c in bad-method post bad-path huge-header many-headers huge-url bad-version no-version \
	binary negative-length bad-chunked; do
	check "malformed HTTP: $c: no 200, no hang" ops_py "$NS1" http-bad 127.0.0.1 "$MPORT" "$c"
done

check "slow HTTP: 40 trickling clients dropped, a normal scrape still answered" \
	ops_py "$NS1" http-slow 127.0.0.1 "$MPORT" 40 30
check "vtepd alive after the slow clients" alive h1
closed_counted() {
	metrics_of h1 | grep -E '^vtepd_metrics_connections_closed_total\{reason="(deadline|evicted)"\} [1-9]'
}
check "the closed connections are counted in /metrics" closed_counted

scrape_ok() {
	metrics_of h1 >"$LOGDIR/after.txt" || { echo "no answer"; return 1; }
	promtool check metrics <"$LOGDIR/after.txt"
}
check "a clean scrape still works and passes promtool" scrape_ok
check "routes, ports, vnis, neigh, fdb unchanged" same_snapshot h1 "$LOGDIR/before.json"
check "forwarding unchanged: w11 -> w21" ping_ok "${PFX}w11" 10.1.0.21
check "vtepd alive" alive h1
check "no sanitizer report while running" no_sanitizer_report h1
vtepd_stop h1
check "no sanitizer report after a clean exit (leaks included)" no_sanitizer_report h1
