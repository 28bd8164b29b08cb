#!/usr/bin/env bash
# Installs every Debian package that the build, the tests and the tools need.
# Idempotent: when everything is present it only checks and exits.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev        # Kafka client + rdkafka_mock.h (embedded/mock cluster)
  libsimdjson-dev       # event decoding
  librocksdb-dev        # state store
  libyaml-cpp-dev       # journey definitions, config file
  libboost-dev          # Boost.Outcome (errors as values), Beast/Asio (HTTP)
  libssl-dev openssl    # optional TLS of the HTTP server; the TLS tests make certificates with openssl
  libcurl4-openssl-dev  # webhooks: the HTTP client (libcurl multi interface)
  libspdlog-dev libfmt-dev
  libcli11-dev          # command lines
  libxxhash-dev         # deterministic action ids
  libhowardhinnant-date-dev tzdata  # quiet hours: IANA zones from /usr/share/zoneinfo
  libgtest-dev libgmock-dev libbenchmark-dev
  libvalijson-dev nlohmann-json3-dev  # JSON Schema checks of schemas/ in the tests
  kcat jq curl          # e2e tests and the demo
  prometheus            # promtool: the tests check /metrics with `promtool check metrics`
  nodejs                # the Segment SDK e2e test (npm registry: @segment/analytics-node)
  chromium              # the dashboard e2e test (headless, driven by playwright-core)
  python3-yaml          # tests/deploy: parses compose.yaml and the Kubernetes manifests
  clang-format
  clang libclang-rt-14-dev  # make fuzz: clang++-14 and libFuzzer (libclang_rt.fuzzer), see tools/fuzz.sh
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
