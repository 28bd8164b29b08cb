#!/usr/bin/env bash
# Resource bounds, end to end on the real binaries: journeyd starts behind a backlog
# while its action topic is stalled, and its memory stays under the budget the
# configuration gives (journeyd_memory_budget_bytes, docs/operations.md "Memory").
#   1. Two kafka-dev clusters: IN holds the touchpoint backlog, OUT takes what
#      journeyd produces (kafka.producer.bootstrap.servers). OUT is SIGSTOPped:
#      a slow action topic at its slowest, its connections open but silent.
#   2. journeyd reads the backlog until the outbox reaches engine.max_outbox_mb,
#      then pauses its input (journeyd_input_paused 1) and consumes nothing more
#      while OUT stays stopped.
#   3. OUT resumes (SIGCONT); journeyd drains the backlog and every expected
#      action arrives on OUT.
# It prints the backlog, the pauses, the largest outbox seen, the peak RSS
# (VmHWM) and the budget; it fails if the outbox outgrows its bound, if
# consumption goes on while paused, if an action is lost, or if the peak RSS is
# over the budget.
# Usage: backlog_memory.sh <journeyd> <journeyctl> <journeyd-loadgen> <source dir>
# Env: E2E_CUSTOMERS (30000; the mock cluster keeps ~5 MiB per partition, ~40000 customers' worth here),
#      MAX_OUTBOX_MB (2), STALL_SECONDS (5)
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 JOURNEYCTL=$2 LOADGEN=$3 SRC=$4
CUSTOMERS=${E2E_CUSTOMERS:-30000}
MAX_OUTBOX_MB=${MAX_OUTBOX_MB:-2}
STALL_SECONDS=${STALL_SECONDS:-5}

for side in in out; do
  "$JOURNEYCTL" kafka-dev --partitions 6 --bootstrap-file "$E2E_DIR/$side.bootstrap" >"$E2E_DIR/kafka-$side.log" 2>&1 &
  E2E_PIDS+=($!)
  [ $side = out ] && OUT_PID=$!
done
wait_for 30 "kafka-dev bootstrap files" test -s "$E2E_DIR/in.bootstrap" -a -s "$E2E_DIR/out.bootstrap"
IN=$(cat "$E2E_DIR/in.bootstrap") OUT=$(cat "$E2E_DIR/out.bootstrap")

# The backlog: historical event times, so drop-off timers fire while it drains.
"$LOADGEN" --journey "$SRC/tests/data/streams/fast_checkout.yaml" --customers "$CUSTOMERS" --arrival 2ms \
  --step-delay 200ms --conversion 0.8,0.6,0.5 --brokers "$IN" --expect-file "$E2E_DIR/expect.json" -q \
  >"$E2E_DIR/loadgen.log" 2>&1 || fail "loadgen: $(cat "$E2E_DIR/loadgen.log")"
EXPECTED=$(jq .expected_actions "$E2E_DIR/expect.json")
BACKLOG=$(jq .events "$E2E_DIR/expect.json")

kill -STOP "$OUT_PID"
"$JOURNEYD" --port-file "$E2E_DIR/port" --set http.bind=127.0.0.1 --set http.port=0 \
  --set kafka.brokers="$IN" --set kafka.producer.bootstrap.servers="$OUT" --set state.dir="$E2E_DIR/state" \
  --set streams.dir="$SRC/tests/data/streams" --set engine.max_outbox_mb="$MAX_OUTBOX_MB" \
  --set state.block_cache_mb=32 --set state.write_buffer_mb=16 --set state.cache_customers=20000 \
  --set engine.batch_max_events=1000 --set engine.max_event_bytes=4096 --set ingest.max_event_bytes=4096 \
  --set kafka.consumer.queued.max.messages.kbytes=4096 \
  --set kafka.consumer.fetch.wait.max.ms=10 >"$E2E_DIR/journeyd.log" 2>&1 &
JD_PID=$!
E2E_PIDS+=($JD_PID)
wait_for 60 "the port file" test -s "$E2E_DIR/port"
URL="http://127.0.0.1:$(cat "$E2E_DIR/port")"

scrape() { curl -sf "$URL/metrics" >"$E2E_DIR/metrics.txt"; }
value() { grep -E "^$1 " "$E2E_DIR/metrics.txt" | awk '{printf "%d\n", $NF}'; }
MAX_OUTBOX=0
sample() {  # scrape, and keep the largest outbox seen
  scrape || return 1
  local b
  b=$(value journeyd_outbox_bytes)
  [ "${b:-0}" -gt "$MAX_OUTBOX" ] && MAX_OUTBOX=$b
  return 0
}
paused() { sample && [ "$(value journeyd_input_paused)" = 1 ]; }
wait_for 120 "backpressure to pause the input" paused
CONSUMED=$(value journeyd_events_consumed_total)
[ "$CONSUMED" -lt "$BACKLOG" ] || fail "the whole backlog ($BACKLOG) was consumed before the pause"
# Stalled: the input stays paused and nothing more is consumed. (The wait is the fault's
# length; the assertion is on counters, which must not move at all.)
end=$((SECONDS + STALL_SECONDS))
while [ $SECONDS -lt $end ]; do
  sample
  [ "$(value journeyd_input_paused)" = 1 ] || fail "input resumed while the action topic was stopped"
  sleep 0.5
done
[ "$(value journeyd_events_consumed_total)" = "$CONSUMED" ] ||
  fail "consumed went from $CONSUMED to $(value journeyd_events_consumed_total) while paused"
echo "stalled: paused after $CONSUMED of $BACKLOG events; outbox $(value journeyd_outbox_bytes) bytes"

kill -CONT "$OUT_PID"
BOOTSTRAP=$OUT
unique_ids() { topic_dump journey.actions | jq -r .action_id | sort -u | wc -l; }
drained() { sample && [ "$(value journeyd_events_consumed_total)" -ge "$BACKLOG" ] && [ "$(unique_ids)" -ge "$EXPECTED" ]; }
wait_for 300 "the backlog to drain and $EXPECTED actions on the action topic" drained
sample

UNIQUE=$(unique_ids)
PAUSES=$(value journeyd_input_pauses_total)
BUDGET=$(value journeyd_memory_budget_bytes)
HWM_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$JD_PID/status")
LIMIT=$((MAX_OUTBOX_MB << 20))
echo "backlog=$BACKLOG events expected=$EXPECTED unique=$UNIQUE lost=$((EXPECTED - UNIQUE)) pauses=$PAUSES" \
  "max_outbox=$((MAX_OUTBOX >> 10)) KiB (bound $((LIMIT >> 10)) KiB) peak_rss=$((HWM_KB >> 10)) MiB" \
  "budget=$((BUDGET >> 20)) MiB"
grep -F "memory budget" "$E2E_DIR/journeyd.log" | head -n1
[ "$UNIQUE" -eq "$EXPECTED" ] || fail "expected $EXPECTED unique actions, got $UNIQUE"
[ "$PAUSES" -ge 1 ] || fail "backpressure never paused the input"
# Timers fire only into the outbox's headroom, and the input pauses after the batch that reaches the
# bound: what goes over is the estimate's error (and any records the events of one batch make).
[ "$MAX_OUTBOX" -le $((LIMIT * 5 / 4)) ] || fail "the outbox reached $MAX_OUTBOX bytes, bound $LIMIT"
# Under a sanitizer (make asan, make tsan) RSS holds shadow memory and quarantines: not comparable.
if ldd "$JOURNEYD" | grep -qE 'lib(asan|tsan)'; then
  echo "sanitizer build: peak RSS not compared with the budget"
else
  [ $((HWM_KB * 1024)) -le "$BUDGET" ] || fail "peak RSS $((HWM_KB >> 10)) MiB is over the budget $((BUDGET >> 20)) MiB"
fi
echo "1 passed, 0 failed"
