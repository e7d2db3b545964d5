#pragma once
// Insurance fund (issue 5, item 2): one balance per quote asset (one by default),
// a configured start, liquidation fees in, shortfalls below bankruptcy out.
// Every change returns a FundEvent with its reason, a sequence number and the
// balance after it: the caller journals it (nothing is written here).
//
// Invariant, checked by reconciles(): for every asset
//   balance = start + fees + deposits − shortfalls_paid − withdrawals
// exactly, in quote units. The fund never pays below its floor (0 by default):
// a shortfall it cannot cover is returned as `uncovered` and goes on to the
// backstop vault / auto-deleveraging.
#include <array>
#include <cstdint>

#include "core/policy/common.hpp"

namespace liqd::policy {

inline constexpr int kMaxFundAssets = 4;

enum class FundReason : uint8_t { Start, LiquidationFee, ShortfallPaid, Deposit, Withdrawal };
const char* to_string(FundReason r);

struct FundEvent {
  uint64_t seq = 0;        // 1, 2, … per fund, across assets
  TimeMs ts = 0;
  uint8_t asset = 0;
  FundReason reason = FundReason::Start;
  Quote delta;             // signed change of the balance
  Quote balance_after;
  uint64_t account = 0;    // the liquidated account (fees, shortfalls), 0 otherwise
  uint32_t market = 0;
};

struct ShortfallCover {
  Quote paid;       // what the fund paid (≤ shortfall, never below the floor)
  Quote uncovered;  // what is left for backstop / ADL
  FundEvent event;  // valid when paid > 0 (event.seq != 0)
};

class InsuranceFund {
 public:
  // Balances start at `start[a]` for a < n_assets; each start is journaled by the caller
  // through start_event(a).
  InsuranceFund(int n_assets, const Quote* start, const Quote* floor = nullptr);

  FundEvent start_event(int asset) const;

  // Adds a liquidation fee (amount ≥ 0).
  FundEvent receive_fee(int asset, Quote amount, uint64_t account, uint32_t market, TimeMs ts);
  // Pays min(shortfall, balance − floor) of a loss below bankruptcy (shortfall ≥ 0).
  ShortfallCover cover_shortfall(int asset, Quote shortfall, uint64_t account, uint32_t market, TimeMs ts);
  // Operator top-up / withdrawal (a withdrawal cannot go below the floor; returns seq 0 if refused).
  FundEvent deposit(int asset, Quote amount, TimeMs ts);
  FundEvent withdraw(int asset, Quote amount, TimeMs ts);

  Quote balance(int asset) const { return a_[asset].balance; }
  Quote available(int asset) const { return a_[asset].balance - a_[asset].floor; }
  Quote start(int asset) const { return a_[asset].start; }
  Quote fees(int asset) const { return a_[asset].fees; }
  Quote shortfalls_paid(int asset) const { return a_[asset].paid; }
  bool reconciles() const;
  uint64_t last_seq() const { return seq_; }

 private:
  struct Asset {
    Quote start, floor, balance, fees, paid, deposits, withdrawals;
  };
  FundEvent make(int asset, FundReason r, Quote delta, uint64_t account, uint32_t market, TimeMs ts);
  int n_ = 0;
  std::array<Asset, kMaxFundAssets> a_{};
  uint64_t seq_ = 0;
};

}  // namespace liqd::policy
