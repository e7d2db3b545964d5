#include "executors/vault/contract.hpp"

namespace liqd::exec::vault {

namespace {

bool mul(i128 a, i128 b, i128& out) { return !__builtin_mul_overflow(a, b, &out); }

bool pow10(int n, i128& out) {
  if (n < 0 || n > 38) return false;
  out = pow10_i128(n);
  return true;
}

}  // namespace

bool mul_pow10_div(i128 num, int exp10, i128 den, Round mode, i128& out) {
  if (den == 0) return false;
  i128 p = 0;
  if (!pow10(exp10 < 0 ? -exp10 : exp10, p)) return false;
  if (exp10 >= 0) {
    if (!mul(num, p, num)) return false;
  } else if (!mul(den, p, den)) {
    return false;
  }
  out = div_round(num, den, mode);
  return true;
}

bool base_exposure(const ContractSpec& c, Qty q, Price px, Round mode, i128& base_units) {
  i128 num = 0;
  if (!mul(q.v, c.multiplier, num)) return false;
  if (c.kind == ContractKind::Linear) return mul_pow10_div(num, kBaseDp - c.qty_dp - c.multiplier_dp, 1, mode, base_units);
  if (px.v <= 0) return false;
  return mul_pow10_div(num, kBaseDp + c.price_dp - c.qty_dp - c.multiplier_dp, px.v, mode, base_units);
}

bool convert_contracts(const ContractSpec& from, Qty q, Price from_px, const ContractSpec& to, Price to_px,
                       Round mode, Qty& out) {
  // base = q*m_f*10^-(qdp_f+mdp_f)            [/ (from_px*10^-pdp_f) if inverse]
  // q_to = base * 10^(qdp_t+mdp_t) / m_t      [* to_px*10^-pdp_t    if inverse]
  if (to.multiplier <= 0 || from.multiplier <= 0) return false;
  i128 num = 0, den = to.multiplier;
  if (!mul(q.v, from.multiplier, num)) return false;
  int e = to.qty_dp + to.multiplier_dp - from.qty_dp - from.multiplier_dp;
  if (from.kind == ContractKind::Inverse) {
    if (from_px.v <= 0 || !mul(den, from_px.v, den)) return false;
    e += from.price_dp;
  }
  if (to.kind == ContractKind::Inverse) {
    if (to_px.v <= 0 || !mul(num, to_px.v, num)) return false;
    e -= to.price_dp;
  }
  i128 r = 0;
  if (!mul_pow10_div(num, e, den, mode, r) || !fits_i64(r)) return false;
  out = Qty(static_cast<int64_t>(r));
  return true;
}

bool settle_value(const ContractSpec& c, Qty q, Price px, Round mode, i128& out) {
  i128 num = 0;
  if (!mul(q.v, c.multiplier, num)) return false;
  if (c.kind == ContractKind::Linear) {
    if (!mul(num, px.v, num)) return false;
    return mul_pow10_div(num, c.settle_dp - c.qty_dp - c.multiplier_dp - c.price_dp, 1, mode, out);
  }
  if (px.v <= 0) return false;
  return mul_pow10_div(-num, c.settle_dp + c.price_dp - c.qty_dp - c.multiplier_dp, px.v, mode, out);
}

bool basis_ratio(const ContractSpec& c, Price px, const ContractSpec& ref, Price ref_px, Round mode, Ratio& out) {
  if (px.v <= 0 || ref_px.v <= 0) return false;
  // (px*10^-pdp - ref*10^-rdp) / (ref*10^-rdp) = (px*10^rdp - ref*10^pdp) / (ref*10^pdp)
  i128 a = 0, b = 0, den = 0;
  if (!mul(px.v, pow10_i128(ref.price_dp), a) || !mul(ref_px.v, pow10_i128(c.price_dp), b) || !mul(b, 1, den))
    return false;
  i128 r = 0;
  if (!mul_pow10_div(a - b, 8, den, mode, r) || !fits_i64(r)) return false;
  out = Ratio(static_cast<int64_t>(r));
  return true;
}

}  // namespace liqd::exec::vault
