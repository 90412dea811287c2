#!/bin/bash
# Runs the team's interface contract (../shared/contract/check.sh) against our
# binaries. The contract lives beside the repository (shared/), as in CI.
set -u
cd "$(dirname "$0")/.."
C=../shared/contract/check.sh
if [ ! -x "$C" ]; then
	echo "contract: $C not found (shared/ must sit beside the repository)"
	exit 1
fi
"$C" "$PWD/build/vtepd" "$PWD/build/vtepctl"
