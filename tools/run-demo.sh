#!/usr/bin/env bash
# `make run`: journeyd with embedded Kafka + demo traffic, then follow the actions.
# Usage: tools/run-demo.sh <build dir>. DEMO_SECONDS=N stops after N seconds (default: until Ctrl-C);
# HTTP_PORT=N serves HTTP there (default 8080; 0: any free port).
set -euo pipefail
BUILD=${1:-build/release}
RUN="$BUILD/run"
HTTP_PORT=${HTTP_PORT:-8080}
WRITE_KEY=demo-write-key
ADMIN_TOKEN=demo-admin-token
rm -rf "$RUN" && mkdir -p "$RUN"   # the embedded Kafka is new each run, so is the state

"$BUILD/src/app/journeyd" --embedded-kafka --bootstrap-file "$RUN/bootstrap" \
  --port-file "$RUN/port" --set http.port="$HTTP_PORT" --set ingest.write_keys="$WRITE_KEY" \
  --set http.tokens="demo:admin:$ADMIN_TOKEN" \
  --set state.dir="$RUN/state" --set streams.dir=streams >"$RUN/journeyd.log" 2>&1 &
JD=$!
PIDS=($JD)
stop() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo
  echo "stopped. journeyd log: $RUN/journeyd.log"
}
trap stop EXIT
trap 'exit 0' INT TERM

for _ in $(seq 1 150); do [ -s "$RUN/port" ] && break; kill -0 $JD 2>/dev/null || { cat "$RUN/journeyd.log"; exit 1; }; sleep 0.2; done
BS=$(cat "$RUN/bootstrap")
URL="http://localhost:$(cat "$RUN/port")"

# 100k customers walking streams/checkout.yaml; event time runs ~200x faster than the
# wall clock (and ends at "now"), so 30-minute drop-offs fire within seconds.
"$BUILD/tools/loadgen/journeyd-loadgen" --journey streams/checkout.yaml --customers 100000 \
  --arrival 1s --step-delay 5m --rate 500 --brokers "$BS" -q >"$RUN/loadgen.log" 2>&1 &
PIDS+=($!)

cat <<TXT
journeyd is running with an embedded Kafka (librdkafka mock cluster) and demo traffic.

  bootstrap servers  $BS   (also in $RUN/bootstrap)
  journeyd log       $RUN/journeyd.log
  actions            kcat -C -b $BS -t journey.actions
  alerts             kcat -C -b $BS -t journey.alerts
  rejected events    kcat -C -b $BS -t touchpoints.dlq
  send your own      echo '{"type":"track","event":"Product Viewed","userId":"me"}' | kcat -P -b $BS -t touchpoints -k me

  dashboard          $URL/?token=$ADMIN_TOKEN   (live funnel, alerts, actions, lag)
  funnel             curl -H 'Authorization: Bearer $ADMIN_TOKEN' '$URL/v1/journeys/checkout/funnel?from=1h'
                     $BUILD/src/cli/journeyctl funnel --url $URL --journey checkout --token $ADMIN_TOKEN
  HTTP API           $URL   (docs/api.md)
  metrics            curl $URL/metrics
  health             curl $URL/readyz
  a customer         curl -H 'Authorization: Bearer $ADMIN_TOKEN' $URL/v1/customers/me
  Segment collector  curl -u $WRITE_KEY: -d '{"userId":"me","event":"Product Viewed"}' $URL/v1/track

Following journey.actions (Ctrl-C to stop):
TXT
FOLLOW=(kcat -C -q -b "$BS" -t journey.actions -o beginning -u)
if [ -n "${DEMO_SECONDS:-}" ]; then
  timeout "$DEMO_SECONDS" "${FOLLOW[@]}" | jq -c --unbuffered '{type, customer, step, due_at, action_id}' || true
else
  "${FOLLOW[@]}" | jq -c --unbuffered '{type, customer, step, due_at, action_id}'
fi
