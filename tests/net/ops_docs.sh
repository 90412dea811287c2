#!/bin/bash
# ops_docs.sh - the operator's documentation: both man pages render without
# a groff warning; `vtepctl --help` and `vtepctl OBJECT help` answer for
# every object (exit 0), and every object and every JSON key the help names
# is in man/vtepctl.8, so the two cannot drift apart; vtepd --help answers
# and man/vtepd.8 documents each of its options. The same for the docs:
# docs/operating.md (the vtepctl, drop counter and metrics reference) names
# every object, drop counter and metric family, and every vtepctl object,
# counter and metric it names exists; docs/design.md lists every JSON key.
# Needs no namespace and no running vtepd.
. "$(dirname "$0")/ops_lib.sh"
net_begin

man_clean() {
	local w
	w=$(groff -man -Tutf8 -ww -z "$TOP/man/$1" 2>&1) || { echo "$w"; return 1; }
	[ -z "$w" ] || { echo "$w"; return 1; }
	echo "man/$1: no warning"
}
check "man/vtepctl.8 renders without warnings" man_clean vtepctl.8
check "man/vtepd.8 renders without warnings" man_clean vtepd.8

check "vtepctl --help: exit 0, usage" sh -c "'$VTEPCTL' --help | grep -q '^Usage: vtepctl'"
check "vtepctl stats -h (option after the object): the object's help" sh -c \
	"'$VTEPCTL' stats -h | grep -q '^Usage: vtepctl .*stats'"

# help_in_man OBJECT...: its help answers, and the man page names the
# object and every JSON key its help lists.
help_in_man() {
	local h keys k miss=0
	h=$("$VTEPCTL" "$@" help) || { echo "vtepctl $* help failed"; return 1; }
	grep -q "^Usage: vtepctl" <<<"$h" || { echo "no usage for $*"; return 1; }
	grep -qw -- "$*" "$TOP/man/vtepctl.8" || { echo "man page lacks \"$*\""; miss=1; }
	grep -q -- "vtepctl.* $*\b" "$OPS_DOC" || { echo "$OPS_DOC lacks \"vtepctl ... $*\""; miss=1; }
	# The keys of "JSON: [{k1, k2 (note), ...}]", which may span lines; a
	# bare object ({counter_name: value}) has no fixed keys to check.
	keys=$(awk '/^JSON: \[\{/ { on = 1 } on { print } on && /\}\]/ { on = 0 }' <<<"$h" |
		sed 's/^JSON: \[{//; s/}\].*//; s/([^)]*)//g' | tr ',' '\n' |
		sed 's/^ *//; s/ .*//' | grep -E '^[a-z_]{2,}$' | sort -u)
	for k in $keys; do
		grep -qw -- "$k" "$TOP/man/vtepctl.8" || { echo "man page lacks JSON key $k of $*"; miss=1; }
		grep -qw -- "$k" "$DESIGN_DOC" || { echo "$DESIGN_DOC lacks JSON key $k of $*"; miss=1; }
	done
	echo "$*: help ok, $(echo "$keys" | wc -w) JSON keys checked against the man page and $DESIGN_DOC"
	return $miss
}
OPS_DOC=$TOP/docs/operating.md
DESIGN_DOC=$TOP/docs/design.md
for o in routes ports neigh fdb vnis stats peers reload version status pods; do
	check "vtepctl $o help, and the man page covers it" help_in_man "$o"
done
check "vtepctl bgp routes help, and the man page covers it" help_in_man bgp routes

vtepd_opts() {
	local h o miss=0
	h=$("$VTEPD" --help 2>&1) || { echo "vtepd --help failed"; return 1; }
	for o in $(grep -oE -- '--[a-z-]+' <<<"$h" | sort -u); do
		grep -q -- "${o//-/\\\\-}" "$TOP/man/vtepd.8" || { echo "man/vtepd.8 lacks $o"; miss=1; }
	done
	echo "vtepd options checked: $(grep -oE -- '--[a-z-]+' <<<"$h" | sort -u | tr '\n' ' ')"
	return $miss
}
check "vtepd --help answers and man/vtepd.8 documents each option" vtepd_opts

# Every `vtepctl [OPTIONS] OBJECT` that operating.md shows (in code, or as
# a "$ vtepctl ..." command) is an object vtepctl knows: its help answers.
doc_objects_exist() {
	local objs o miss=0
	objs=$(grep -oE '(`|\$ )vtepctl( +-[a-zA-Z]+)* +[a-z]+( routes)?' "$OPS_DOC" |
		sed -E 's/^(`|\$ )vtepctl( +-[a-zA-Z]+)* +//' | sort -u)
	[ -n "$objs" ] || { echo "no vtepctl command found in $OPS_DOC"; return 1; }
	for o in $objs; do
		[ "$o" = bgp ] && o="bgp routes"
		# shellcheck disable=SC2086
		"$VTEPCTL" $o help >/dev/null 2>&1 || { echo "$OPS_DOC shows vtepctl $o: no such object"; miss=1; }
	done
	echo "objects shown in $OPS_DOC: $(echo "$objs" | tr '\n' ' ')"
	return $miss
}
check "every vtepctl object docs/operating.md shows exists" doc_objects_exist

# The counters: every drop_* counter of include/vtep_counters.h has a row in
# operating.md's drop table, and every drop_* name there is a counter.
doc_drops() {
	local code doc c miss=0
	code=$(grep -oE 'X\((drop_[a-z_]+)' "$TOP/include/vtep_counters.h" | sed 's/^X(//' | sort -u)
	doc=$(grep -oE '`drop_[a-z_]+`' "$OPS_DOC" | tr -d '`' | sort -u)
	for c in $code; do
		grep -q "^| .*\`$c\`.* | \(port\|uplink\) |" "$OPS_DOC" || { echo "$OPS_DOC: no row for $c"; miss=1; }
	done
	for c in $doc; do
		grep -qx "$c" <<<"$code" || { echo "$OPS_DOC names $c: no such counter"; miss=1; }
	done
	echo "$(echo "$code" | wc -w) drop counters in the code, $(echo "$doc" | wc -w) named in $OPS_DOC"
	return $miss
}
check "every drop counter has a row in docs/operating.md, and each named exists" doc_drops

# The metrics: every family vtepd exports (the vtepd_* names in
# agent/ctl/metrics*.c, and the per-peer counters listed once in
# agent/bgp/bgp_peer.h) has a row in operating.md's table, and every vtepd_*
# name operating.md or design.md mentions is one of them (a histogram's
# series end in _bucket, _sum, _count).
doc_metrics() {
	local code doc m base miss=0
	code=$(grep -ohE '"vtepd_[a-z_]+' "$TOP"/agent/ctl/metrics*.c "$TOP"/agent/bgp/bgp_peer.h |
		tr -d '"' | sort -u)
	[ -n "$code" ] || { echo "no metric family found in agent/ctl/metrics*.c"; return 1; }
	for m in $code; do
		grep -q "^| \`$m\` |" "$OPS_DOC" || { echo "$OPS_DOC: no row for $m"; miss=1; }
	done
	doc=$(grep -ohE '\bvtepd_[a-z_]+' "$OPS_DOC" "$DESIGN_DOC" | sort -u)
	for m in $doc; do
		base=$(sed -E 's/_(bucket|sum|count)$//' <<<"$m")
		grep -qx -- "$m" <<<"$code" || grep -qx -- "$base" <<<"$code" ||
			{ echo "the docs name $m: vtepd exports no such metric"; miss=1; }
	done
	echo "$(echo "$code" | wc -w) metric families in the code, $(echo "$doc" | wc -w) names in the docs"
	return $miss
}
check "every metric family has a row in docs/operating.md, and each named exists" doc_metrics
