#!/bin/bash
# run.sh - runs the libFuzzer targets built by the Makefile (make fuzz-smoke,
# fuzz-long, fuzz-merge). One target at a time, one process each (no -jobs,
# no -fork: the machine is small and shared).
#
#   run.sh smoke NAME...  replay tests/fuzz/regress/NAME/* (each a crash once
#                         found: must pass), then FUZZ_SECONDS of fuzzing from
#                         the seeds; fails on any crash
#   run.sh long NAME...   FUZZ_SECONDS (and FUZZ_RUNS executions when not 0)
#                         per target; the corpus grows in
#                         $FUZZ_DIR/NAME/corpus, crashes go to
#                         $FUZZ_DIR/NAME/artifacts; prints one table
#   run.sh merge NAME...  adds to tests/fuzz/corpus/NAME/ only the inputs of
#                         $FUZZ_DIR/NAME/corpus that bring new coverage
#   run.sh cov NAME REGEX [DIR...]  the coverage (edges) that the corpus (or
#                         DIRs) reaches in the source files whose path
#                         matches REGEX (-print_coverage=1)
set -u
cd "$(dirname "$0")/../.."
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
FUZZ_RUNS=${FUZZ_RUNS:-0}
mode=${1:-}; shift || true

# Per target: libFuzzer options and how many seconds a smoke run gets.
opts() {
	case $1 in
	bgp)     echo "-max_len=8192 -timeout=10" ;;
	config)  echo "-max_len=8192 -timeout=10 -dict=tests/fuzz/config.dict" ;;
	control) echo "-max_len=8192 -timeout=10 -dict=tests/fuzz/control.dict" ;;
	packet)  echo "-max_len=2048 -timeout=10" ;;
	cni)     echo "-max_len=8192 -timeout=10 -dict=tests/fuzz/cni.dict" ;;
	esac
}
# fuzz_packet spends about 2 s on its namespace, veths and program loads
# before the first input; its smoke run has the same fuzzing time otherwise.
smoke_seconds() { echo "$FUZZ_SECONDS"; }

common="-rss_limit_mb=2048 -print_final_stats=1"

replay() {
	local t=$1 bin=$FUZZ_DIR/fuzz_$1 files=()
	shopt -s nullglob
	files=(tests/fuzz/regress/"$t"/*)
	shopt -u nullglob
	[ ${#files[@]} -eq 0 ] && return 0
	echo "fuzz $t: replaying ${#files[@]} regression input(s)"
	"$bin" $(opts "$t") -runs=1 "${files[@]}" >"$FUZZ_DIR/$t/regress.log" 2>&1 || {
		cat "$FUZZ_DIR/$t/regress.log"; echo "fuzz $t: a regression input crashes"; return 1; }
}

# stats LOG: "executions cov total" from a libFuzzer log.
stats() {
	local log=$1 execs cov total
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
	total=$(sed -n 's/.*(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -1)
	echo "${execs:-?} ${cov:-?} ${total:-?}"
}

run_one() {
	local t=$1 secs=$2 runs=$3 log=$4 bin=$FUZZ_DIR/fuzz_$1
	mkdir -p "$FUZZ_DIR/$t/corpus" "$FUZZ_DIR/$t/artifacts"
	local extra=""
	[ "$runs" != 0 ] && extra="-runs=$runs"
	"$bin" $(opts "$t") $common -max_total_time="$secs" $extra \
		-artifact_prefix="$FUZZ_DIR/$t/artifacts/" \
		"$FUZZ_DIR/$t/corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
}

case $mode in
smoke)
	rc=0
	for t in "$@"; do
		mkdir -p "$FUZZ_DIR/$t"
		replay "$t" || { rc=1; continue; }
		s=$(smoke_seconds "$t")
		if run_one "$t" "$s" 0 "$FUZZ_DIR/$t/smoke.log"; then
			read -r e c n < <(stats "$FUZZ_DIR/$t/smoke.log")
			echo "fuzz $t: ok, $e executions in ${s}s, cov $c of $n counters"
		else
			tail -60 "$FUZZ_DIR/$t/smoke.log"
			echo "fuzz $t: FAILED (log: $FUZZ_DIR/$t/smoke.log, input in $FUZZ_DIR/$t/artifacts/)"
			rc=1
		fi
	done
	exit $rc
	;;
long)
	rows=()
	rc=0
	for t in "$@"; do
		log=$FUZZ_DIR/$t/long.log
		mkdir -p "$FUZZ_DIR/$t"
		echo "fuzz $t: ${FUZZ_SECONDS}s$([ "$FUZZ_RUNS" != 0 ] && echo " or $FUZZ_RUNS runs") (log: $log)"
		t0=$SECONDS
		if run_one "$t" "$FUZZ_SECONDS" "$FUZZ_RUNS" "$log"; then crash=0; else crash=1; rc=1; fi
		read -r e c n < <(stats "$log")
		ncrash=$(find "$FUZZ_DIR/$t/artifacts" -type f | wc -l)
		corpus=$(find "$FUZZ_DIR/$t/corpus" -type f | wc -l)
		extra=""
		if [ "$t" = bgp ] && [ -n "${FUZZ_CODEC_COV:-}" ]; then
			extra=$("$0" cov bgp "$FUZZ_CODEC_COV" | tail -1)
		fi
		rows+=("$(printf '%-8s %8ss %12s %6s / %-6s %5s%% %7s %7s  %s' "$t" $((SECONDS - t0)) "$e" "$c" "$n" \
			"$(awk -v c="$c" -v n="$n" 'BEGIN { if (n + 0 > 0) printf "%.0f", 100 * c / n; else print "?" }')" \
			"$corpus" "$ncrash$([ $crash = 1 ] && echo '!')" "$extra")")
	done
	echo
	printf '%-8s %9s %12s %15s %6s %7s %7s\n' target time executions "cov / counters" "" corpus crashes
	printf '%s\n' "${rows[@]}"
	[ $rc -eq 0 ] || echo "crashes: see $FUZZ_DIR/<target>/artifacts and long.log"
	exit $rc
	;;
merge)
	for t in "$@"; do
		[ -d "$FUZZ_DIR/$t/corpus" ] || continue
		before=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
		"$FUZZ_DIR/fuzz_$t" $(opts "$t") -merge=1 "tests/fuzz/corpus/$t" "$FUZZ_DIR/$t/corpus" \
			>"$FUZZ_DIR/$t/merge.log" 2>&1 || { tail -20 "$FUZZ_DIR/$t/merge.log"; exit 1; }
		echo "fuzz $t: tests/fuzz/corpus/$t: $before -> $(find "tests/fuzz/corpus/$t" -type f | wc -l) inputs"
	done
	;;
cov)
	# The build without ASan/UBSan (make $FUZZ_DIR/cov/fuzz_NAME) when
	# there is one: the sanitizers' error paths are counters no input
	# reaches, which would make every function look half covered.
	t=$1 re=$2 log=$FUZZ_DIR/$1/cov.log bin=$FUZZ_DIR/cov/fuzz_$1 kind="without sanitizers"
	[ -x "$bin" ] || { bin=$FUZZ_DIR/fuzz_$t; kind="with ASan/UBSan counters"; }
	shift 2
	dirs=("$@")
	[ ${#dirs[@]} -eq 0 ] && dirs=("$FUZZ_DIR/$t/corpus" "tests/fuzz/corpus/$t")
	mkdir -p "$FUZZ_DIR/$t/corpus"
	"$bin" $(opts "$t") -runs=0 -print_coverage=1 "${dirs[@]}" >"$log" 2>&1
	# COVERED_FUNC: hits: H edges: C/T name file:line; UNCOVERED_FUNC: ...
	awk -v re="$re" '
		/^(COVERED|UNCOVERED)_FUNC:/ {
			if ($NF !~ re) next
			for (i = 1; i <= NF; i++) if ($i == "edges:") { split($(i + 1), e, "/"); c += e[1]; n += e[2] }
		}
		END { printf "%d of %d edges (%.0f%%) in %s, %s\n", c, n, n ? 100 * c / n : 0, re, kind }' \
		kind="$kind" "$log"
	;;
*)
	echo "usage: $0 smoke|long|merge NAME... | cov NAME REGEX" >&2
	exit 2
	;;
esac
