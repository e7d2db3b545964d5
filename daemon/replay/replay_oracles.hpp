#pragma once
// The oracle stage of `liqd replay`, ahead of the circuit breaker and the health
// index as CoreStage::reprice runs it in the daemon: per market, every configured
// source (config/markets/*.yaml `oracles`) publishes the path price at each walk
// point, the book publishes a bid and an ask one tick around it and a trade at it;
// policy::IndexOracle takes the median of the sources (staleness, deviation,
// quorum) and policy::MarkPrice the mark. Without faults index and mark equal the
// path price exactly, so a fault-free replay decides as if the path were the mark.
//
// Faults (`--oracle-fault`) make one source lie or fall silent for a window of the
// path: a spike publishes price × (1 + move); a silent source publishes nothing, so
// it goes stale after its max_staleness_ms. Whether the market trusts its index
// then is the IndexOracle's call, exactly as in the daemon: with three sources one
// liar is outvoted; with two, a disagreement or a silence leaves no quorum (STALE:
// no liquidations, no new marks into the index).
#include <cstdint>
#include <vector>

#include "core/policy/oracle/index_oracle.hpp"
#include "core/policy/oracle/mark_price.hpp"

namespace liqd::replay {

struct OracleFault {
  enum class Kind : uint8_t { Spike, Silent };
  uint32_t market = 0;
  uint8_t source = 0;   // index into the market's configured oracles
  Kind kind = Kind::Silent;
  Ratio move{0};        // spike: the source publishes price × (1 + move)
  int64_t from_ms = 0;  // window, from the path's first bar: [from, to)
  int64_t to_ms = 0;
};

struct OracleTick {
  bool valid = false;  // false: the market's index is STALE (no mark this step)
  Price mark;
  Price index;
};

class ReplayOracles {
 public:
  // One entry per market; a market with no sources (n_sources 0) takes the path
  // price as its mark directly. start_ms: the path's first bar (fault windows).
  ReplayOracles(const std::vector<policy::OracleConfig>& markets, std::vector<OracleFault> faults, int64_t start_ms);

  // Market m at event time now, the path price scaled to the market being `px`.
  OracleTick tick(uint32_t m, Price px, Price tick_size, int64_t now);

  // Sources dropped from an index (any reason), summed over markets and evaluations.
  int64_t source_drops() const { return drops_; }

 private:
  struct Market {
    policy::IndexOracle oracle;
    policy::MarkPrice mark;
  };
  std::vector<Market> mk_;
  std::vector<OracleFault> faults_;
  int64_t start_ms_ = 0;
  int64_t drops_ = 0;
};

}  // namespace liqd::replay
