#!/usr/bin/env bash
# End to end: /metrics of a live journeyd after real traffic (the Segment
# collector, a malformed message straight to Kafka, API calls) passes
# `promtool check metrics` and carries the figures ops need.
# Usage: metrics.sh <journeyd> <source dir>
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 SRC=$2
command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus; make installs it)"

"$JOURNEYD" --embedded-kafka --bootstrap-file "$E2E_DIR/bootstrap" --port-file "$E2E_DIR/port" \
  --set http.bind=127.0.0.1 --set http.port=0 --set ingest.write_keys=wk --set state.dir="$E2E_DIR/state" \
  --set streams.dir="$SRC/streams" --set kafka.consumer.fetch.wait.max.ms=10 >"$E2E_DIR/journeyd.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 60 "the port file" test -s "$E2E_DIR/port"
URL="http://127.0.0.1:$(cat "$E2E_DIR/port")"
BOOTSTRAP=$(cat "$E2E_DIR/bootstrap")
ready() { curl -sf "$URL/readyz" >/dev/null; }
wait_for 60 "/readyz" ready

now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
# Three detractors (nps_detractor: a trigger with an action and an alert) and one bad request.
for u in u1 u2 u3; do
  curl -sf -u wk: -d "{\"userId\":\"$u\",\"event\":\"NPS Submitted\",\"properties\":{\"score\":3},\"timestamp\":\"$(now)\"}" \
    "$URL/v1/track" >/dev/null || fail "track for $u"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -u wk: -d '{"event":"x"}' "$URL/v1/track")
[ "$code" = 400 ] || fail "missing identity answered $code"
printf 'k\t{"type":"track",\n' | kcat -P -b "$BOOTSTRAP" -t touchpoints -K $'\t'   # a parse_error

scrape() { curl -sf "$URL/metrics" >"$E2E_DIR/metrics.txt"; }
value() {  # value <series exactly as exposed>: its sample value, or nothing
  grep -F "$1 " "$E2E_DIR/metrics.txt" | tail -n1 | awk '{print $NF}'
}
settled() {
  scrape && [ "$(value 'journeyd_actions_total{journey="nps_detractor",type="detractor_followup"}')" = 3 ] &&
    [ "$(value 'journeyd_events_rejected_total{category="parse_error"}')" = 1 ]
}
wait_for 60 "3 actions and 1 parse_error in /metrics" settled

# promtool: the exposition is valid and lint-clean.
promtool check metrics <"$E2E_DIR/metrics.txt" >"$E2E_DIR/promtool.out" 2>&1 ||
  fail "promtool check metrics: $(cat "$E2E_DIR/promtool.out")"
[ ! -s "$E2E_DIR/promtool.out" ] || fail "promtool lint: $(cat "$E2E_DIR/promtool.out")"

expect() {  # expect <series> <value>
  local v
  v=$(value "$1")
  [ "$v" = "$2" ] || fail "$1 is '${v}', expected $2"
}
expect 'journeyd_events_consumed_total' 4
expect 'journeyd_events_decoded_total' 3
expect 'journeyd_alerts_total{journey="nps_detractor",severity="info"}' 3
expect 'journeyd_ingest_events_accepted_total' 3
expect 'journeyd_ingest_events_rejected_total{code="missing_identity"}' 1
expect 'journeyd_http_requests_total{route="/v1/track",method="POST",status="200"}' 3
expect 'journeyd_http_requests_total{route="/v1/track",method="POST",status="400"}' 1
expect 'journeyd_partitions_assigned' 6
for name in 'journeyd_consumer_lag_messages{partition="0"}' 'journeyd_watermark_delay_seconds{partition=' \
  'journeyd_outbox_depth' 'journeyd_timers_pending' 'journeyd_state_size_bytes{part="sst"}' \
  'journeyd_state_block_cache_hits_total' 'journeyd_http_request_duration_seconds_bucket{route="/v1/track",status="200",le="+Inf"} 3' \
  'journeyd_event_commit_latency_seconds_count' 'process_resident_memory_bytes'; do
  grep -qF "$name" "$E2E_DIR/metrics.txt" || fail "no $name in /metrics"
done
echo "metrics e2e: promtool clean, $(grep -vc '^#' "$E2E_DIR/metrics.txt") samples"

# SIGTERM: HTTP drains, the pipeline stops cleanly, the process exits 0.
JD=${E2E_PIDS[0]}
kill -TERM "$JD"
gone() { ! kill -0 "$JD" 2>/dev/null; }
wait_for 60 "journeyd to exit after SIGTERM" gone
set +e
wait "$JD"
rc=$?
set -e
E2E_PIDS=()
[ $rc -eq 0 ] || fail "journeyd exited $rc after SIGTERM"
grep -q "stopping: draining http" "$E2E_DIR/journeyd.log" || fail "no http drain in the log"
grep -q "stopped cleanly" "$E2E_DIR/journeyd.log" || fail "no clean stop in the log"
