#include "executors/vault/vault_book.hpp"

namespace liqd::exec::vault {

const char* to_string(VaultError e) {
  switch (e) {
    case VaultError::Ok: return "ok";
    case VaultError::UnknownContract: return "unknown contract index";
    case VaultError::BadFill: return "fill qty and price must be positive";
    case VaultError::Overflow: return "value does not fit 128 bits";
  }
  return "?";
}

namespace {
int64_t abs64(int64_t v) { return v < 0 ? -v : v; }
}  // namespace

int VaultBook::collateral_index(const std::string& venue, const std::string& asset, int dp) {
  for (size_t i = 0; i < coll_.size(); ++i)
    if (coll_[i].venue == venue && coll_[i].asset == asset) return static_cast<int>(i);
  coll_.push_back(Coll{venue, asset, dp, 0});
  return static_cast<int>(coll_.size() - 1);
}

int VaultBook::add_contract(ContractSpec spec) {
  Pos p;
  p.collateral = collateral_index(spec.venue, spec.settle_asset(), spec.settle_dp);
  p.spec = std::move(spec);
  pos_.push_back(std::move(p));
  return static_cast<int>(pos_.size() - 1);
}

void VaultBook::set_collateral(const std::string& venue, const std::string& asset, int dp, i128 amount) {
  Coll& c = coll_[static_cast<size_t>(collateral_index(venue, asset, dp))];
  c.dp = dp;
  c.amount = amount;
}

void VaultBook::set_mark(int c, Price mark) {
  if (c >= 0 && c < contracts()) pos_[static_cast<size_t>(c)].mark = mark;
}

Qty VaultBook::position(int c) const {
  return c >= 0 && c < contracts() ? pos_[static_cast<size_t>(c)].qty : Qty(0);
}

i128 VaultBook::collateral(const std::string& venue, const std::string& asset) const {
  for (const Coll& c : coll_)
    if (c.venue == venue && c.asset == asset) return c.amount;
  return 0;
}

VaultError VaultBook::on_fill(int c, Side side, Qty qty, Price px, i128 fee) {
  if (c < 0 || c >= contracts()) return VaultError::UnknownContract;
  if (qty.v <= 0 || px.v <= 0 || fee < 0) return VaultError::BadFill;
  Pos& p = pos_[static_cast<size_t>(c)];
  const int64_t d = side == Side::Buy ? qty.v : -qty.v;
  const int64_t q0 = p.qty.v;
  i128 realized = 0, entry = p.entry;
  int64_t open = abs64(d);
  if (q0 != 0 && (q0 > 0) != (d > 0)) {
    // Close min(|d|, |q0|): realise its value now minus its share of the entry value.
    const int64_t close = open < abs64(q0) ? open : abs64(q0);
    i128 share = entry;
    if (close != abs64(q0)) {
      i128 prod = 0;
      if (__builtin_mul_overflow(entry, static_cast<i128>(close), &prod)) return VaultError::Overflow;
      share = div_round(prod, abs64(q0), Round::Ceil);   // realised rounds down
    }
    i128 now = 0;
    if (!settle_value(p.spec, Qty(q0 > 0 ? close : -close), px, Round::Floor, now)) return VaultError::Overflow;
    realized = now - share;
    entry -= share;
    open -= close;
  }
  if (open > 0) {
    i128 v = 0;
    if (!settle_value(p.spec, Qty(d > 0 ? open : -open), px, Round::Floor, v)) return VaultError::Overflow;
    entry += v;
  }
  p.qty = Qty(q0 + d);
  p.entry = p.qty.v == 0 ? 0 : entry;   // flat: nothing left open (entry is then exactly 0 anyway)
  p.realized += realized;
  ++p.fills;
  Coll& col = coll_[static_cast<size_t>(p.collateral)];
  col.amount += realized - fee;
  return VaultError::Ok;
}

VaultError VaultBook::on_fill(int c, const FillReport& f, Ratio fee_rate) {
  if (c < 0 || c >= contracts()) return VaultError::UnknownContract;
  i128 value = 0;
  if (!settle_value(pos_[static_cast<size_t>(c)].spec, f.qty, f.price, Round::Ceil, value)) return VaultError::Overflow;
  if (value < 0) value = -value;
  const i128 fee = div_round(value * fee_rate.v, kRatioOne, Round::Ceil);   // fees round up
  return on_fill(c, f.side, f.qty, f.price, fee);
}

VaultError VaultBook::hedge_qty(int from, int to, Qty& out) const {
  if (from < 0 || from >= contracts() || to < 0 || to >= contracts()) return VaultError::UnknownContract;
  const Pos& a = pos_[static_cast<size_t>(from)];
  const Pos& b = pos_[static_cast<size_t>(to)];
  if (!convert_contracts(a.spec, Qty(-a.qty.v), a.mark, b.spec, b.mark, Round::TowardZero, out)) return VaultError::Overflow;
  return VaultError::Ok;
}

PositionFigures VaultBook::position_figures(int c) const {
  PositionFigures r;
  if (c < 0 || c >= contracts()) return r;
  const Pos& p = pos_[static_cast<size_t>(c)];
  r.spec = &p.spec;
  r.contracts = p.qty;
  r.mark = p.mark;
  r.realized = p.realized;
  r.fills = p.fills;
  if (p.qty.v != 0) {
    // Average entry price from the entry value (inverse: harmonic mean of fill prices).
    const ContractSpec& s = p.spec;
    const i128 qm = static_cast<i128>(p.qty.v) * s.multiplier;
    i128 e = 0;
    bool ok = s.kind == ContractKind::Linear
                  ? mul_pow10_div(p.entry, s.qty_dp + s.multiplier_dp + s.price_dp - s.settle_dp, qm, Round::HalfAwayFromZero, e)
                  : p.entry != 0 && mul_pow10_div(-qm, s.settle_dp + s.price_dp - s.qty_dp - s.multiplier_dp, p.entry,
                                                  Round::HalfAwayFromZero, e);
    if (ok && fits_i64(e)) r.entry_price = Price(static_cast<int64_t>(e));
  }
  const Price at = p.mark.v > 0 ? p.mark : r.entry_price;
  i128 v = 0;
  if (p.qty.v != 0 && at.v > 0) {
    base_exposure(p.spec, p.qty, at, Round::TowardZero, r.base_units);
    if (p.mark.v > 0 && settle_value(p.spec, p.qty, p.mark, Round::Floor, v)) r.unrealized = v - p.entry;
  }
  if (ref_ >= 0 && ref_ < contracts() && p.mark.v > 0) {
    const Pos& ref = pos_[static_cast<size_t>(ref_)];
    Ratio b{0};
    if (basis_ratio(p.spec, p.mark, ref.spec, ref.mark, Round::HalfAwayFromZero, b)) r.basis = b;
  }
  return r;
}

VaultBook::CollateralView VaultBook::collateral_at(int i) const {
  if (i < 0 || i >= collaterals()) return {};
  const Coll& c = coll_[static_cast<size_t>(i)];
  return CollateralView{&c.venue, &c.asset, c.dp, c.amount};
}

VaultFigures VaultBook::figures() const {
  VaultFigures f;
  f.positions.reserve(pos_.size());
  for (int i = 0; i < contracts(); ++i) {
    const PositionFigures r = position_figures(i);
    bool found = false;
    for (auto& [asset, units] : f.net_base)
      if (asset == r.spec->base) { units += r.base_units; found = true; }
    if (!found) f.net_base.emplace_back(r.spec->base, r.base_units);
    f.positions.push_back(r);
  }
  for (const Coll& c : coll_) f.collateral.push_back(CollateralFigures{c.venue, c.asset, c.dp, c.amount});
  return f;
}

}  // namespace liqd::exec::vault
