#!/usr/bin/env bash
# liqd quick start.
#   ./run.sh demo    build, then liqd against liqd-sim on Black Thursday (--with-prometheus)
#   ./run.sh test    build every preset and run every test (what CI runs)
#   ./run.sh build   release binaries in build/bin/
#   ./run.sh deps    only install the Debian packages that are missing
# Each command first installs missing Debian 12 packages (apt-get, as root).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git python3
  clang libclang-rt-14-dev
  libboost-dev libsimdjson-dev libspdlog-dev libwebsockets-dev zlib1g-dev
  libprotobuf-dev protobuf-compiler libyaml-cpp-dev libcli11-dev
  libsystemd-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  prometheus systemd
)

log() { printf '\033[1m==> [%5ss] %s\033[0m\n' "$SECONDS" "$*" >&2; }

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local cmd="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "liqd needs these Debian packages. As root, run:" >&2
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive $cmd" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

jobs() { nproc 2>/dev/null || echo 2; }

configure_build() {  # preset [target...]
  local preset=$1; shift
  [ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" -j "$(jobs)" --target "$@"
  else
    cmake --build --preset "$preset" -j "$(jobs)"
  fi
}

build() {
  deps
  log "building release (build/bin/)"
  configure_build release
}

test_all() {
  deps
  local start=$SECONDS
  log "release: build and run every test label (unit, e2e, fuzz smoke)"
  configure_build release
  ctest --preset release
  # One clang build for AddressSanitizer + UBSan and libFuzzer: the libraries carry
  # coverage (fuzzer-no-link), so the bounded fuzz runs are guided, not blind.
  log "asan (clang AddressSanitizer + UBSan): unit tests and bounded libFuzzer runs"
  configure_build asan tests_unit tests_fuzz
  ctest --preset asan
  log "tsan (clang ThreadSanitizer): threaded tests"
  configure_build tsan tests_threaded
  ctest --preset tsan --no-tests=ignore
  log "all tests passed in $((SECONDS - start)) s"
}

demo() {
  build
  # liqd + liqd-sim over loopback on Black Thursday (scripts/demo.py --help for options;
  # scripts/replay_demo.sh is the offline replay: static vs volatility-adjusted margin).
  exec python3 scripts/demo.py "$@"
}

case "${1:-}" in
  deps) deps ;;
  build) build ;;
  test) test_all ;;
  demo) shift; demo "$@" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
