#!/usr/bin/env bash
# The deploy kit's manifests: YAML parses and agrees with the repository (manifests.py), the Dockerfile
# keeps its promises, `kubectl kustomize` and `docker-compose config` accept the files when those tools
# are installed, and journeyd starts with the Kubernetes config file, answers the image's probe, and
# stops on SIGTERM within the StatefulSet's grace period.
# Usage: manifests.sh <source dir> [<journeyd binary>]
# Exit 77 (skipped) when no Python with PyYAML is installed (Debian package python3-yaml).
source "$(dirname "$0")/lib.sh"
SRC=$1 JOURNEYD=${2:-}
TMP=$(mktemp -d /tmp/journeyd-deploy-XXXXXX)
PID=
cleanup() {
  local rc=$?
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
  if [ $rc -ne 0 ] && [ -f "$TMP/journeyd.log" ]; then echo "--- journeyd log:"; tail -n 30 "$TMP/journeyd.log"; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PY=
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "SKIP: no python3 with PyYAML (Debian package python3-yaml)"; exit 77; }
"$PY" "$(dirname "$0")/manifests.py" "$SRC" "$TMP"

D=$SRC/deploy/Dockerfile
grep -q '^FROM debian:bookworm AS build' "$D" || fail "Dockerfile: build stage must be debian:bookworm"
grep -q '^FROM debian:bookworm-slim' "$D" || fail "Dockerfile: runtime stage must be debian:bookworm-slim"
grep -q 'tools/install-deps.sh' "$D" || fail "Dockerfile: build deps must come from tools/install-deps.sh"
grep -q '^USER 10001' "$D" || fail "Dockerfile: must run as uid 10001"
grep -q '^EXPOSE 8080' "$D" || fail "Dockerfile: EXPOSE 8080"
grep -q 'state.dir=/var/lib/journeyd' "$D" && grep -q 'streams.dir=/etc/journeyd/streams' "$D" ||
  fail "Dockerfile: the entrypoint must set state.dir and streams.dir"
# Every file the Dockerfile copies from the context exists and passes Dockerfile.dockerignore.
for f in $(grep -E '^COPY [^-]' "$D" | sed -E 's/^COPY +//' | awk '{$NF=""; print}'); do
  [ -e "$SRC/$f" ] || fail "Dockerfile copies $f, which does not exist"
  ok=
  while read -r inc; do
    inc=${inc#!} inc=${inc%/} f=${f%/}
    [[ $f == "$inc" || $f == "$inc"/* ]] && ok=1
  done < <(grep '^!' "$SRC/deploy/Dockerfile.dockerignore")
  [ -n "$ok" ] || fail "Dockerfile.dockerignore leaves out $f"
done

if command -v kubectl >/dev/null; then
  kubectl kustomize "$SRC/deploy/k8s" >"$TMP/k8s.yaml" || fail "kubectl kustomize deploy/k8s"
  echo "kubectl kustomize: $(grep -c '^kind:' "$TMP/k8s.yaml") objects"
else
  echo "kubectl not installed: kustomize build not checked"
fi
if command -v docker-compose >/dev/null; then
  (cd "$SRC/deploy" && docker-compose -f compose.yaml config -q) || fail "docker-compose config"
  echo "docker-compose config: ok"
elif docker compose version >/dev/null 2>&1; then
  (cd "$SRC/deploy" && docker compose -f compose.yaml config -q) || fail "docker compose config"
  echo "docker compose config: ok"
else
  echo "docker-compose not installed: compose.yaml checked by manifests.py only"
fi

[ -n "$JOURNEYD" ] || exit 0
# journeyd with the ConfigMap's journeyd.yaml (and its webhooks.yaml when journeyd has webhooks.file),
# Kafka unreachable: it must serve /healthz, refuse /readyz, and stop cleanly on SIGTERM.
args=(--config "$TMP/journeyd.yaml" --set kafka.brokers=127.0.0.1:9 --set state.dir="$TMP/state"
      --set streams.dir="$SRC/streams" --set http.bind=127.0.0.1 --set http.port=0 --port-file "$TMP/port")
if "$JOURNEYD" --config-reference | grep -q '`webhooks.file`'; then
  args+=(--set webhooks.file="$TMP/webhooks.yaml")
  export JOURNEYD_WEBHOOK_SECRET_CRM=test-secret
fi
"$JOURNEYD" "${args[@]}" >"$TMP/journeyd.log" 2>&1 &
PID=$!
end=$((SECONDS + 60))
until [ -s "$TMP/port" ]; do
  kill -0 "$PID" 2>/dev/null || fail "journeyd exited with the k8s config: $(tail -n 5 "$TMP/journeyd.log")"
  [ $SECONDS -lt $end ] || fail "journeyd did not listen within 60 s"
  sleep 0.2
done
PORT=$(cat "$TMP/port")
PROBE=$SRC/deploy/journeyd-probe.sh
end=$((SECONDS + 30))
until bash "$PROBE" /healthz "$PORT"; do
  [ $SECONDS -lt $end ] || fail "journeyd-probe /healthz did not succeed"
  sleep 0.2
done
! bash "$PROBE" /readyz "$PORT" || fail "journeyd-probe /readyz succeeded without Kafka"
! bash "$PROBE" /nope "$PORT" || fail "journeyd-probe succeeded on a 404"
GRACE=$(grep -oE 'terminationGracePeriodSeconds: [0-9]+' "$SRC/deploy/k8s/statefulset.yaml" | awk '{print $2}')
kill -TERM "$PID"
start=$SECONDS
for _ in $(seq 1 $((GRACE * 5))); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$PID" 2>/dev/null && fail "journeyd still running ${GRACE}s after SIGTERM (terminationGracePeriodSeconds)"
rc=0; wait "$PID" || rc=$?
PID=
[ $rc -eq 0 ] || fail "journeyd exited with $rc after SIGTERM"
echo "journeyd with the k8s config: /healthz ok, /readyz 503 without Kafka, stopped in $((SECONDS - start)) s"
