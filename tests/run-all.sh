#!/bin/bash
# The whole suite, as `make test` and .ci/run run it. Each suite runs even when
# an earlier one failed; the last line sums them up, honestly:
#
#   suites: N passed, N failed, N skipped; skipped checks: N (name; name; ...)
#
# A suite passes (exit 0), fails (any other status) or is skipped as a whole
# (exit 77: nothing it checks can run here, e.g. the contract without
# ../shared). Inside a passing suite, a check this kernel cannot run prints
# `SKIP <name>: <reason>` instead of passing silently; every such line of
# every suite's output is counted and named in the closing line.
#
# make turns any failing recipe's status into 2, so a suite that may exit 77
# runs its script directly, after make has built what it needs.
set -u
cd "$(dirname "$0")/.." || exit 1
pass=0; fail=0; skip=0; failed=(); skipped=(); checks=()
suite() {
	local name=$1 out rc t0=$SECONDS
	shift
	echo "===== $name"
	out=$(mktemp)
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	mapfile -t -O ${#checks[@]} checks < <(sed -n 's/^SKIP \([^:]*\): .*/\1/p' "$out")
	rm -f "$out"
	case $rc in
	0) pass=$((pass + 1)); echo "===== $name: ok ($((SECONDS - t0))s)" ;;
	77) skip=$((skip + 1)); skipped+=("$name"); echo "===== $name: skipped ($((SECONDS - t0))s)" ;;
	*) fail=$((fail + 1)); failed+=("$name"); echo "===== $name: FAILED ($((SECONDS - t0))s)" ;;
	esac
}
contract() {
	make --no-print-directory all || return 1
	./tests/contract.sh
}
suite unit        make --no-print-directory test-unit
suite unit-asan   make --no-print-directory test-asan
suite fuzz        make --no-print-directory fuzz-smoke
suite bpf         make --no-print-directory test-bpf
suite net         make --no-print-directory test-net
suite bench-quick make --no-print-directory bench-quick
suite contract    contract
suite docs        ./tests/docs_links.sh
suite layering    ./tests/layering.sh
suite k8s-deploy  ./tests/k8s_deploy.sh
[ ${#failed[@]} -gt 0 ] && echo "failed suites: ${failed[*]}"
[ ${#skipped[@]} -gt 0 ] && echo "skipped suites: ${skipped[*]}"
line="suites: $pass passed, $fail failed, $skip skipped; skipped checks: ${#checks[@]}"
[ ${#checks[@]} -gt 0 ] && line+=" ($(printf '%s; ' "${checks[@]}" | sed 's/; $//'))"
echo "$line"
[ $fail -eq 0 ]
