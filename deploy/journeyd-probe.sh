#!/usr/bin/env bash
# journeyd-probe [PATH] [PORT]: exits 0 when journeyd on 127.0.0.1:PORT (default $JOURNEYD_PROBE_PORT,
# else 8080) answers GET PATH (default /healthz) with 200. For container health checks in an image
# without curl: bash's /dev/tcp and builtins only.
set -euo pipefail
path=${1:-/healthz}
port=${2:-${JOURNEYD_PROBE_PORT:-8080}}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3
[[ $status == HTTP/1.[01]\ 200\ * ]]
