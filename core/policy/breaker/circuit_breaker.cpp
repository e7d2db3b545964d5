#include "core/policy/breaker/circuit_breaker.hpp"

#include <algorithm>
#include <cassert>

namespace liqd::policy {

const char* to_string(MarketMode m) {
  switch (m) {
    case MarketMode::Normal: return "normal";
    case MarketMode::Throttle: return "throttle";
    case MarketMode::Paused: return "paused";
    case MarketMode::Stale: return "stale";
  }
  return "?";
}

const char* to_string(BreakerReason r) {
  switch (r) {
    case BreakerReason::MarkMove: return "mark_move";
    case BreakerReason::Divergence: return "index_mid_divergence";
    case BreakerReason::ThinBook: return "thin_book";
    case BreakerReason::OracleStale: return "oracle_stale";
    case BreakerReason::OracleRecovered: return "oracle_recovered";
    case BreakerReason::ManualPause: return "manual_pause";
    case BreakerReason::ManualResume: return "manual_resume";
    case BreakerReason::Calm: return "calm";
  }
  return "?";
}

namespace {
// floor division for possibly negative timestamps
constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

CircuitBreaker::CircuitBreaker(const BreakerConfig& cfg) : cfg_(cfg) {
  assert(cfg_.n_bands <= kMaxBreakerBands);
  TimeMs longest = 1;
  for (int b = 0; b < cfg_.n_bands; ++b)
    if (cfg_.bands[b].window_ms > longest) longest = cfg_.bands[b].window_ms;
  // Leave one slot for the partially filled current slot.
  slot_ms_ = (longest + (kBreakerSlots - 2) - 1) / (kBreakerSlots - 2);
  if (slot_ms_ < 1) slot_ms_ = 1;
}

void CircuitBreaker::record_mark(Price mark, TimeMs now) {
  const int64_t id = floor_div(now, slot_ms_);
  Slot& s = slots_[static_cast<size_t>(((id % kBreakerSlots) + kBreakerSlots) % kBreakerSlots)];
  if (s.id != id) {
    s.id = id;
    s.lo = s.hi = mark.v;
  } else {
    if (mark.v < s.lo) s.lo = mark.v;
    if (mark.v > s.hi) s.hi = mark.v;
  }
}

CircuitBreaker::Trigger CircuitBreaker::strongest_trigger(const BreakerInputs& in, TimeMs now) const {
  Trigger t{};
  auto consider = [&t](MarketMode lvl, BreakerReason why, Ratio m, int8_t band) {
    if (lvl > t.level) t = Trigger{lvl, why, m, band};
  };
  // Mark moves per band: range of the mark over the window's slots.
  const int64_t cur = floor_div(now, slot_ms_);
  for (int b = 0; b < cfg_.n_bands; ++b) {
    const BreakerBand& band = cfg_.bands[b];
    const int64_t first = floor_div(now - band.window_ms, slot_ms_);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int64_t id = first; id <= cur; ++id) {
      const Slot& s = slots_[static_cast<size_t>(((id % kBreakerSlots) + kBreakerSlots) % kBreakerSlots)];
      if (s.id != id) continue;
      if (s.lo < lo) lo = s.lo;
      if (s.hi > hi) hi = s.hi;
    }
    if (lo == INT64_MAX || lo <= 0) continue;
    const int8_t bi = static_cast<int8_t>(b);
    if (band.pause_move.v > 0 && rel_diff_exceeds(hi, lo, band.pause_move))
      consider(MarketMode::Paused, BreakerReason::MarkMove, rel_diff(hi, lo), bi);
    else if (band.throttle_move.v > 0 && rel_diff_exceeds(hi, lo, band.throttle_move))
      consider(MarketMode::Throttle, BreakerReason::MarkMove, rel_diff(hi, lo), bi);
  }
  // Index vs book mid.
  if (in.book_mid.v > 0 && in.index.v > 0) {
    if (cfg_.pause_divergence.v > 0 && rel_diff_exceeds(in.book_mid.v, in.index.v, cfg_.pause_divergence))
      consider(MarketMode::Paused, BreakerReason::Divergence, rel_diff(in.book_mid.v, in.index.v), -1);
    else if (cfg_.throttle_divergence.v > 0 &&
             rel_diff_exceeds(in.book_mid.v, in.index.v, cfg_.throttle_divergence))
      consider(MarketMode::Throttle, BreakerReason::Divergence, rel_diff(in.book_mid.v, in.index.v), -1);
  }
  // Thin book: depth / next order below a cover fraction.
  if (in.next_order_notional.v > 0) {
    const i128 depth = static_cast<i128>(in.depth_within_bound.v < 0 ? 0 : in.depth_within_bound.v) * kRatioOne;
    const i128 next = in.next_order_notional.v;
    const Ratio cover(static_cast<int64_t>(div_round(depth, next, Round::Floor) > INT64_MAX
                                               ? INT64_MAX
                                               : div_round(depth, next, Round::Floor)));
    if (cfg_.thin_pause_cover.v > 0 && depth < next * cfg_.thin_pause_cover.v)
      consider(MarketMode::Paused, BreakerReason::ThinBook, cover, -1);
    else if (cfg_.thin_throttle_cover.v > 0 && depth < next * cfg_.thin_throttle_cover.v)
      consider(MarketMode::Throttle, BreakerReason::ThinBook, cover, -1);
  }
  return t;
}

MarketMode CircuitBreaker::auto_level(TimeMs now) const {
  if (m_.seen_pause && now - m_.last_pause < cfg_.calm_ms) return MarketMode::Paused;
  if (m_.seen_throttle && now - m_.last_throttle < cfg_.calm_ms) return MarketMode::Throttle;
  return MarketMode::Normal;
}

std::optional<BreakerChange> CircuitBreaker::settle(MarketMode want, BreakerReason why, Ratio measure,
                                                    int8_t band, TimeMs now) {
  if (want == m_.mode) return std::nullopt;
  BreakerChange c{};
  c.ts = now;
  c.from = m_.mode;
  c.to = want;
  c.reason = why;
  c.measure = measure;
  c.band = band;
  m_.mode = want;
  return c;
}

std::optional<BreakerChange> CircuitBreaker::on_tick(const BreakerInputs& in, TimeMs now) {
  if (in.oracle_stale) {
    m_.oracle_stale = true;
    return settle(MarketMode::Stale, BreakerReason::OracleStale, Ratio(0), -1, now);
  }
  bool recovered = false;
  if (m_.oracle_stale) {
    // Back from STALE: hold a calm period in PAUSED before liquidating again, if the
    // oracle had a quorum before (prices may have jumped while it was gone). The first
    // quorum after start-up is a warm-up, not a recovery: no hold, so a restarted
    // process liquidates as soon as its feeds are in sync.
    m_.oracle_stale = false;
    recovered = true;
    if (m_.oracle_had_quorum) {
      m_.seen_pause = true;
      m_.last_pause = now;
    }
  }
  if (!m_.oracle_had_quorum && held_ != MarketMode::Normal) {
    // restore(): one calm period per level from here, PAUSED first, then THROTTLE
    // (its period starts when the pause's ends).
    m_.seen_throttle = true;
    m_.last_throttle = now;
    if (held_ == MarketMode::Paused) {
      m_.seen_pause = true;
      m_.last_pause = now;
      m_.last_throttle = now + cfg_.calm_ms;
    }
    held_ = MarketMode::Normal;
  }
  m_.oracle_had_quorum = true;
  if (in.mark.v > 0) record_mark(in.mark, now);
  const Trigger t = strongest_trigger(in, now);
  // max: a restored hold may run past now (restore()); a trigger never shortens it.
  if (t.level >= MarketMode::Throttle) { m_.seen_throttle = true; m_.last_throttle = std::max(m_.last_throttle, now); }
  if (t.level >= MarketMode::Paused) { m_.seen_pause = true; m_.last_pause = std::max(m_.last_pause, now); }
  MarketMode want = auto_level(now);
  if (manual_ && want < MarketMode::Paused) want = MarketMode::Paused;
  BreakerReason why = BreakerReason::Calm;
  Ratio measure(0);
  int8_t band = -1;
  if (recovered) {
    why = BreakerReason::OracleRecovered;
  } else if (want > m_.mode && t.level == want) {
    why = t.reason;
    measure = t.measure;
    band = t.band;
  } else if (want > m_.mode) {
    why = manual_ ? BreakerReason::ManualPause : t.reason;
  }
  return settle(want, why, measure, band, now);
}

CircuitBreaker::SlotMemory CircuitBreaker::newest_slot() const {
  SlotMemory best;
  for (const Slot& s : slots_)
    if (s.id > best.id) best = s;
  return best;
}

int64_t CircuitBreaker::slot_id(TimeMs t) const { return floor_div(t, slot_ms_); }

void CircuitBreaker::restore(const Memory& m, const SlotMemory* slots, std::size_t n) {
  m_ = m;
  held_ = MarketMode::Normal;
  for (std::size_t i = 0; i < n; ++i) {
    const int64_t id = slots[i].id;
    slots_[static_cast<size_t>(((id % kBreakerSlots) + kBreakerSlots) % kBreakerSlots)] = slots[i];
  }
}

void CircuitBreaker::restore(MarketMode last) {
  held_ = last == MarketMode::Stale ? MarketMode::Paused : last;
  if (held_ != MarketMode::Normal) m_.mode = held_;
}

std::optional<BreakerChange> CircuitBreaker::manual_pause(TimeMs now) {
  manual_ = true;
  if (m_.mode == MarketMode::Stale || m_.mode == MarketMode::Paused) return std::nullopt;
  return settle(MarketMode::Paused, BreakerReason::ManualPause, Ratio(0), -1, now);
}

std::optional<BreakerChange> CircuitBreaker::manual_resume(TimeMs now) {
  manual_ = false;
  if (m_.mode == MarketMode::Stale) return std::nullopt;
  return settle(auto_level(now), BreakerReason::ManualResume, Ratio(0), -1, now);
}

BreakerEffects CircuitBreaker::effects() const {
  BreakerEffects e{};
  switch (m_.mode) {
    case MarketMode::Normal: break;
    case MarketMode::Throttle:
      e.chunk_scale = cfg_.throttle_chunk_scale;
      e.cooldown_mult = cfg_.throttle_cooldown_mult;
      break;
    case MarketMode::Paused: e.may_liquidate = false; break;
    case MarketMode::Stale:
      e.may_liquidate = false;
      e.cancel_in_flight = true;
      break;
  }
  return e;
}

}  // namespace liqd::policy
