#!/bin/bash
# Runs Check test binaries (unit or BPF program tests) and fails if any fails.
# Each binary prints Check's own summary line.
set -u
rc=0
for t in "$@"; do
	echo "== $t"
	CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} "$t" || rc=1
done
exit $rc
