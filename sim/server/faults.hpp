#pragma once
// Fault switches, one per outgoing stream. Each message a stream sends passes the
// stream's gate, which decides, deterministically from the seed, what happens to it:
//   none       send it
//   drop       drop it with probability `rate` (default 0.2)
//   delay      hold it for `ms` (default 500) wall milliseconds, order kept
//   duplicate  send it twice
//   gap        drop exactly the next sequenced message (Binance depthUpdate, account
//              delta; on streams without sequence numbers, the next message), then
//              switch back to none
//   stale      send nothing (the connection stays open) until switched back
#include <cstdint>
#include <string>
#include <string_view>

namespace liqd::sim {

// Own: the own venue's book in the Binance USD-M format, on its own port.
enum class StreamId : uint8_t { Binance, Hyperliquid, Pyth, Orders, Accounts, Own };
inline constexpr int kStreamCount = 6;
// The WebSocket streams (the others are framed TCP).
inline constexpr bool is_ws_stream(StreamId s) { return s != StreamId::Orders && s != StreamId::Accounts; }
const char* to_string(StreamId s);
bool parse_stream(std::string_view s, StreamId& out);

enum class FaultMode : uint8_t { None, Drop, Delay, Duplicate, Gap, Stale };
const char* to_string(FaultMode m);
bool parse_fault_mode(std::string_view s, FaultMode& out);

struct FaultSetting {
  FaultMode mode = FaultMode::None;
  uint32_t drop_ppm = 200'000;
  uint32_t delay_ms = 500;
};

// "stream=mode[:rate=0.3][:ms=200]" (command line form), e.g. "binance=gap", "accounts=drop:rate=0.5".
std::string parse_fault_spec(std::string_view text, StreamId& stream, FaultSetting& out);
// rate as a decimal fraction in [0, 1] ("0.25") into parts per million.
bool parse_rate_ppm(std::string_view s, uint32_t& ppm);

enum class GateAction : uint8_t { Send, Drop, Delay, SendTwice };

struct FaultCounters {
  uint64_t sent = 0, dropped = 0, delayed = 0, duplicated = 0, gaps = 0, stale_dropped = 0;
};

// Decides per message. Not thread-safe: lives on the simulator's io thread.
class FaultGate {
 public:
  void set(const FaultSetting& s) { setting_ = s; }
  const FaultSetting& setting() const { return setting_; }
  const FaultCounters& counters() const { return counters_; }
  void seed(uint64_t s) { rng_state_ = s; }
  GateAction decide(bool sequenced);
  void count_sent(uint64_t n = 1) { counters_.sent += n; }

 private:
  uint64_t next_random();
  FaultSetting setting_;
  FaultCounters counters_;
  uint64_t rng_state_ = 0;
};

}  // namespace liqd::sim
