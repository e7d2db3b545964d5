#include "sim/server/faults.hpp"

#include "core/money/decimal.hpp"
#include "sim/util/rng.hpp"

namespace liqd::sim {

namespace {
constexpr const char* kStreams[] = {"binance", "hyperliquid", "pyth", "orders", "accounts", "own"};
constexpr const char* kModes[] = {"none", "drop", "delay", "duplicate", "gap", "stale"};
}  // namespace

const char* to_string(StreamId s) { return kStreams[static_cast<int>(s)]; }
const char* to_string(FaultMode m) { return kModes[static_cast<int>(m)]; }

bool parse_stream(std::string_view s, StreamId& out) {
  for (int i = 0; i < kStreamCount; ++i)
    if (s == kStreams[i]) { out = static_cast<StreamId>(i); return true; }
  return false;
}

bool parse_fault_mode(std::string_view s, FaultMode& out) {
  for (int i = 0; i < 6; ++i)
    if (s == kModes[i]) { out = static_cast<FaultMode>(i); return true; }
  return false;
}

bool parse_rate_ppm(std::string_view s, uint32_t& ppm) {
  int64_t v = 0;
  if (parse_decimal_rounded(s, 6, Round::HalfAwayFromZero, v) != DecimalError::Ok || v < 0 || v > 1'000'000) return false;
  ppm = static_cast<uint32_t>(v);
  return true;
}

std::string parse_fault_spec(std::string_view text, StreamId& stream, FaultSetting& out) {
  out = FaultSetting{};
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) return "fault '" + std::string(text) + "': expected stream=mode";
  if (!parse_stream(text.substr(0, eq), stream))
    return "fault '" + std::string(text) + "': unknown stream (binance, hyperliquid, pyth, orders, accounts)";
  std::string_view rest = text.substr(eq + 1);
  size_t colon = rest.find(':');
  if (!parse_fault_mode(rest.substr(0, colon), out.mode))
    return "fault '" + std::string(text) + "': unknown mode (none, drop, delay, duplicate, gap, stale)";
  while (colon != std::string_view::npos) {
    size_t next = rest.find(':', colon + 1);
    std::string_view kv = rest.substr(colon + 1, next == std::string_view::npos ? std::string_view::npos : next - colon - 1);
    colon = next;
    size_t e = kv.find('=');
    std::string_view k = kv.substr(0, e), v = e == std::string_view::npos ? std::string_view{} : kv.substr(e + 1);
    if (k == "rate") {
      if (!parse_rate_ppm(v, out.drop_ppm)) return "fault '" + std::string(text) + "': rate must be a decimal in [0, 1]";
    } else if (k == "ms") {
      int64_t ms = 0;
      if (parse_decimal(v, 0, ms) != DecimalError::Ok || ms < 0 || ms > 600'000)
        return "fault '" + std::string(text) + "': ms must be an integer in [0, 600000]";
      out.delay_ms = static_cast<uint32_t>(ms);
    } else {
      return "fault '" + std::string(text) + "': unknown option '" + std::string(k) + "' (rate, ms)";
    }
  }
  return {};
}

uint64_t FaultGate::next_random() {
  rng_state_ += 0x9E3779B97F4A7C15ull;
  return splitmix64(rng_state_);
}

GateAction FaultGate::decide(bool sequenced) {
  switch (setting_.mode) {
    case FaultMode::None: return GateAction::Send;
    case FaultMode::Drop:
      if (next_random() % 1'000'000 < setting_.drop_ppm) { ++counters_.dropped; return GateAction::Drop; }
      return GateAction::Send;
    case FaultMode::Delay: ++counters_.delayed; return GateAction::Delay;
    case FaultMode::Duplicate: ++counters_.duplicated; return GateAction::SendTwice;
    case FaultMode::Gap:
      if (!sequenced) return GateAction::Send;
      ++counters_.gaps;
      setting_.mode = FaultMode::None;
      return GateAction::Drop;
    case FaultMode::Stale: ++counters_.stale_dropped; return GateAction::Drop;
  }
  return GateAction::Send;
}

}  // namespace liqd::sim
