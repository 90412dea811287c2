#!/bin/bash
# run.sh - every network scenario, one after the other, each under a time
# limit: tests/net/NN-*.sh first, then the other scenario scripts of this
# directory (bgp_*.sh, ops_*.sh, ...; libraries *lib.sh are not scenarios).
# Each scenario prints one PASS/FAIL line per check, or a `SKIP <name>:
# <reason>` line for a check this kernel cannot run (lib.sh's skip), and
# cleans up after itself; a scenario that dies without a FAIL line counts as
# one failure. A skip is neither: a scenario whose every check was skipped
# has not failed (nor passed anything). A scenario that exits 77 before it
# checks anything was skipped as a whole. The last line sums up all checks:
# `net: N passed, N failed, N skipped`.
#
#   tests/net/run.sh              all scenarios
#   tests/net/run.sh 03 09        only those whose names start so
#   MODES=xdp tests/net/run.sh    scenarios that loop over uplink modes: only
#                                 xdp (default "auto xdp"; xdp is skipped,
#                                 with the reason, where the kernel refuses it)
set -u
cd "$(dirname "$0")/../.." || exit 1
LIMIT=${NET_TEST_LIMIT:-300}   # seconds per scenario
pass=0; fail=0; skipped=0; failed=()
# Namespaces a scenario leaves behind fail it: every scenario removes what
# it made (lib.sh's NS_CREATED). Only our prefixes (each library's default,
# or PFX) are watched, so other work on the machine is never counted.
PREFIXES=${PFX:-$(sed -n 's/^PFX=\${PFX:-\(.*\)}$/\1/p' tests/net/*.sh | sort -u | tr '\n' ' ')}
our_netns() {
	local n p
	ip netns list 2>/dev/null | awk '{print $1}' | while read -r n; do
		for p in $PREFIXES; do [[ $n == "$p"* ]] && { echo "$n"; break; }; done
	done | sort
}
scenarios=(tests/net/[0-9][0-9]-*.sh)
for t in tests/net/*.sh; do
	case $(basename "$t") in
	[0-9][0-9]-*.sh | run.sh | *lib.sh) ;;
	*) scenarios+=("$t") ;;
	esac
done
for t in "${scenarios[@]}"; do
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		want=0
		for p in "$@"; do [[ $name == "$p"* ]] && want=1; done
		[ $want -eq 1 ] || continue
	fi
	echo "== $name"
	t0=$SECONDS
	out=$(mktemp)
	before=$(our_netns)
	timeout -k 10 "$LIMIT" bash "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	left=$(comm -13 <(echo "$before") <(our_netns) | tr '\n' ' ')
	if [ -n "${left// /}" ]; then
		echo "FAIL $name: left network namespaces behind: $left" | tee -a "$out"
		for n in $left; do ip netns del "$n" 2>/dev/null; done
	fi
	p=$(grep -c '^PASS ' "$out"); f=$(grep -c '^FAIL ' "$out"); s=$(grep -c '^SKIP ' "$out")
	rm -f "$out"
	if [ "$rc" -eq 77 ] && [ "$f" -eq 0 ] && [ "$p" -eq 0 ]; then
		# Skipped as a whole; it should have said why, else we say it.
		[ "$s" -eq 0 ] && { s=1; echo "SKIP $name: exited 77 without a SKIP line"; }
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		[ "$rc" -eq 124 ] && echo "FAIL $name: timed out after ${LIMIT}s" || echo "FAIL $name: exited $rc"
	fi
	pass=$((pass + p)); fail=$((fail + f)); skipped=$((skipped + s))
	[ "$f" -gt 0 ] && failed+=("$name")
	echo "== $name: $p passed, $f failed, $s skipped ($((SECONDS - t0))s)"
done
[ ${#failed[@]} -gt 0 ] && echo "failed scenarios: ${failed[*]}"
echo "net: $pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
