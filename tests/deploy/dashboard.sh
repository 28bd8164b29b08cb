#!/usr/bin/env bash
# deploy/grafana/journeyd.json: valid JSON, a dashboard with the `journey` variable, and every PromQL
# expression (panel targets, variable queries) names only metrics that exist (docs/metrics.md,
# tests/deploy/known_metrics.txt) or recording rules of deploy/prometheus/rules.yml, and parses
# (promtool check rules on a generated file).
# Usage: dashboard.sh <source dir>
source "$(dirname "$0")/lib.sh"
SRC=$1
DASH=$SRC/deploy/grafana/journeyd.json
RULES=$SRC/deploy/prometheus/rules.yml
TMP=$(mktemp -d /tmp/journeyd-deploy-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

jq -e . "$DASH" >/dev/null || fail "$DASH is not valid JSON"
jq -e '.uid and .title and (.schemaVersion >= 36) and (.panels | length > 0)' "$DASH" >/dev/null ||
  fail "$DASH: uid, title, schemaVersion >= 36 and panels expected"
jq -e '.templating.list | any(.name == "journey" and
         ((.query | if type == "object" then .query else . end) | test("label_values\\(journeyd_funnel_reached, *journey\\)")))' \
  "$DASH" >/dev/null || fail "$DASH: the journey variable must be label_values(journeyd_funnel_reached, journey)"
jq -e '[.panels[] | select(.type != "row") | .targets | length > 0] | all' "$DASH" >/dev/null ||
  fail "$DASH: a panel without a query"
jq -e '[.panels[] | .id] | length == (unique | length)' "$DASH" >/dev/null || fail "$DASH: duplicate panel ids"

# Every expression: panel targets (also inside collapsed rows) and query variables.
jq -r '[(.panels[], (.panels[] | .panels[]?)) | .targets[]? | .expr // empty]
       + [.templating.list[] | select(.type == "query") | .query | if type == "object" then .query else . end]
       | .[]' "$DASH" >"$TMP/exprs"
[ -s "$TMP/exprs" ] || fail "$DASH: no expressions found"

{ known_metrics "$SRC"; recorded_names "$RULES"; } | sort -u >"$TMP/known"
metric_names <"$TMP/exprs" >"$TMP/used"
check_names "$DASH" "$TMP/known" <"$TMP/used" || fail "$DASH names metrics that do not exist"

# PromQL syntax: each panel expression as a recording rule, Grafana's variables replaced by values.
if command -v promtool >/dev/null; then
  {
    echo "groups: [{name: dashboard, rules: ["
    grep -v '^label_values(' "$TMP/exprs" |
      sed -e 's/\$__rate_interval/5m/g' -e 's/\$__interval/1m/g' -e 's/\$journey/checkout/g' |
      jq -cR '{record: "dashboard:expr", expr: .}' | paste -sd, -
    echo "]}]"
  } >"$TMP/rules.yml"
  promtool check rules "$TMP/rules.yml" >"$TMP/promtool.out" 2>&1 ||
    fail "a dashboard expression does not parse: $(cat "$TMP/promtool.out")"
else
  fail "promtool is missing (Debian package prometheus; make installs it)"
fi
echo "$(wc -l <"$TMP/exprs") expressions, $(wc -l <"$TMP/used") metrics: ok"
