#!/bin/bash
# ops_docs.sh - the operator's documentation (issue 4, point 1): both man
# pages render without a groff warning; `vtepctl --help` and `vtepctl
# OBJECT help` answer for every object (exit 0), and every object and every
# JSON key the help names is in man/vtepctl.8, so the two cannot drift apart;
# vtepd --help answers and man/vtepd.8 documents each of its options.
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
	# The keys of "JSON: [{k1, k2 (note), ...}]", which may span lines; a
	# bare object ({counter_name: value}) has no fixed keys to check.
	keys=$(awk '/^JSON: \[\{/ { on = 1 } on { print } on && /\}\]/ { on = 0 }' <<<"$h" |
		sed 's/^JSON: \[{//; s/}\].*//; s/([^)]*)//g' | tr ',' '\n' |
		sed 's/^ *//; s/ .*//' | grep -E '^[a-z_]{2,}$' | sort -u)
	for k in $keys; do
		grep -qw -- "$k" "$TOP/man/vtepctl.8" || { echo "man page lacks JSON key $k of $*"; miss=1; }
	done
	echo "$*: help ok, $(echo "$keys" | wc -w) JSON keys checked against the man page"
	return $miss
}
for o in routes ports neigh fdb vnis stats peers reload version; do
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
