#!/usr/bin/env bash
# End to end on the real binary with a real, unmodified Segment SDK
# (@segment/analytics-node, pinned in segment_sdk/package.json, installed with
# `npm ci` into the temp dir): only its `host` points at journeyd. An anonymous
# visitor views the home page and a product, logs in (identify: the identity
# merge) and adds the product to the cart; the SDK's events land on touchpoints
# as sent (messageIds kept, receivedAt set), the customer query shows the merge
# and the funnel, and the actions (a trigger at once, a 2 s drop-off soon after)
# reach journey.actions and the action history. A request with a wrong write
# key gets a 401 and changes nothing.
# Needs node >= 20 and npm, and the npm registry (or the user's configured
# mirror): without it the test fails, it does not skip.
# Usage: segment_sdk.sh <journeyd> <source dir>
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 SRC=$2
SDK_SRC="$SRC/tests/e2e/segment_sdk"
WRITE_KEY=wk-e2e-sdk
ANON_ID=anon-7f3a9c
USER_ID=user-ada
STREAMS="$E2E_DIR/streams"

# 1. The SDK, exactly as locked (package-lock.json), outside the source tree.
command -v node >/dev/null || fail "node (>= 20) is not installed; the Segment SDK test needs it"
command -v npm >/dev/null || fail "npm is not installed; the Segment SDK test needs it"
mkdir -p "$E2E_DIR/sdk"
cp "$SDK_SRC/package.json" "$SDK_SRC/package-lock.json" "$SDK_SRC/send.mjs" "$E2E_DIR/sdk/"
npm_started=$SECONDS
# Bounded retries: an unreachable registry fails in seconds, not after npm's minute of back-off.
(cd "$E2E_DIR/sdk" && timeout 180 npm ci --no-audit --no-fund --fetch-retries=1 --fetch-retry-mintimeout=1000 \
  --fetch-retry-maxtimeout=3000 --fetch-timeout=30000 >"$E2E_DIR/npm.log" 2>&1) ||
  fail "npm ci could not install @segment/analytics-node (is the npm registry reachable?): $(grep -m3 'npm error' "$E2E_DIR/npm.log")"
SDK_VERSION=$(node -p "require('$E2E_DIR/sdk/node_modules/@segment/analytics-node/package.json').version")
echo "installed @segment/analytics-node $SDK_VERSION in $((SECONDS - npm_started))s"

# 2. A funnel with a short drop-off, and a trigger: both fire for the logged-in customer.
mkdir -p "$STREAMS"
cat >"$STREAMS/sdk_shop.yaml" <<'EOF'
# Home page to purchase, as an anonymous visitor who logs in on the way.
journey: sdk_shop
version: 1
steps:
  - { id: landed,    event: "Page Viewed: Home" }
  - { id: viewed,    event: Product Viewed }
  - { id: added,     event: Product Added, where: { properties.price: { gt: 0 } } }
  - { id: purchased, event: Order Completed }
window: 1h
order: ordered
dropoff:
  - { after: added, for: 2s, action: { type: cart_abandon_email, payload: { template: cart-1 } } }
---
# A big cart gets an offer at once.
trigger: sdk_big_cart
event: Product Added
where: { properties.price: { gte: 100 } }
action: { type: big_cart_offer, payload: { template: vip-1 } }
EOF

"$JOURNEYD" --embedded-kafka --bootstrap-file "$E2E_DIR/bootstrap" --port-file "$E2E_DIR/port" \
  --set state.dir="$E2E_DIR/state" --set http.bind=127.0.0.1 --set http.port=0 --set ingest.write_keys="$WRITE_KEY" \
  --set streams.dir="$STREAMS" --set state.history_retention=7d >"$E2E_DIR/journeyd.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 30 "the port file" test -s "$E2E_DIR/port"
wait_for 30 "the bootstrap file" test -s "$E2E_DIR/bootstrap"
PORT=$(cat "$E2E_DIR/port") BOOTSTRAP=$(cat "$E2E_DIR/bootstrap")
BASE="http://127.0.0.1:$PORT"
get() { curl -sS --noproxy '*' --max-time 10 "$BASE$1"; }
ready() { curl -sf --noproxy '*' --max-time 5 "$BASE/readyz" >/dev/null; }
wait_for 60 "/readyz" ready

sdk() {  # sdk <phase>: the SDK sends the phase's calls; their messageIds go to $E2E_DIR/<phase>.json
  (cd "$E2E_DIR/sdk" && node send.mjs "$1" "$PORT" "$WRITE_KEY" "$ANON_ID" "$USER_ID") >"$E2E_DIR/$1.json" \
    2>"$E2E_DIR/sdk-$1.log" || fail "the Segment SDK ($1) reported errors: $(cat "$E2E_DIR/sdk-$1.log")"
}
customer() { get "/v1/customers/$1"; }
step_at() {  # step_at <customer> <step id>: when the customer reached it, or null
  customer "$1" | jq -r --arg s "$2" '.journeys[]? | select(.definition == "sdk_shop") | .steps[] | select(.id == $s) | .reached_at'
}
reached() { local t; t=$(step_at "$1" "$2") && [ -n "$t" ] && [ "$t" != null ]; }

# 3. Anonymous: page + track in one batch. Wait until journeyd applied them, so the
#    login below merges a known anonymous customer (its events travel in another partition).
sdk anonymous
wait_for 30 "the anonymous visitor at step viewed" reached "$ANON_ID" viewed

# 4. A wrong write key, sent while the SDK logs in: 401 JSON, nothing published.
curl -sS --noproxy '*' --max-time 10 -u "not-the-key:" -H 'Content-Type: application/json' \
  -D "$E2E_DIR/bad.headers" -o "$E2E_DIR/bad.json" -w '%{http_code}' "$BASE/v1/track" \
  -d "{\"userId\":\"$USER_ID\",\"event\":\"Product Added\",\"properties\":{\"price\":500}}" >"$E2E_DIR/bad.status" &
BAD=$!
sdk identified
wait "$BAD" || fail "curl with a wrong write key failed"
[ "$(cat "$E2E_DIR/bad.status")" = 401 ] || fail "a wrong write key got HTTP $(cat "$E2E_DIR/bad.status"), not 401"
jq -e '.error.status == 401 and .error.code == "unauthorized"' "$E2E_DIR/bad.json" >/dev/null ||
  fail "the 401 body is not the JSON error: $(cat "$E2E_DIR/bad.json")"
grep -qi '^WWW-Authenticate: Basic' "$E2E_DIR/bad.headers" || fail "the 401 has no WWW-Authenticate: Basic"

# 5. touchpoints: exactly the SDK's 4 events, keyed userId else anonymousId, messageIds kept,
#    receivedAt/originalTimestamp/sentAt set by the collector.
jq -s '.[0].messageIds + .[1].messageIds' "$E2E_DIR/anonymous.json" "$E2E_DIR/identified.json" >"$E2E_DIR/ids.json"
keyed_dump() { kcat -C -b "$BOOTSTRAP" -t "$1" -o beginning -e -q -J 2>/dev/null || true; }
four() { [ "$(keyed_dump touchpoints | wc -l)" -ge 4 ]; }
wait_for 30 "4 events on touchpoints" four
keyed_dump touchpoints | jq -c '{key} + (.payload | fromjson)' >"$E2E_DIR/touchpoints.jsonl"
jq -e -s --slurpfile ids "$E2E_DIR/ids.json" --arg anon "$ANON_ID" --arg user "$USER_ID" '
  ($ids[0]) as $m
  | length == 4
  and ([.[] | if .type == "track" then .event else .type end] | sort) == ($m | keys | sort)
  and all(.[]; .messageId == $m[if .type == "track" then .event else .type end])
  and all(.[]; .key == (.userId // .anonymousId))
  and all(.[]; (.receivedAt | type) == "string" and (.originalTimestamp | type) == "string"
               and (.sentAt | type) == "string" and (.timestamp | type) == "string")
  and all(.[]; .context.library.name == "@segment/analytics-node")
  and ([.[] | select(.type == "identify")][0] | .userId == $user and .anonymousId == $anon and .traits.plan == "pro")
  and ([.[] | select(.type == "page")][0] | .name == "Home" and .anonymousId == $anon and .userId == null)
' "$E2E_DIR/touchpoints.jsonl" >/dev/null ||
  fail "touchpoints do not hold the SDK's events as sent ($(cat "$E2E_DIR/ids.json")): $(cat "$E2E_DIR/touchpoints.jsonl")"

# 6. The customer: the anonymous id merged into the user, the funnel carried across the login.
wait_for 30 "$USER_ID at step added" reached "$USER_ID" added
customer "$USER_ID" >"$E2E_DIR/customer.json"
jq -e --arg anon "$ANON_ID" --arg user "$USER_ID" '
  .id == $user and (.aliases | index($anon) != null)
  and ([.journeys[] | select(.definition == "sdk_shop") | .steps[]] as $s
       | ($s | map({(.id): .}) | add) as $by
       | $by.landed.reached_at != null and $by.viewed.reached_at != null and $by.added.reached_at != null
         and $by.purchased.reached_at == null
         and $by.added.chain_start == $by.landed.reached_at)
' "$E2E_DIR/customer.json" >/dev/null || fail "no merged funnel for $USER_ID: $(cat "$E2E_DIR/customer.json")"
[ "$(customer "$ANON_ID" | jq -r .id)" = "$USER_ID" ] || fail "GET /v1/customers/$ANON_ID does not resolve to $USER_ID"
LANDED=$(jq -r '.journeys[] | select(.definition == "sdk_shop") | .steps[0].reached_at' "$E2E_DIR/customer.json")

# 7. Actions for the user: the trigger (naming the SDK's messageId) and the drop-off (whose chain
#    began with the anonymous page view) on journey.actions and in GET /v1/actions.
ADDED_ID=$(jq -r '.["Product Added"]' "$E2E_DIR/ids.json")
two_actions() { [ "$(keyed_dump journey.actions | wc -l)" -ge 2 ]; }
wait_for 30 "2 actions (big_cart_offer, cart_abandon_email) for $USER_ID" two_actions
keyed_dump journey.actions >"$E2E_DIR/actions.raw"
jq -e -s --arg user "$USER_ID" 'all(.[]; .key == $user)' "$E2E_DIR/actions.raw" >/dev/null ||
  fail "journey.actions not keyed by $USER_ID: $(cat "$E2E_DIR/actions.raw")"
jq -c '.payload | fromjson' "$E2E_DIR/actions.raw" >"$E2E_DIR/actions.jsonl"
check_actions() {  # check_actions <file with one action per line>
  jq -e -s --arg user "$USER_ID" --arg mid "$ADDED_ID" --arg landed "$LANDED" '
    length == 2 and all(.[]; .customer == $user)
    and ([.[] | select(.type == "big_cart_offer")][0]
         | .definition == "sdk_big_cart" and .trigger == "event" and .message_id == $mid)
    and ([.[] | select(.type == "cart_abandon_email")][0]
         | .definition == "sdk_shop" and .trigger == "dropoff" and .step == "added"
           and .chain_started_at == $landed)
  ' "$1" >/dev/null
}
check_actions "$E2E_DIR/actions.jsonl" || fail "unexpected journey.actions: $(cat "$E2E_DIR/actions.jsonl")"
history_has_both() { get "/v1/actions?customer=$USER_ID" | jq -c '.actions[]' >"$E2E_DIR/history.jsonl" && check_actions "$E2E_DIR/history.jsonl"; }
wait_for 30 "both actions in GET /v1/actions?customer=$USER_ID" history_has_both

echo "segment_sdk e2e: ok (@segment/analytics-node $SDK_VERSION: 4 events in 2 batches, messageIds kept;" \
  "$ANON_ID merged into $USER_ID; actions: $(jq -r .type "$E2E_DIR/actions.jsonl" | sort | paste -sd' '))"
