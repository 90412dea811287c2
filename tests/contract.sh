#!/bin/bash
# Runs the team's interface contract (../shared/contract/check.sh) against our
# binaries. The contract lives beside the repository (shared/), as in CI; a
# clone on its own has no shared/: then nothing is checked, and that is said
# as a skip (`SKIP contract: ...`, exit 77), never as a pass.
#
# check.sh starts vtepd as `H vtepd ... &` and later kills $!, which is the
# background subshell, not vtepd: vtepd would outlive the check. Running the
# check as pid 1 of its own pid namespace makes the kernel end every process
# it started when it exits, whatever the check's own cleanup does.
set -u
cd "$(dirname "$0")/.."
C=../shared/contract/check.sh
if [ ! -e ../shared/contract ]; then
	echo "SKIP contract: ../shared/contract not present"
	exit 77
fi
# shared/contract is there but the check is not runnable: a broken setup,
# not a clone without it, so a failure.
if [ ! -x "$C" ]; then
	echo "contract: $C missing or not executable"
	exit 1
fi
exec unshare --pid --fork --kill-child "$C" "$PWD/build/vtepd" "$PWD/build/vtepctl"
