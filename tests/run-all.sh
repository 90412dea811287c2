#!/bin/bash
# The whole suite, as `make test` and .ci/run run it. Each suite runs even when
# an earlier one failed; the last line sums them up.
set -u
cd "$(dirname "$0")/.."
pass=0; fail=0; failed=()
suite() {
	local name=$1; shift
	echo "===== $name"
	local t0=$SECONDS
	if "$@"; then pass=$((pass+1)); echo "===== $name: ok ($((SECONDS-t0))s)"
	else fail=$((fail+1)); failed+=("$name"); echo "===== $name: FAILED ($((SECONDS-t0))s)"; fi
}
suite unit        make --no-print-directory test-unit
suite unit-asan   make --no-print-directory test-asan
suite fuzz        make --no-print-directory fuzz-smoke
suite bpf         make --no-print-directory test-bpf
suite net         make --no-print-directory test-net
suite bench-quick make --no-print-directory bench-quick
suite contract    make --no-print-directory test-contract
suite docs        ./tests/docs_links.sh
suite layering    ./tests/layering.sh
[ ${#failed[@]} -gt 0 ] && echo "failed suites: ${failed[*]}"
echo "suites: $pass passed, $fail failed"
[ $fail -eq 0 ]
