#include "daemon/replay/replay_oracles.hpp"

#include <utility>

namespace liqd::replay {

ReplayOracles::ReplayOracles(const std::vector<policy::OracleConfig>& markets, std::vector<OracleFault> faults,
                             int64_t start_ms)
    : faults_(std::move(faults)), start_ms_(start_ms) {
  mk_.reserve(markets.size());
  for (const policy::OracleConfig& c : markets) mk_.push_back(Market{policy::IndexOracle(c), policy::MarkPrice(policy::MarkConfig{})});
}

OracleTick ReplayOracles::tick(uint32_t m, Price px, Price tick_size, int64_t now) {
  Market& x = mk_[m];
  const int n = x.oracle.config().n_sources;
  if (n == 0) return OracleTick{true, px, px};
  const int64_t t = now - start_ms_;
  for (int k = 0; k < n; ++k) {
    Price p = px;
    bool silent = false;
    for (const OracleFault& f : faults_) {
      if (f.market != m || f.source != k || t < f.from_ms || t >= f.to_ms) continue;
      if (f.kind == OracleFault::Kind::Silent) silent = true;
      else p = Price(px.v + static_cast<int64_t>(div_round(static_cast<i128>(px.v) * f.move.v, kRatioOne, Round::HalfAwayFromZero)));
    }
    if (!silent) x.oracle.update(k, p, Price(0), now, now);
  }
  x.mark.on_book(Price(px.v - tick_size.v), Price(px.v + tick_size.v), now);
  x.mark.on_trade(px, now);
  const policy::IndexResult idx = x.oracle.evaluate(now);
  for (int k = 0; k < n; ++k) drops_ += idx.drop[static_cast<std::size_t>(k)] != policy::SourceDrop::None;
  const policy::MarkResult mr = x.mark.compute(idx, now);
  return OracleTick{mr.valid, mr.mark, mr.index};
}

}  // namespace liqd::replay
