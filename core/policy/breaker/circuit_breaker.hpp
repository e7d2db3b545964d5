#pragma once
// Per-market circuit breaker (issue 5, item 6). Staged:
//
//   NORMAL → THROTTLE (smaller chunks, longer cooldowns) → PAUSED (no new
//   liquidation orders), plus STALE from the oracle (no liquidations, in-flight
//   orders cancelled) and a manual pause.
//
// Triggers, evaluated on every tick from event-time inputs:
//   * mark move: (max − min) / min of the mark within a band's window exceeds the
//     band's throttle or pause fraction (several bands, e.g. 1 % in 10 s, 5 % in 60 s);
//   * divergence: |index − book mid| / index exceeds throttle or pause fraction;
//   * thin book: the depth the book offers inside the fillable bound covers less
//     than a fraction of the next liquidation order's notional.
// Escalation is immediate. The breaker steps down only after calm_ms with no
// trigger of the current level (PAUSED → THROTTLE → NORMAL, one calm period per
// level). After the oracle recovers from STALE the market stays PAUSED for one
// calm period (not after the first quorum at start-up: that is a warm-up, and a
// restart must not hold liquidations for a calm period).
// Every change of mode is returned as a BreakerChange with its reason
// (the caller logs and journals it; nothing is logged here).
// Mark history is kept as min/max per time slot in a fixed ring: no allocation.
// The slot width is derived from the longest window, so a window is measured to
// within one slot (rounded up: a move is never missed, it may be seen one slot longer).
#include <array>
#include <cstdint>
#include <optional>

#include "core/policy/common.hpp"

namespace liqd::policy {

enum class MarketMode : uint8_t { Normal = 0, Throttle = 1, Paused = 2, Stale = 3 };
const char* to_string(MarketMode m);

enum class BreakerReason : uint8_t {
  MarkMove,
  Divergence,
  ThinBook,
  OracleStale,
  OracleRecovered,
  ManualPause,
  ManualResume,
  Calm,
};
const char* to_string(BreakerReason r);

inline constexpr int kMaxBreakerBands = 4;
inline constexpr int kBreakerSlots = 128;

struct BreakerBand {
  TimeMs window_ms = 0;
  Ratio throttle_move{0};  // 0 = this stage not used in this band
  Ratio pause_move{0};
};

struct BreakerConfig {
  uint8_t n_bands = 0;
  std::array<BreakerBand, kMaxBreakerBands> bands{};
  Ratio throttle_divergence{0};   // 0 = off
  Ratio pause_divergence{0};
  Ratio thin_throttle_cover{0};   // depth / next order below this → THROTTLE (0 = off)
  Ratio thin_pause_cover{0};      // … below this → PAUSED
  TimeMs calm_ms = 60'000;
  // What THROTTLE does to the planner.
  Ratio throttle_chunk_scale{50'000'000};  // chunks × 0.5
  int throttle_cooldown_mult = 2;          // cooldowns × 2
};

struct BreakerInputs {
  bool oracle_stale = false;
  Price mark;                    // valid when !oracle_stale
  Price index;
  Price book_mid;                // 0: no book (divergence not checked)
  Quote depth_within_bound;      // book depth inside the fillable bound, closing side
  Quote next_order_notional;     // 0: no liquidation pending (thin check off)
};

struct BreakerChange {
  TimeMs ts = 0;
  MarketMode from = MarketMode::Normal;
  MarketMode to = MarketMode::Normal;
  BreakerReason reason = BreakerReason::Calm;
  Ratio measure{0};   // the triggering figure (move, divergence, cover), 0 if none
  int8_t band = -1;   // mark-move band index, −1 otherwise
};

struct BreakerEffects {
  bool may_liquidate = true;     // false when PAUSED or STALE
  bool cancel_in_flight = false; // STALE: the price is not trusted, pull orders
  Ratio chunk_scale{kRatioOne};
  int cooldown_mult = 1;
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(const BreakerConfig& cfg);

  std::optional<BreakerChange> on_tick(const BreakerInputs& in, TimeMs now);
  std::optional<BreakerChange> manual_pause(TimeMs now);
  // Clears the manual pause; automatic triggers still apply.
  std::optional<BreakerChange> manual_resume(TimeMs now);

  // After a restart from a journal without price memory (restore(Memory) is the
  // exact one): the mode the journal last showed for this market. THROTTLE or
  // PAUSED (STALE counts as PAUSED) is held from now on and, from the first tick
  // with a quorum, for one calm period per level: this process has no mark
  // history to tell whether the move that caused it is over, so it must see the
  // calm itself. NORMAL: nothing.
  void restore(MarketMode last);

  // Its whole memory, for a restart to go on exactly (the daemon journals the
  // flags and the newest slot once per slot, PriceMemory): restore() with the
  // flags and the slots within the longest window supersedes restore(mode).
  struct Memory {
    MarketMode mode = MarketMode::Normal;
    bool oracle_stale = false, oracle_had_quorum = false;
    bool seen_throttle = false, seen_pause = false;
    TimeMs last_throttle = 0, last_pause = 0;
  };
  struct SlotMemory {  // marks min/max within one slot of slot_ms()
    int64_t id = INT64_MIN;
    int64_t lo = 0, hi = 0;
  };
  Memory memory() const { return m_; }
  SlotMemory newest_slot() const;  // id INT64_MIN: no mark yet
  int64_t slot_id(TimeMs t) const;
  void restore(const Memory& m, const SlotMemory* slots, std::size_t n);

  MarketMode mode() const { return m_.mode; }
  bool manually_paused() const { return manual_; }
  BreakerEffects effects() const;
  TimeMs slot_ms() const { return slot_ms_; }

 private:
  using Slot = SlotMemory;
  struct Trigger {
    MarketMode level = MarketMode::Normal;
    BreakerReason reason = BreakerReason::Calm;
    Ratio measure{0};
    int8_t band = -1;
  };
  void record_mark(Price mark, TimeMs now);
  Trigger strongest_trigger(const BreakerInputs& in, TimeMs now) const;
  MarketMode auto_level(TimeMs now) const;
  std::optional<BreakerChange> settle(MarketMode want, BreakerReason why, Ratio measure,
                                      int8_t band, TimeMs now);

  BreakerConfig cfg_;
  TimeMs slot_ms_ = 1000;
  std::array<Slot, kBreakerSlots> slots_{};
  Memory m_;  // mode, oracle flags (oracle_had_quorum: false until the first fresh quorum), trigger times
  bool manual_ = false;
  MarketMode held_ = MarketMode::Normal;  // restore(): held from the first quorum
};

}  // namespace liqd::policy
