#!/bin/bash
# Runs Check test binaries (unit or BPF program tests) and fails if any fails.
# Each binary prints Check's own summary line. A binary that cannot run some
# of its cases on this kernel leaves them out and prints one line
# `SKIP <name>: <reason>` for them; one that can run nothing exits 77. Both
# are counted as skipped, never as passed. The last line sums up:
#   binaries: N passed, N failed, N skipped; skipped checks: N (name; ...)
set -u
pass=0; fail=0; skipped=0; skips=()
for t in "$@"; do
	echo "== $t"
	out=$(mktemp)
	# stderr too: a SKIP line counts wherever the binary wrote it.
	CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	mapfile -t names < <(sed -n 's/^SKIP \([^:]*\): .*/\1/p' "$out")
	rm -f "$out"
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
		[ ${#names[@]} -eq 0 ] && { names=("$(basename "$t")"); echo "SKIP ${names[0]}: exited 77"; }
	elif [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	skips+=("${names[@]}")
done
line="binaries: $pass passed, $fail failed, $skipped skipped; skipped checks: ${#skips[@]}"
if [ ${#skips[@]} -gt 0 ]; then
	line+=" ($(printf '%s; ' "${skips[@]}" | sed 's/; $//'))"
fi
echo "$line"
[ $fail -eq 0 ]
