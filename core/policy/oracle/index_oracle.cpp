#include "core/policy/oracle/index_oracle.hpp"

#include <cassert>

namespace liqd::policy {

const char* to_string(SourceDrop d) {
  switch (d) {
    case SourceDrop::None: return "none";
    case SourceDrop::NoData: return "no_data";
    case SourceDrop::NonPositive: return "non_positive";
    case SourceDrop::Stale: return "stale";
    case SourceDrop::ConfWidth: return "conf_width";
    case SourceDrop::Deviation: return "deviation";
  }
  return "?";
}

const char* to_string(OracleStatus s) { return s == OracleStatus::Ok ? "ok" : "stale"; }

Price median_price(const Price* v, int n) {
  assert(n > 0 && n <= kMaxOracleSources);
  std::array<int64_t, kMaxOracleSources> s{};
  for (int i = 0; i < n; ++i) {  // insertion sort: n ≤ 8
    int64_t x = v[i].v;
    int j = i;
    while (j > 0 && s[j - 1] > x) { s[j] = s[j - 1]; --j; }
    s[j] = x;
  }
  if (n % 2 == 1) return Price(s[n / 2]);
  i128 sum = static_cast<i128>(s[n / 2 - 1]) + s[n / 2];
  return Price(static_cast<int64_t>(div_round(sum, 2, Round::HalfAwayFromZero)));
}

IndexOracle::IndexOracle(const OracleConfig& cfg) : cfg_(cfg) {
  assert(cfg_.n_sources >= 1 && cfg_.n_sources <= kMaxOracleSources);
  assert(cfg_.min_sources >= 1);
}

bool IndexOracle::update(int source, Price price, Price conf, TimeMs publish_ms, TimeMs recv_ms) {
  assert(source >= 0 && source < cfg_.n_sources);
  if (publish_ms - recv_ms > cfg_.max_future_ms) {
    ++future_dated_;
    return false;
  }
  Quote_& q = q_[source];
  if (q.has && publish_ms <= q.publish_ms) {
    ++out_of_order_;
    return false;
  }
  q.price = price;
  q.conf = conf;
  q.publish_ms = publish_ms;
  q.has = true;
  return true;
}

IndexResult IndexOracle::evaluate(TimeMs now) {
  IndexResult r{};
  std::array<Price, kMaxOracleSources> fresh{};
  std::array<int, kMaxOracleSources> fresh_src{};
  int nf = 0;
  for (int i = 0; i < cfg_.n_sources; ++i) {
    const Quote_& q = q_[i];
    SourceDrop d = SourceDrop::None;
    if (!q.has) d = SourceDrop::NoData;
    else if (q.price.v <= 0) d = SourceDrop::NonPositive;
    else if (now - q.publish_ms > cfg_.max_age_ms[i]) d = SourceDrop::Stale;
    else if (cfg_.max_conf_width.v > 0 &&
             static_cast<i128>(q.conf.v < 0 ? -q.conf.v : q.conf.v) * kRatioOne >
                 static_cast<i128>(q.price.v) * cfg_.max_conf_width.v)
      d = SourceDrop::ConfWidth;
    r.drop[i] = d;
    if (d == SourceDrop::None) {
      fresh_src[nf] = i;
      fresh[nf++] = q.price;
    }
  }
  r.fresh = static_cast<uint8_t>(nf);

  int ns = 0;
  std::array<Price, kMaxOracleSources> surv{};
  if (nf >= cfg_.min_sources) {
    Price ref = median_price(fresh.data(), nf);
    for (int k = 0; k < nf; ++k) {
      if (rel_diff_exceeds(fresh[k].v, ref.v, cfg_.max_deviation)) {
        r.drop[fresh_src[k]] = SourceDrop::Deviation;
      } else {
        surv[ns++] = fresh[k];
      }
    }
  }
  for (int i = 0; i < cfg_.n_sources; ++i)
    if (r.drop[i] != SourceDrop::None) ++dropped_[i][static_cast<int>(r.drop[i])];

  // Strict majority of the usable sources must agree with the median.
  bool ok = nf >= cfg_.min_sources && 2 * ns > nf;
  OracleStatus st = ok ? OracleStatus::Ok : OracleStatus::Stale;
  if (ok) {
    last_good_ = median_price(surv.data(), ns);
    r.used = static_cast<uint8_t>(ns);
  }
  r.status = st;
  r.index = last_good_;
  r.status_changed = st != status_;
  status_ = st;
  return r;
}

}  // namespace liqd::policy
