# Helpers for the deploy kit checks (tests/deploy/*.sh).
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }

# known_metrics <source dir>: every metric name the kit may use, one per line (docs/metrics.md's table,
# histogram series suffixes included, plus tests/deploy/known_metrics.txt).
known_metrics() {
  local src=$1 m
  grep -oE '^\| `[a-z_:]+`' "$src/docs/metrics.md" | tr -d '|` ' | while read -r m; do
    printf '%s\n%s_bucket\n%s_sum\n%s_count\n' "$m" "$m" "$m" "$m"
  done
  grep -vE '^(#|$)' "$src/tests/deploy/known_metrics.txt"
}

# recorded_names <rules file>: the names of its recording rules.
recorded_names() { grep -oE '^\s*-?\s*record:\s*[a-zA-Z_:][a-zA-Z0-9_:]*' "$1" | sed -E 's/.*record:\s*//'; }

# metric_names: reads PromQL on stdin, prints the metric names it mentions (identifiers starting with
# journeyd_ / journeyd: / process_, and `up`), one per line, sorted and unique.
metric_names() {
  grep -oE '\b(journeyd[_:][a-zA-Z0-9_:]*|process_[a-z0-9_]+|up)\b' | sort -u
}

# check_names <what> <known names file>: metric names on stdin that are not in the file fail the test.
check_names() {
  local what=$1 known=$2 n bad=0
  while read -r n; do
    grep -qxF "$n" "$known" || { echo "$what: unknown metric '$n'" >&2; bad=1; }
  done
  return $bad
}
