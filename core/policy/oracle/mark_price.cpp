#include "core/policy/oracle/mark_price.hpp"

#include <algorithm>

namespace liqd::policy {

namespace {
// Beyond this many missed samples the EMA has forgotten its past to within a
// rounding unit for any alpha ≥ 0.1; cap the loop so a long gap costs O(1).
constexpr int64_t kMaxCatchUpSamples = 256;
}  // namespace

void MarkPrice::on_book(Price best_bid, Price best_ask, TimeMs ts) {
  if (m_.has_book && ts < m_.book_ts) return;  // older than what we hold
  m_.bid = best_bid;
  m_.ask = best_ask;
  m_.book_ts = ts;
  m_.has_book = true;
}

void MarkPrice::on_trade(Price px, TimeMs ts) {
  if (m_.has_trade && ts < m_.trade_ts) return;
  m_.last = px;
  m_.trade_ts = ts;
  m_.has_trade = true;
}

MarkResult MarkPrice::compute(const IndexResult& idx, TimeMs now) {
  MarkResult r{};
  r.index = idx.index;
  if (idx.status != OracleStatus::Ok || idx.index.v <= 0) {
    r.basis_ema = m_.basis_ema;
    return r;
  }
  const Price index = idx.index;
  const bool book = cfg_.use_book_mid && book_fresh(now);
  Price mid;
  if (book) {
    mid = Price(static_cast<int64_t>(
        div_round(static_cast<i128>(m_.bid.v) + m_.ask.v, 2, Round::HalfAwayFromZero)));
    // Basis sample(s): mid − index clamped to ±max_basis × index.
    const Price cap = mul_price_ratio(index, cfg_.max_basis, Round::Floor);
    Price basis = mid - index;
    if (basis > cap) basis = cap;
    if (basis < -cap) basis = -cap;
    int64_t due = 1;
    if (m_.sampled && cfg_.basis_sample_ms > 0) due = (now - m_.last_sample) / cfg_.basis_sample_ms;
    const int64_t run = due < kMaxCatchUpSamples ? due : kMaxCatchUpSamples;
    for (int64_t k = 0; k < run; ++k) {
      i128 step = div_round(static_cast<i128>(basis.v - m_.basis_ema.v) * cfg_.basis_alpha.v,
                            kRatioOne, Round::HalfAwayFromZero);
      m_.basis_ema = Price(m_.basis_ema.v + static_cast<int64_t>(step));
    }
    if (!m_.sampled || cfg_.basis_sample_ms <= 0 || due > kMaxCatchUpSamples) {
      m_.last_sample = now;
    } else {
      m_.last_sample += due * cfg_.basis_sample_ms;  // keep the sampling grid
    }
    m_.sampled = true;
  }
  const Price anchored = index + m_.basis_ema;
  r.basis_ema = m_.basis_ema;
  if (book && cfg_.use_last_trade && trade_fresh(now)) {
    // The book mid and the last trade usually come from one venue's book, so one book
    // (or our own liquidation sells walking it) supplies two of the three inputs and
    // would own the median. Both are clamped to the index ± max_basis first: the mark
    // then never leaves that band, whatever one book prints. (Binance's mark takes
    // only one book input, the last price, beside two index-derived ones: "Mark Price
    // and Price Index", Binance Futures FAQ.)
    const Price band = mul_price_ratio(index, cfg_.max_basis, Round::Floor);
    const Price lo = index - band, hi = index + band;
    Price v[3] = {anchored, std::clamp(mid, lo, hi), std::clamp(m_.last, lo, hi)};
    r.mark = median_price(v, 3);
    r.inputs = 3;
  } else {
    r.mark = anchored;
    r.inputs = 1;
  }
  r.valid = true;
  return r;
}

}  // namespace liqd::policy
