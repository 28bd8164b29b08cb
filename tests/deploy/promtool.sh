#!/usr/bin/env bash
# deploy/prometheus: promtool check rules / check config / test rules (rules_test*.yml), every metric the
# rules name exists (docs/metrics.md, tests/deploy/known_metrics.txt, the recording rules), every alert has
# a severity (its own or, for JourneydAggregateAlertFiring, the series'), and every runbook_url points
# at a heading of docs/operations.md.
# Usage: promtool.sh <source dir>
source "$(dirname "$0")/lib.sh"
SRC=$1
DIR=$SRC/deploy/prometheus
TMP=$(mktemp -d /tmp/journeyd-deploy-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus; make installs it)"

promtool check rules "$DIR/rules.yml"
promtool check config "$DIR/prometheus.yml"
(cd "$DIR" && promtool test rules rules_test.yml rules_test_weekly.yml)

{ known_metrics "$SRC"; recorded_names "$DIR/rules.yml"; } | sort -u >"$TMP/known"
grep -vE '^\s*#' "$DIR/rules.yml" | metric_names >"$TMP/used"
check_names "$DIR/rules.yml" "$TMP/known" <"$TMP/used" || fail "rules.yml names metrics that do not exist"

# Alerts and their runbooks: alert names, severities and anchors in file order.
alerts=$(grep -cE '^\s*- alert:' "$DIR/rules.yml")
severities=$(grep -cE '^\s*severity: (critical|warning|info)$' "$DIR/rules.yml")
[ "$severities" -eq $((alerts - 1)) ] ||  # JourneydAggregateAlertFiring takes the series' severity label
  fail "rules.yml: $alerts alerts but $severities severity labels (critical, warning or info)"
runbooks=$(grep -cE '^\s*runbook_url: docs/operations\.md#' "$DIR/rules.yml")
[ "$runbooks" -eq "$alerts" ] || fail "rules.yml: $alerts alerts but $runbooks runbook_url annotations"
# GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces to -.
grep -E '^#+ ' "$SRC/docs/operations.md" | sed -E 's/^#+ +//' | tr 'A-Z' 'a-z' |
  sed -E 's/[^a-z0-9 _-]//g; s/ /-/g' >"$TMP/anchors"
grep -oE 'runbook_url: docs/operations\.md#[a-z0-9_-]+' "$DIR/rules.yml" | sed 's/.*#//' | while read -r a; do
  grep -qxF "$a" "$TMP/anchors" || fail "rules.yml: runbook anchor #$a is not a heading of docs/operations.md"
done
grep -oE '^\s*- alert: [A-Za-z0-9]+' "$DIR/rules.yml" | sed 's/.*alert: //' | tr 'A-Z' 'a-z' | while read -r a; do
  grep -q "docs/operations.md#$a\$" "$DIR/rules.yml" || fail "rules.yml: alert $a has no runbook_url #$a"
done
echo "$alerts alerts, $(wc -l <"$TMP/used") metrics: ok"
