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

configure_build() {  # preset [target...]; $NICE (e.g. "nice -n 15") prefixes the compilers
  local preset=$1; shift
  [ -f "build/$preset/build.ninja" ] || ${NICE:-} cmake --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    ${NICE:-} cmake --build --preset "$preset" -j "$(jobs)" --target "$@"
  else
    ${NICE:-} cmake --build --preset "$preset" -j "$(jobs)"
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
  log "release: build and run every test label (unit, threaded, fuzz smoke, then e2e)"
  configure_build release
  ctest --preset release -LE e2e
  # One clang build for AddressSanitizer + UBSan and libFuzzer: the libraries carry
  # coverage (fuzzer-no-link), so the bounded fuzz runs are guided, not blind.
  # The e2e tests run one at a time at a wall-clock pace and leave much of the two
  # cores idle, so the asan build runs beside them at nice 15: it takes only the
  # time the e2e processes leave, and their feeds do not starve into staleness.
  log "e2e (release), with the asan build in the background at nice 15 (build/asan-build.log)"
  local asan_log=build/asan-build.log
  ( NICE="nice -n 15" configure_build asan tests_unit tests_fuzz ) >"$asan_log" 2>&1 &
  local asan_pid=$!
  local e2e_rc=0
  ctest --preset release -L e2e || e2e_rc=$?
  local asan_rc=0
  wait "$asan_pid" || asan_rc=$?
  log "asan build finished (rc $asan_rc)"
  if [ "$asan_rc" -ne 0 ]; then
    tail -n 60 "$asan_log" >&2
    log "asan build failed (rc $asan_rc)"
    exit "$asan_rc"
  fi
  [ "$e2e_rc" -eq 0 ] || { log "e2e tests failed (rc $e2e_rc)"; exit "$e2e_rc"; }
  log "asan (clang AddressSanitizer + UBSan): unit tests and bounded libFuzzer runs"
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
