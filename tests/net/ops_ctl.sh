#!/bin/bash
# ops_ctl.sh - bad input on the control socket (issue 4, point 5), against a
# running vtepd built with ASan/UBSan: oversized, truncated, invalid-JSON,
# unknown-command, deeply nested, bad-argument, binary and NUL requests each
# get an error reply or a closed connection; more idle connections than
# vtepd serves are refused or reaped; slowloris clients are dropped; vtepctl
# keeps working, every route and port is still there, vtepd is alive and its
# log holds no sanitizer report (also none at exit: LeakSanitizer).
. "$(dirname "$0")/ops_lib.sh"
net_begin
ops_use_asan
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1
SOCK=$(sock_of h1)

check "the control socket is root-only (0600)" sh -c "stat -c %a '$SOCK' | grep -x 600"
snapshot h1 "$LOGDIR/before.json" || die "cannot snapshot h1"

for c in oversized oversized-no-newline truncated truncated-eof invalid-json \
	unknown-command deeply-nested bad-arguments binary-garbage nul-bytes; do
	check "control: $c: refused or dropped" ops_py ctl "$SOCK" "$c"
done
check "vtepctl works after the bad requests" vt h1 -j peers

# More connections than vtepd serves (32): the extra ones are told "too
# many clients", the others are dropped after 10 s of silence.
bg idle "$PY" "$OPS_CLIENT" ctl-idle "$SOCK" 48 25
idle=$BG
# (peers goes through the socket; map dumps such as routes do not need it)
check_until "while 32 idle clients hold every slot, vtepctl peers fails cleanly (exit 1)" 5 \
	sh -c "nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$SOCK' -j peers; [ \$? -eq 1 ]"
check "and vtepctl routes still works from the pinned maps" vt h1 -j routes
check "idle clients: the extra ones refused, the rest reaped by vtepd" bg_wait "$idle" 40
check "vtepctl works again once they are gone" vt h1 -j peers

# Slowloris: one byte every half second never completes a request; vtepd
# drops each client 10 s after its request began.
check "slowloris: 32 clients trickling bytes are all dropped" ops_py ctl-slow "$SOCK" 32 25
check "vtepctl works after the slowloris clients" vt h1 -j peers

# A valid edit still works, and is undone.
check "a valid routes add is accepted" vt h1 routes add vni 100 prefix 10.1.0.99/32 vtep 192.0.2.2 mac 02:00:00:00:00:99
check "and deleted" vt h1 routes del vni 100 prefix 10.1.0.99/32
check "routes, ports, vnis, neigh, fdb unchanged by all of it" same_snapshot h1 "$LOGDIR/before.json"
check "forwarding unchanged: w11 -> w21" ping_ok "${PFX}w11" 10.1.0.21
check "vtepd alive" alive h1
check "no sanitizer report while running" no_sanitizer_report h1
vtepd_stop h1
check "no sanitizer report after a clean exit (leaks included)" no_sanitizer_report h1
