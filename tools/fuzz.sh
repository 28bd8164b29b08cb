#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (cmake preset `fuzz`: clang-14, ASan+UBSan, build/fuzz)
# and runs each for a bounded time on a scratch copy of its seed corpus (tests/fuzz/corpus/<target>).
# Prints the executions per target and fails on the first crash, leak, timeout, out-of-memory or
# broken invariant, with the path of the reproducer. docs/reliability.md, "Fuzzing".
#
#   FUZZ_SECONDS=60          run time per target
#   FUZZ_TARGETS="decoder loader http"
#   FUZZ_MERGE=1             merge the inputs that found new coverage back into tests/fuzz/corpus/
#   FUZZ_RSS_MB=2048         memory limit per run (libFuzzer -rss_limit_mb)
#   FUZZ_ARGS="..."          more libFuzzer flags (e.g. -seed=1)
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-decoder loader http}
MERGE=${FUZZ_MERGE:-0}
RSS_MB=${FUZZ_RSS_MB:-2048}
BUILD=build/fuzz
WORK=$BUILD/work

declare -A MAX_LEN=([decoder]=4096 [loader]=8192 [http]=8192)

echo "fuzz: building the libFuzzer targets (cmake --preset fuzz → $BUILD)"
[ -f "$BUILD/build.ninja" ] || cmake --preset fuzz >/dev/null
bins=()
for t in $TARGETS; do bins+=("${t}_fuzz"); done
cmake --build "$BUILD" --target "${bins[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

summary=$WORK/summary.txt
mkdir -p "$WORK"
printf '%-8s %12s %9s %8s %8s %9s  %s\n' target executions exec/s cov corpus seconds result >"$summary"
failed=()
for t in $TARGETS; do
  corpus=tests/fuzz/corpus/$t
  [ -d "$corpus" ] || { echo "fuzz: no seed corpus $corpus" >&2; exit 2; }
  dir=$WORK/$t
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$corpus"/* "$dir/corpus/"  # the repository's corpus stays as it is (see FUZZ_MERGE)
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  log=$dir/fuzz.log
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (log: $log)"
  rc=0
  # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
  timeout --kill-after=30 $((SECONDS_PER_TARGET + 600)) \
    "$BUILD/tests/fuzz/${t}_fuzz" "$dir/corpus" "${dict[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="${MAX_LEN[$t]:-4096}" -rss_limit_mb="$RSS_MB" \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" ${FUZZ_ARGS:-} \
    >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$last")
  units=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    result="FAILED (exit $rc)"
    failed+=("$t")
    echo "fuzz: $t FAILED — what broke:" >&2
    grep -E 'invariant broken|ERROR: |SUMMARY: |runtime error' "$log" | head -5 | sed 's/^/    /' >&2 || true
    if [ -n "$reproducer" ]; then
      echo "fuzz: reproducer: $reproducer" >&2
      echo "fuzz: replay it: $BUILD/tests/fuzz/${t}_fuzz $reproducer" >&2
      echo "fuzz: once fixed, keep it: cp $reproducer tests/fuzz/corpus/$t/regress_<what>" >&2
    else
      echo "fuzz: no reproducer written; see $log" >&2
    fi
  fi
  printf '%-8s %12s %9s %8s %8s %9s  %s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${units:-?}" \
    "${took:-?}" "$result" >>"$summary"
  echo "fuzz: $t: ${runs:-?} executions in ${took:-?}s — $result"
  if [ "$MERGE" = 1 ] && [ "$rc" -eq 0 ]; then
    before=$(ls "$corpus" | wc -l)
    "$BUILD/tests/fuzz/${t}_fuzz" -merge=1 -max_len="${MAX_LEN[$t]:-4096}" -rss_limit_mb="$RSS_MB" \
      -timeout=10 "$corpus" "$dir/corpus" >"$dir/merge.log" 2>&1
    echo "fuzz: $t: merged into $corpus ($before → $(ls "$corpus" | wc -l) files)"
  fi
done

echo
cat "$summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash, leak, timeout or broken invariant"
