#!/usr/bin/env bash
# End to end: the live dashboard (GET /, WebSocket /v1/live) in a real browser. journeyd runs with
# the embedded Kafka and a read token; a small journey has a 2 s drop-off that raises an alert. While
# curl sends customers through the collector (a new one every ~0.3 s: they view, most add to the cart,
# some buy, the rest drop off), Debian's chromium (headless, driven by playwright-core, pinned in
# dashboard/package-lock.json and installed with `npm ci` into the temp dir) opens /?token=… and
# dashboard/dashboard.mjs checks: the page loads, the badge says connected, snapshots keep coming,
# events/s rises, a drop-off alert is listed, lag is shown, the journey's funnel shows customers and a
# growing count, and no console error (a CSP violation would be one). A screenshot is saved.
# Needs node >= 20, npm, the npm registry (or the user's mirror) and /usr/bin/chromium
# (tools/install-deps.sh): without them the test fails, it does not skip.
# Usage: dashboard.sh <journeyd> <source dir> <screenshot.png>
source "$(dirname "$0")/lib.sh"
JOURNEYD=$1 SRC=$2 SCREENSHOT=$3
UI_SRC="$SRC/tests/e2e/dashboard"
WRITE_KEY=wk-e2e-dash
TOKEN=dash-e2e-read-1
JOURNEY=e2e_dash
STREAMS="$E2E_DIR/streams"

command -v node >/dev/null || fail "node (>= 20) is not installed; the dashboard test needs it"
command -v npm >/dev/null || fail "npm is not installed; the dashboard test needs it"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is not installed (tools/install-deps.sh installs it)"

# 1. playwright-core, exactly as locked, outside the source tree (it drives the system chromium:
#    no browser download).
mkdir -p "$E2E_DIR/ui"
cp "$UI_SRC/package.json" "$UI_SRC/package-lock.json" "$UI_SRC/dashboard.mjs" "$E2E_DIR/ui/"
(cd "$E2E_DIR/ui" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 180 npm ci --no-audit --no-fund --fetch-retries=1 \
  --fetch-retry-mintimeout=1000 --fetch-retry-maxtimeout=3000 --fetch-timeout=30000 >"$E2E_DIR/npm.log" 2>&1) ||
  fail "npm ci could not install playwright-core (is the npm registry reachable?): $(grep -m3 'npm error' "$E2E_DIR/npm.log")"

# 2. A funnel whose drop-off after `added` raises an alert 2 s later.
mkdir -p "$STREAMS"
cat >"$STREAMS/$JOURNEY.yaml" <<EOF
# The dashboard e2e test's journey: view, add to cart, buy; stalling after the cart raises an alert.
journey: $JOURNEY
version: 1
steps:
  - { id: viewed,    event: Product Viewed }
  - { id: added,     event: Product Added }
  - { id: purchased, event: Order Completed }
window: 1h
order: ordered
dropoff:
  - { after: added, for: 2s, alert: { severity: warning } }
EOF

"$JOURNEYD" --embedded-kafka --port-file "$E2E_DIR/port" \
  --set state.dir="$E2E_DIR/state" --set http.bind=127.0.0.1 --set http.port=0 --set ingest.write_keys="$WRITE_KEY" \
  --set http.tokens="dash:read:$TOKEN" --set streams.dir="$STREAMS" --set state.history_retention=7d \
  >"$E2E_DIR/journeyd.log" 2>&1 &
E2E_PIDS+=($!)
wait_for 30 "the port file" test -s "$E2E_DIR/port"
BASE="http://127.0.0.1:$(cat "$E2E_DIR/port")"
ready() { curl -sf --noproxy '*' --max-time 5 "$BASE/readyz" >/dev/null; }
wait_for 60 "/readyz" ready

# 3. The routes as HTTP: the page needs the token, /v1/live without a WebSocket handshake is 426.
status() { curl -s --noproxy '*' --max-time 10 -o /dev/null -w '%{http_code}' "$@"; }
[ "$(status "$BASE/")" = 401 ] || fail "GET / without a token is not 401"
[ "$(status "$BASE/?token=$TOKEN")" = 200 ] || fail "GET /?token= is not 200"
[ "$(status -H "Authorization: Bearer $TOKEN" "$BASE/v1/live")" = 426 ] || fail "a plain GET /v1/live is not 426"

# 4. Customers, one batch each: every one views; 2 of 3 add to the cart; every 4th of those buys, the
#    others drop off. Paced, not asserted on.
send_customer() {  # send_customer <n>
  local id="dash-$1" events
  events="{\"type\":\"track\",\"userId\":\"$id\",\"event\":\"Product Viewed\"}"
  if [ $(($1 % 3)) -ne 0 ]; then
    events+=",{\"type\":\"track\",\"userId\":\"$id\",\"event\":\"Product Added\",\"properties\":{\"price\":9.5}}"
    [ $(($1 % 4)) -eq 1 ] && events+=",{\"type\":\"track\",\"userId\":\"$id\",\"event\":\"Order Completed\"}"
  fi
  curl -sf --noproxy '*' --max-time 10 -u "$WRITE_KEY:" -H 'Content-Type: application/json' \
    -d "{\"batch\":[$events]}" "$BASE/v1/batch" >/dev/null
}
for n in 1 2 3 4 5; do send_customer "$n" || fail "the collector refused a batch"; done
(n=6; while :; do send_customer "$n" || true; n=$((n + 1)); sleep 0.3; done) >/dev/null 2>&1 &
SENDER=$!
E2E_PIDS+=($SENDER)

# 5. The browser.
rm -f "$SCREENSHOT"
(cd "$E2E_DIR/ui" && timeout 240 node dashboard.mjs "$BASE/?token=$TOKEN" "$SCREENSHOT" "$JOURNEY") ||
  fail "the dashboard checks failed (screenshot: $SCREENSHOT)"
kill "$SENDER" 2>/dev/null || true
[ -s "$SCREENSHOT" ] || fail "no screenshot at $SCREENSHOT"
echo "dashboard e2e: ok (chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), screenshot $SCREENSHOT)"
