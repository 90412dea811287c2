#!/bin/bash
# Runs the team's interface contract (../shared/contract/check.sh) against our
# binaries. The contract lives beside the repository (shared/), as in CI.
#
# check.sh starts vtepd as `H vtepd ... &` and later kills $!, which is the
# background subshell, not vtepd: vtepd would outlive the check. Running the
# check as pid 1 of its own pid namespace makes the kernel end every process
# it started when it exits, whatever the check's own cleanup does.
set -u
cd "$(dirname "$0")/.."
C=../shared/contract/check.sh
if [ ! -x "$C" ]; then
	echo "contract: $C not found (shared/ must sit beside the repository)"
	exit 1
fi
exec unshare --pid --fork --kill-child "$C" "$PWD/build/vtepd" "$PWD/build/vtepctl"
