#include "core/policy/fund/insurance_fund.hpp"

#include <cassert>

namespace liqd::policy {

const char* to_string(FundReason r) {
  switch (r) {
    case FundReason::Start: return "start";
    case FundReason::LiquidationFee: return "liquidation_fee";
    case FundReason::ShortfallPaid: return "shortfall_paid";
    case FundReason::Deposit: return "deposit";
    case FundReason::Withdrawal: return "withdrawal";
  }
  return "?";
}

InsuranceFund::InsuranceFund(int n_assets, const Quote* start, const Quote* floor) : n_(n_assets) {
  assert(n_assets >= 1 && n_assets <= kMaxFundAssets);
  for (int i = 0; i < n_; ++i) {
    a_[i].start = start[i];
    a_[i].balance = start[i];
    a_[i].floor = floor ? floor[i] : Quote(0);
    assert(a_[i].start >= a_[i].floor);
  }
}

FundEvent InsuranceFund::start_event(int asset) const {
  FundEvent e{};
  e.asset = static_cast<uint8_t>(asset);
  e.reason = FundReason::Start;
  e.delta = a_[asset].start;
  e.balance_after = a_[asset].start;
  return e;
}

FundEvent InsuranceFund::make(int asset, FundReason r, Quote delta, uint64_t account, uint32_t market,
                              TimeMs ts) {
  a_[asset].balance += delta;
  FundEvent e{};
  e.seq = ++seq_;
  e.ts = ts;
  e.asset = static_cast<uint8_t>(asset);
  e.reason = r;
  e.delta = delta;
  e.balance_after = a_[asset].balance;
  e.account = account;
  e.market = market;
  return e;
}

FundEvent InsuranceFund::receive_fee(int asset, Quote amount, uint64_t account, uint32_t market, TimeMs ts) {
  assert(asset >= 0 && asset < n_ && amount.v >= 0);
  a_[asset].fees += amount;
  return make(asset, FundReason::LiquidationFee, amount, account, market, ts);
}

ShortfallCover InsuranceFund::cover_shortfall(int asset, Quote shortfall, uint64_t account, uint32_t market,
                                              TimeMs ts) {
  assert(asset >= 0 && asset < n_ && shortfall.v >= 0);
  ShortfallCover c{};
  Quote avail = available(asset);
  if (avail.v < 0) avail = Quote(0);
  c.paid = shortfall < avail ? shortfall : avail;
  c.uncovered = shortfall - c.paid;
  if (c.paid.v > 0) {
    a_[asset].paid += c.paid;
    c.event = make(asset, FundReason::ShortfallPaid, -c.paid, account, market, ts);
  }
  return c;
}

FundEvent InsuranceFund::deposit(int asset, Quote amount, TimeMs ts) {
  assert(asset >= 0 && asset < n_ && amount.v >= 0);
  a_[asset].deposits += amount;
  return make(asset, FundReason::Deposit, amount, 0, 0, ts);
}

FundEvent InsuranceFund::withdraw(int asset, Quote amount, TimeMs ts) {
  assert(asset >= 0 && asset < n_ && amount.v >= 0);
  if (amount > available(asset)) return FundEvent{};
  a_[asset].withdrawals += amount;
  return make(asset, FundReason::Withdrawal, -amount, 0, 0, ts);
}

bool InsuranceFund::reconciles() const {
  for (int i = 0; i < n_; ++i) {
    const Asset& a = a_[i];
    if (a.balance != a.start + a.fees + a.deposits - a.paid - a.withdrawals) return false;
    if (a.balance < a.floor) return false;
  }
  return true;
}

}  // namespace liqd::policy
