#!/usr/bin/env bash
# End to end on the real binaries: journeyctl kafka-dev is the Kafka, kcat the
# producer, journeyd the processor. journeyd is SIGKILLed twice mid-run and
# restarted; at the end every expected drop-off action is on journey.actions,
# and any duplicate repeats an action_id with an identical record.
# Usage: crash_restart.sh <journeyd> <journeyctl> <journeyd-loadgen> <source dir>
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 JOURNEYCTL=$2 LOADGEN=$3 SRC=$4
CUSTOMERS=${E2E_CUSTOMERS:-4000}

"$JOURNEYCTL" kafka-dev --partitions 6 --bootstrap-file "$E2E_DIR/bootstrap" >"$E2E_DIR/kafka.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 30 "kafka-dev bootstrap file" test -s "$E2E_DIR/bootstrap"
BOOTSTRAP=$(cat "$E2E_DIR/bootstrap")

start_journeyd() {
  "$JOURNEYD" --set http.port=0 --set kafka.brokers="$BOOTSTRAP" --set state.dir="$E2E_DIR/state" \
    --set streams.dir="$SRC/tests/data/streams" --set engine.batch_max_events=100 \
    --set kafka.consumer.session.timeout.ms=6000 --set kafka.consumer.fetch.wait.max.ms=10 \
    >>"$E2E_DIR/journeyd.log" 2>&1 &
  JD_PID=$!
  E2E_PIDS+=($JD_PID)
}
action_count() { topic_dump journey.actions | wc -l; }
at_least() { [ "$(action_count)" -ge "$1" ]; }

# Real-time traffic (timestamps = send time) piped into kcat, while journeyd runs and dies.
"$LOADGEN" --journey "$SRC/tests/data/streams/fast_checkout.yaml" --customers "$CUSTOMERS" --arrival 4ms \
  --step-delay 200ms --conversion 0.8,0.6,0.5 --realtime --out - --keyed -q 2>"$E2E_DIR/expect.json" |
  kcat -P -b "$BOOTSTRAP" -t touchpoints -K $'\t' 2>"$E2E_DIR/kcat.log" &
PRODUCER=$!
E2E_PIDS+=($PRODUCER)

start_journeyd
wait_for 60 "first actions" at_least 1
kill -KILL "$JD_PID"; wait "$JD_PID" 2>/dev/null || true
echo "killed journeyd (1) with $(action_count) action(s) out"
start_journeyd
wait_for 60 "more actions after restart" at_least $(( $(action_count) + 20 ))
kill -KILL "$JD_PID"; wait "$JD_PID" 2>/dev/null || true
echo "killed journeyd (2) with $(action_count) action(s) out"
start_journeyd

wait "$PRODUCER" || fail "producer failed: $(cat "$E2E_DIR/kcat.log")"
EXPECTED=$(jq .expected_actions "$E2E_DIR/expect.json")
EXPECTED_CART=$(jq '.stopped_at[1]' "$E2E_DIR/expect.json")
unique_ids() { topic_dump journey.actions | jq -r .action_id | sort -u | wc -l; }
all_there() { [ "$(unique_ids)" -ge "$EXPECTED" ]; }
wait_for 120 "$EXPECTED unique actions" all_there

topic_dump journey.actions >"$E2E_DIR/actions.jsonl"
TOTAL=$(wc -l <"$E2E_DIR/actions.jsonl")
UNIQUE=$(jq -r .action_id "$E2E_DIR/actions.jsonl" | sort -u | wc -l)
DISTINCT_RECORDS=$(jq -c -S . "$E2E_DIR/actions.jsonl" | sort -u | wc -l)
CART=$(jq -r 'select(.type=="cart_abandon_email") | .action_id' "$E2E_DIR/actions.jsonl" | sort -u | wc -l)
echo "expected=$EXPECTED unique=$UNIQUE total=$TOTAL lost=$((EXPECTED - UNIQUE)) duplicates=$((TOTAL - UNIQUE))"
[ "$UNIQUE" -eq "$EXPECTED" ] || fail "expected $EXPECTED unique actions, got $UNIQUE"
[ "$DISTINCT_RECORDS" -eq "$UNIQUE" ] || fail "a repeated action_id carried a different record"
[ "$CART" -eq "$EXPECTED_CART" ] || fail "expected $EXPECTED_CART cart_abandon_email actions, got $CART"
echo "1 passed, 0 failed"
