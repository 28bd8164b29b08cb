# Helpers for the e2e scripts: temp dir, process cleanup, waiting on conditions
# with deadlines (never fixed sleeps as assertions).
set -euo pipefail

E2E_DIR=$(mktemp -d /tmp/journeyd-e2e-XXXXXX)
E2E_PIDS=()
cleanup() {
  local rc=$?
  # CONT first: a test may have stopped one (SIGSTOP). Whatever has not exited 10 s after the TERM is
  # killed, so a failed test never hangs in its cleanup.
  for pid in "${E2E_PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true; done
  local end=$((SECONDS + 10))
  for pid in "${E2E_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ $rc -ne 0 ]; then
    echo "--- e2e failed (rc=$rc); logs in $E2E_DIR ---"
    for f in "$E2E_DIR"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 30 "$f"; }; done
  else
    rm -rf "$E2E_DIR"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_for <seconds> <description> <command...>: polls until the command succeeds.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local end=$((SECONDS + secs))
  until "$@"; do
    [ $SECONDS -ge $end ] && fail "timed out after ${secs}s waiting for: $what"
    sleep 0.2
  done
}

# All records of a topic, from the beginning, one per line.
topic_dump() { kcat -C -b "$BOOTSTRAP" -t "$1" -o beginning -e -q 2>/dev/null || true; }
