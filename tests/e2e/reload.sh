#!/usr/bin/env bash
# End to end on the real binaries: definition lifecycle. journeyd refuses an
# invalid streams folder; `journeyctl reload` (SIGHUP) applies a new version,
# refuses a change without a version bump and an invalid folder, and a removed
# definition stops emitting.
# Usage: reload.sh <journeyd> <journeyctl> <source dir>
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 JOURNEYCTL=$2
STREAMS="$E2E_DIR/streams"
mkdir -p "$STREAMS"

define() {  # define <file> <yaml>
  printf '%s\n' "$2" >"$STREAMS/$1"
}
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
send() {  # send <event name>: one track event for customer u1, now
  printf 'u1\t{"type":"track","event":"%s","userId":"u1","timestamp":"%s"}\n' "$1" "$(now)" |
    kcat -P -b "$BOOTSTRAP" -t touchpoints -K $'\t'
}
types() { topic_dump journey.actions | jq -r .type | tr '\n' ' '; }
has_types() { [ "$(types)" = "$1" ]; }
logged() { grep -q "$1" "$E2E_DIR/journeyd.log"; }

# 1. An invalid folder: journeyd does not start, and says where.
define bad.yaml $'trigger: ping\nevent: Ping\naction: {type: ping}\nwindow: 1h'
set +e
"$JOURNEYD" --embedded-kafka --set http.port=0 --set state.dir="$E2E_DIR/refused" --set streams.dir="$STREAMS" \
  >"$E2E_DIR/refused.log" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "journeyd started on an invalid definition (exit $rc)"
grep -q "bad.yaml:4:1: unknown key 'window'" "$E2E_DIR/refused.log" || fail "no file:line:col in: $(cat "$E2E_DIR/refused.log")"
rm "$STREAMS/bad.yaml"

# 2. Version 1 runs.
"$JOURNEYCTL" kafka-dev --partitions 2 --bootstrap-file "$E2E_DIR/bootstrap" >"$E2E_DIR/kafka.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 30 "kafka-dev bootstrap file" test -s "$E2E_DIR/bootstrap"
BOOTSTRAP=$(cat "$E2E_DIR/bootstrap")
define ping.yaml $'trigger: ping\nversion: 1\nevent: Ping\naction: {type: ping_v1}'
define pong.yaml $'trigger: pong\nevent: Pong\naction: {type: pong}'
"$JOURNEYD" --set http.port=0 --set kafka.brokers="$BOOTSTRAP" --set state.dir="$E2E_DIR/state" --set streams.dir="$STREAMS" \
  --set kafka.consumer.session.timeout.ms=6000 --set kafka.consumer.fetch.wait.max.ms=10 \
  >>"$E2E_DIR/journeyd.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 30 "the pid file" test -s "$E2E_DIR/state/journeyd.pid"
send Ping
wait_for 60 "ping_v1" has_types "ping_v1 "

# 3. Version 2 applies after a reload.
define ping.yaml $'trigger: ping\nversion: 2\nevent: Ping\naction: {type: ping_v2}'
"$JOURNEYCTL" reload --state-dir "$E2E_DIR/state" --streams "$STREAMS" >"$E2E_DIR/reload.log"
wait_for 30 "the reload" logged "reloaded 2 definition(s)"
send Ping
wait_for 30 "ping_v2" has_types "ping_v1 ping_v2 "

# 4. A change without a version bump is refused; version 2 keeps running.
define ping.yaml $'trigger: ping\nversion: 2\nevent: Ping\naction: {type: ping_v3}'
"$JOURNEYCTL" reload --state-dir "$E2E_DIR/state" >>"$E2E_DIR/reload.log"
wait_for 30 "the refusal" logged "version 2 changed since journeyd first ran it; bump its version"
send Ping
wait_for 30 "ping_v2 again" has_types "ping_v1 ping_v2 ping_v2 "

# 5. An invalid folder is refused by journeyctl before anything is sent.
define broken.yaml $'trigger: broken\nevent: X\naction: {type: x}\nwindow: 1h'
set +e
"$JOURNEYCTL" reload --state-dir "$E2E_DIR/state" --streams "$STREAMS" >"$E2E_DIR/refused-reload.log"
rc=$?
set -e
[ $rc -eq 1 ] || fail "journeyctl reload accepted an invalid folder (exit $rc)"
grep -q "broken.yaml:4:1:" "$E2E_DIR/refused-reload.log" || fail "no file:line:col from journeyctl reload"
rm "$STREAMS/broken.yaml"

# 6. A removed definition stops: Ping (before Pong, same key, same partition) emits nothing now.
rm "$STREAMS/ping.yaml"
"$JOURNEYCTL" reload --state-dir "$E2E_DIR/state" --streams "$STREAMS" >>"$E2E_DIR/reload.log"
wait_for 30 "the reload without ping" logged "reloaded 1 definition(s)"
send Ping
send Pong
wait_for 30 "pong" has_types "ping_v1 ping_v2 ping_v2 pong "
echo "reload e2e: ok ($(types))"
