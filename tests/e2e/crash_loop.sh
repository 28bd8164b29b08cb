#!/usr/bin/env bash
# Crash loop, end to end on the real binaries: journeyctl kafka-dev is the Kafka,
# kcat the producer, journeyd the processor. While the load generator sends
# real-time traffic, journeyd is SIGKILLed KILLS times at random points (during
# start-up, recovery, group join and steady processing) and restarted each time;
# at the end every expected action is on journey.actions, and any duplicate
# repeats an action_id with an identical record. Prints lost/duplicated counts.
# `make test` runs it with KILLS=5; `make soak` with KILLS=50 and more traffic.
# Usage: crash_loop.sh <journeyd> <journeyctl> <journeyd-loadgen> <source dir>
# Env: KILLS (5), E2E_CUSTOMERS (4000), ARRIVAL (4ms), PARTITIONS (6),
#      KILL_MIN_MS/KILL_MAX_MS (1000/9000: how long journeyd runs before a kill; a
#      restart waits for the group to rebalance, up to the 6 s session timeout), SEED,
#      DRAIN_SECONDS (180).
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 JOURNEYCTL=$2 LOADGEN=$3 SRC=$4
KILLS=${KILLS:-5}
CUSTOMERS=${E2E_CUSTOMERS:-4000}
ARRIVAL=${ARRIVAL:-4ms}
PARTITIONS=${PARTITIONS:-6}
KILL_MIN_MS=${KILL_MIN_MS:-1000}
KILL_MAX_MS=${KILL_MAX_MS:-9000}
SEED=${SEED:-$$}
RANDOM=$SEED
echo "crash loop: $KILLS kills, $CUSTOMERS customers every $ARRIVAL, $PARTITIONS partitions, seed $SEED"

"$JOURNEYCTL" kafka-dev --partitions "$PARTITIONS" --bootstrap-file "$E2E_DIR/bootstrap" >"$E2E_DIR/kafka.log" 2>&1 &
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
"$LOADGEN" --journey "$SRC/tests/data/streams/fast_checkout.yaml" --customers "$CUSTOMERS" --arrival "$ARRIVAL" \
  --step-delay 200ms --conversion 0.8,0.6,0.5 --realtime --out - --keyed -q 2>"$E2E_DIR/expect.json" |
  kcat -P -b "$BOOTSTRAP" -t touchpoints -K $'\t' 2>"$E2E_DIR/kcat.log" &
PRODUCER=$!
E2E_PIDS+=($PRODUCER)

# A kill point is a random run time: some kills land before the group join or
# during the outbox resend, most during processing. The sleep is the fault's
# timing, not a synchronisation: nothing is asserted until the final drain.
for ((k = 1; k <= KILLS; k++)); do
  start_journeyd
  run_ms=$((KILL_MIN_MS + (RANDOM * 32768 + RANDOM) % (KILL_MAX_MS - KILL_MIN_MS + 1)))
  sleep "$(printf '%d.%03d' $((run_ms / 1000)) $((run_ms % 1000)))"
  kill -KILL "$JD_PID"
  wait "$JD_PID" 2>/dev/null || true
  echo "kill $k/$KILLS after ${run_ms} ms: $(action_count) action record(s) out so far"
done
start_journeyd

wait "$PRODUCER" || fail "producer failed: $(cat "$E2E_DIR/kcat.log")"
EXPECTED=$(jq .expected_actions "$E2E_DIR/expect.json")
EXPECTED_CART=$(jq '.stopped_at[1]' "$E2E_DIR/expect.json")
unique_ids() { topic_dump journey.actions | jq -r .action_id | sort -u | wc -l; }
# Drain: wait (with a deadline) for every expected action, then count, pass or fail.
end=$((SECONDS + ${DRAIN_SECONDS:-180}))
until [ "$(unique_ids)" -ge "$EXPECTED" ] || [ $SECONDS -ge $end ]; do sleep 0.5; done

topic_dump journey.actions >"$E2E_DIR/actions.jsonl"
TOTAL=$(wc -l <"$E2E_DIR/actions.jsonl")
UNIQUE=$(jq -r .action_id "$E2E_DIR/actions.jsonl" | sort -u | wc -l)
DISTINCT_RECORDS=$(jq -c -S . "$E2E_DIR/actions.jsonl" | sort -u | wc -l)
CART=$(jq -r 'select(.type=="cart_abandon_email") | .action_id' "$E2E_DIR/actions.jsonl" | sort -u | wc -l)
echo "kills=$KILLS expected=$EXPECTED unique=$UNIQUE total=$TOTAL lost=$((EXPECTED - UNIQUE)) duplicates=$((TOTAL - UNIQUE))"
[ "$UNIQUE" -eq "$EXPECTED" ] || fail "expected $EXPECTED unique actions, got $UNIQUE"
[ "$DISTINCT_RECORDS" -eq "$UNIQUE" ] || fail "a repeated action_id carried a different record"
[ "$CART" -eq "$EXPECTED_CART" ] || fail "expected $EXPECTED_CART cart_abandon_email actions, got $CART"
echo "1 passed, 0 failed"
