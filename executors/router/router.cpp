#include "executors/router/router.hpp"

#include <cassert>
#include <utility>
#include <vector>

#include "executors/router/fraction.hpp"
#include "executors/router/remainder.hpp"

namespace liqd::exec {

const char* to_string(RouteError e) {
  switch (e) {
    case RouteError::Ok: return "ok";
    case RouteError::BadOrder: return "order qty and limit price must be positive";
    case RouteError::TooManyVenues: return "too many venues";
    case RouteError::BadVenue: return "venue has lot <= 0, negative fee/min/max or levels not ordered best first";
  }
  return "?";
}

namespace {

constexpr i128 kInf = (static_cast<i128>(1) << 126);

int64_t floor_to(int64_t v, int64_t lot) { return v <= 0 ? 0 : (v / lot) * lot; }
int64_t ceil_to(int64_t v, int64_t lot) { return v <= 0 ? lot : ((v + lot - 1) / lot) * lot; }
int64_t gcd64(int64_t a, int64_t b) {
  while (b != 0) { int64_t t = a % b; a = b; b = t; }
  return a;
}

// Divisibility by a lot without a division (Granlund & Montgomery; Hacker's
// Delight 10-17): for lot = d * 2^k with d odd, x is a multiple of lot iff
// rotr(x * d^-1 mod 2^64, k) <= (2^64 - 1) / lot. lot 1: always true.
struct LotTest {
  uint64_t inv = 1;
  uint64_t max = UINT64_MAX;
  unsigned shift = 0;
  LotTest() = default;
  // magic = floor(2^64 / lot) + 1 for lot > 1 (VenueState::lot_magic): no division here.
  LotTest(int64_t lot, uint64_t magic) {
    if (lot == 1) return;
    const auto l = static_cast<uint64_t>(lot);
    shift = static_cast<unsigned>(__builtin_ctzll(l));
    const uint64_t d = l >> shift;
    uint64_t x = d;                               // d * d = 1 mod 8: 3 bits
    for (int i = 0; i < 5; ++i) x *= 2 - d * x;   // Newton: 6, 12, 24, 48, 96 bits
    assert(x * d == 1);
    inv = x;
    // floor((2^64 - 1) / lot) = floor(2^64 / lot), less one when lot divides 2^64
    max = (magic - 1) - ((l & (l - 1)) == 0 ? 1 : 0);
    assert(max == UINT64_MAX / l);
  }
  bool divides(int64_t v) const {
    const uint64_t y = static_cast<uint64_t>(v) * inv;
    const uint64_t r = shift == 0 ? y : (y >> shift) | (y << (64 - shift));
    return r <= max;
  }
};

// Per-venue state for one decision.
struct VenueState {
  const Level* lv = nullptr;
  int n = 0;
  int64_t lot = 1;
  int64_t minq = 1;       // min_qty rounded up to a lot, at least one lot
  int64_t maxq = 0;       // max_qty rounded down to a lot
  int64_t factor = 0;     // signed cost per (price unit x qty unit): buy +(1e8+f), sell -(1e8-f)
  bool usable = false;
  // walk cursor
  int lvl = 0;
  int64_t used = 0;       // qty consumed in levels[lvl]
  int64_t taken = 0;
  i128 notional = 0;
  int64_t worst = 0;
  bool dead = false;
  uint64_t lot_magic = 0;  // floor(2^64 / lot) + 1, for division-free floor_lot
  LotTest lt;             // multiple of lot? (set by the bulk walk)
  // next segment
  bool seg_const = false;
  int64_t seg_qty = 0;    // const: available at one price; chunk: exact size
  i128 key_num = 0;       // per-unit cost = key_num / key_den
  int64_t key_den = 1;
  i128 chunk_notional = 0;
  int chunk_end_lvl = 0;
  int64_t chunk_end_used = 0;
  int64_t chunk_worst = 0;

  // v rounded down to a multiple of lot, without a hardware division on the hot
  // path: q = mulhi(v, magic) is floor(v/lot) or one more; correct it.
  int64_t floor_lot(int64_t x) const {
    if (x <= 0) return 0;
    if (lot == 1) return x;
    auto q = static_cast<int64_t>((static_cast<u128>(static_cast<uint64_t>(x)) * lot_magic) >> 64);
    if (q * lot > x) --q;
    return q * lot;
  }
};

}  // namespace

struct Router::Scratch {
  VenueState v[kMaxVenues];
  // exact solver
  std::vector<int64_t> qs[kMaxVenues];   // feasible quantities (units), ascending, qs[0] = 0
  std::vector<i128> cost[kMaxVenues];    // signed cost of qs[k]
  std::vector<i128> dp_prev, dp_cur;
  std::vector<int32_t> choice;            // kMaxVenues x (states+1)
  RouteError err = RouteError::Ok;
  Side side = Side::Sell;
  int64_t limit = 0;

  bool within_limit(int64_t px) const { return side == Side::Sell ? px >= limit : px <= limit; }
  // Level i exists, is inside the limit and ordered after level i-1.
  bool level_ok(const VenueState& s, int i) {
    if (i >= s.n) return false;
    const Level& l = s.lv[i];
    if (l.qty.v <= 0) { err = RouteError::BadVenue; return false; }
    if (i > 0) {
      int64_t prev = s.lv[i - 1].px.v;
      bool ordered = side == Side::Sell ? l.px.v < prev : l.px.v > prev;
      if (!ordered) { err = RouteError::BadVenue; return false; }
    }
    return within_limit(l.px.v);
  }
};

Router::Router(RouterConfig cfg) : cfg_(cfg), s_(std::make_unique<Scratch>()) {
  size_t states = cfg_.exact_max_states + 1;
  for (auto& q : s_->qs) q.resize(states);
  for (auto& c : s_->cost) c.resize(states);
  s_->dp_prev.resize(states);
  s_->dp_cur.resize(states);
  s_->choice.resize(static_cast<size_t>(kMaxVenues) * states);
}

Router::~Router() = default;

namespace {

// Walks `need` units from the cursor (lvl, used). Returns false if the levels
// inside the limit run out first.
template <class S>
bool walk(S& sc, const VenueState& v, int& lvl, int64_t& used, int64_t need, i128& notional, int64_t& worst) {
  while (need > 0) {
    if (!sc.level_ok(v, lvl)) return false;
    int64_t avail = v.lv[lvl].qty.v - used;
    int64_t t = avail < need ? avail : need;
    notional += static_cast<i128>(v.lv[lvl].px.v) * t;
    worst = v.lv[lvl].px.v;
    need -= t;
    used += t;
    if (used == v.lv[lvl].qty.v) { ++lvl; used = 0; }
  }
  return true;
}

// Computes the next segment of venue v (see README: constant-price run of whole
// lots, or a chunk that straddles levels / the first minimum-size chunk).
template <class S>
void next_segment(S& sc, VenueState& v) {
  if (v.dead) return;
  int64_t room = v.maxq - v.taken;
  if (v.taken == 0 && v.minq > v.lot) {
    // First chunk: the minimum order size, priced at its average.
    if (room < v.minq) { v.dead = true; return; }
    int lvl = v.lvl; int64_t used = v.used; i128 notional = 0; int64_t worst = 0;
    if (!walk(sc, v, lvl, used, v.minq, notional, worst)) { v.dead = true; return; }
    v.seg_const = false; v.seg_qty = v.minq;
    v.key_num = notional * v.factor; v.key_den = v.minq;
    v.chunk_notional = notional; v.chunk_end_lvl = lvl; v.chunk_end_used = used; v.chunk_worst = worst;
    return;
  }
  if (!sc.level_ok(v, v.lvl)) { v.dead = true; return; }
  int64_t r = v.lv[v.lvl].qty.v - v.used;
  if (r >= v.lot) {
    int64_t q = v.floor_lot(r);
    int64_t rq = v.floor_lot(room);
    if (q > rq) q = rq;
    if (q <= 0) { v.dead = true; return; }
    v.seg_const = true; v.seg_qty = q;
    v.key_num = static_cast<i128>(v.lv[v.lvl].px.v) * v.factor; v.key_den = 1;
    return;
  }
  // Less than a lot left at this price: one lot across the next levels.
  if (room < v.lot) { v.dead = true; return; }
  int lvl = v.lvl; int64_t used = v.used; i128 notional = 0; int64_t worst = 0;
  if (!walk(sc, v, lvl, used, v.lot, notional, worst)) { v.dead = true; return; }
  v.seg_const = false; v.seg_qty = v.lot;
  v.key_num = notional * v.factor; v.key_den = v.lot;
  v.chunk_notional = notional; v.chunk_end_lvl = lvl; v.chunk_end_used = used; v.chunk_worst = worst;
}


// Saturating span * num / den for the bulk walk's next threshold (a guess:
// any threshold gives the same plan, only the work changes). span, num >= 0, den > 0.
i128 scaled_step(i128 span, i128 num, i128 den) {
  constexpr i128 kBig = static_cast<i128>(1) << 120;
  const i128 q = span / den, r = span % den;   // r < den <= 2^63, num <= 2^63: r * num fits
  if (q != 0 && num > kBig / q) return kBig;
  return q * num + r * num / den;
}

// How one venue's run of the bulk walk ended (bulk_run).
enum class RunEnd : uint8_t {
  Above,   // next level's key is above the threshold
  Dead,    // the book's end or the limit: the venue has nothing more
  Block,   // next level cannot be taken in bulk (see bulk_walk): the merge must meet it
  Cap,     // next level would exceed the venue's max or reach the order's quantity
};
struct Run {
  int c;          // cursor after the run
  int64_t took;   // quantity taken
  RunEnd end;
};

// One venue's levels from c while their key px*f is <= t, taking at most `cap`.
// Invariant on entry and on every step: level c is valid, inside the limit and
// a whole number of lots. Each level also checks the one after it, exactly as
// the merge does when it steps there: BadVenue if unordered or empty (-> Block,
// the merge reports it), dead if past the limit or the end, Block if it does
// not hold whole lots (a straddling lot: the merge hands over to the general walk).
// Kept out of line and specialised by side so the loop lives in registers.
template <bool kSell>
[[gnu::noinline]] Run bulk_run(const Level* lv, int c, int n, int64_t f, i128 t, int64_t lim, int64_t cap, const LotTest& lt0) {
  const LotTest lt = lt0;   // in registers
  const Level* p = lv + c;
  const Level* const last = lv + n - 1;
  int64_t room = cap;       // counts down: fewer live registers than a running total
  RunEnd end;
  for (;;) {
    const int64_t px = p->px.v, q = p->qty.v;
    if (static_cast<i128>(px) * f > t) { end = RunEnd::Above; break; }
    if (q > room) { end = RunEnd::Cap; break; }
    if (p == last) { room -= q; ++p; end = RunEnd::Dead; break; }
    const int64_t npx = p[1].px.v, nq = p[1].qty.v;
    const bool bad = (nq <= 0) | (kSell ? npx >= px : npx <= px);
    const bool inside = kSell ? npx >= lim : npx <= lim;
    if (bad | (inside & !lt.divides(nq))) { end = RunEnd::Block; break; }
    room -= q;
    ++p;
    if (!inside) { end = RunEnd::Dead; break; }
  }
  return {static_cast<int>(p - lv), cap - room, end};
}

// Bulk phase of the uniform-lot walk (README, "Algorithm" 1). The merge
// (greedy_uniform) takes levels in non-decreasing key order: the running venue
// continues while its next key is <= the runner-up's, the minimum of the
// others. So right after it has taken the last level with key <= T, it has
// taken exactly every level with key <= T of every venue. That state is
// reached here directly: for a threshold T, each venue moves its cursor to its
// first level with key > T in a tight loop (bulk_run forward, or back over
// levels already checked; one well-predicted exit per venue, no comparison
// across venues per level). A threshold T is accepted only if the merge really
// passes through that state and continues from it the same way:
//   * the fill stays below Q and within every venue's max, so every level is
//     taken whole (a forward run stops before a level that would not be);
//   * no level with key <= T changes the merge's course: a level that does not
//     hold whole lots or whose successor is invalid or does not hold whole lots
//     (the merge would straddle or fail there) blocks the bulk walk just below
//     its key (t_cap); a venue whose next level is past the limit or the end
//     dies, as in the merge, where that affects no other venue;
//   * the merge's next pick from that state is known: the venue that took the
//     last level (`cont`) if its next key ties the minimum, else the lowest
//     index at the minimum. The last taker has the largest last-taken key; on
//     a tie in that key it is the largest or the second largest index of the
//     tie (a tie is taken by the previous taker first, then by index), and T
//     is refused if those two would make different picks.
// Thresholds follow the local fill density (secant between the last two
// accepted thresholds) aiming at half of what is left, the span from the start
// at most quadrupling per probe, and bisect below a refused one. When about
// kTailLevels levels remain, the last accepted state is committed to sc.v and
// the merge takes over. Cursors stay on level boundaries (used = 0).
template <class S>
void bulk_walk(S& sc, i128* key, int* live, int& nlive, int64_t Q, int64_t& filled, int& cont, uint32_t& steps) {
  constexpr int kMaxProbes = 12;
  constexpr int64_t kTailLevels = 16;
  const bool sell = sc.side == Side::Sell;
  const int64_t lim = sc.limit;
  assert(filled == 0);
  i128 origin = key[live[0]];
  for (int k = 1; k < nlive; ++k) origin = key[live[k]] < origin ? key[live[k]] : origin;
  origin -= 1;                      // below every level: nothing taken
  i128 t_lo = origin;               // last accepted threshold, its fill and next pick
  int64_t f_lo = 0;
  int lo_cont = -1;
  i128 t_prev = origin;             // the accepted threshold before t_lo that took less
  int64_t f_prev = 0;
  i128 t_hi = kInf;                 // smallest refused threshold, and a fill it reached
  int64_t f_hi = 0;
  i128 t_cap = kInf;                // largest threshold no blocking level forbids
  // Level 0 was checked by the caller except for holding whole lots.
  for (int k = 0; k < nlive; ++k) {
    VenueState& v = sc.v[live[k]];
    v.lt = LotTest(v.lot, v.lot_magic);
    assert(v.lvl == 0 && v.taken == 0 && v.used == 0);
    if (!v.lt.divides(v.lv[0].qty.v) && key[live[k]] - 1 < t_cap) t_cap = key[live[k]] - 1;
  }
  // First probe: the worst of the venues' top levels (each venue takes its
  // first level at least); then growing steps while nothing is taken.
  i128 top = origin + 1;
  for (int k = 0; k < nlive; ++k) top = key[live[k]] > top ? key[live[k]] : top;
  i128 step = top - origin;
  // The probe state: per live venue its cursor, quantity and death; the total.
  int pc[kMaxVenues];
  int64_t ptk[kMaxVenues];
  bool pdead[kMaxVenues];
  for (int k = 0; k < nlive; ++k) { pc[live[k]] = 0; ptk[live[k]] = 0; pdead[live[k]] = false; }
  int64_t total = 0;
  // Moves every cursor back over its levels with key > t (levels already checked).
  auto back_to = [&](i128 t, int upto) {
    for (int k = 0; k < upto; ++k) {
      const int vi = live[k];
      const VenueState& v = sc.v[vi];
      int c = pc[vi];
      int64_t back = 0;
      while (c > 0 && static_cast<i128>(v.lv[c - 1].px.v) * v.factor > t) back += v.lv[--c].qty.v;
      if (c != pc[vi]) { pc[vi] = c; ptk[vi] -= back; total -= back; pdead[vi] = false; }
    }
  };
  // Moves every cursor to its first level with key > t. A forward run that
  // stops before a level it may not take whole (Cap: the venue's max or the
  // order's quantity; Block) lowers t to just below that level's key: the
  // venues already moved step back to the new t, the stopped one is there
  // already (its earlier levels have lower keys), the rest move to it. So the
  // state ends as t's for the returned t, with a fill below Q.
  auto move_to = [&](i128 t, bool& capped) {
    back_to(t, nlive);
    capped = false;
    for (int k = 0; k < nlive; ++k) {
      const int vi = live[k];
      if (pdead[vi]) continue;
      const VenueState& v = sc.v[vi];
      const int64_t room = v.maxq - ptk[vi], left = Q - 1 - total;
      const int64_t cap = room < left ? room : left;
      const Run r = sell ? bulk_run<true>(v.lv, pc[vi], v.n, v.factor, t, lim, cap, v.lt)
                         : bulk_run<false>(v.lv, pc[vi], v.n, v.factor, t, lim, cap, v.lt);
      pc[vi] = r.c;
      ptk[vi] += r.took;
      total += r.took;
      pdead[vi] = r.end == RunEnd::Dead;
      if (r.end == RunEnd::Block || r.end == RunEnd::Cap) {
        const i128 kc = static_cast<i128>(v.lv[r.c].px.v) * v.factor;
        if (r.end == RunEnd::Block || v.lv[r.c].qty.v > v.maxq - ptk[vi]) t_cap = kc - 1 < t_cap ? kc - 1 : t_cap;
        else capped = true;   // the order's quantity: t's fill was >= Q
        t = kc - 1;
        back_to(t, k);
      }
    }
    return t;
  };
  // The merge's next pick from a state reached by move_to (see above); -2 if unknown.
  auto next_pick = [&]() {
    i128 klast = 0;
    int w1 = -1, w2 = -1;   // largest and second largest index at the largest last-taken key
    for (int k = 0; k < nlive; ++k) {
      const int vi = live[k];
      if (pc[vi] == 0) continue;
      const VenueState& v = sc.v[vi];
      const i128 kl = static_cast<i128>(v.lv[pc[vi] - 1].px.v) * v.factor;
      if (w1 < 0 || kl > klast) { klast = kl; w1 = vi; w2 = -1; }
      else if (kl == klast) { w2 = w1; w1 = vi; }   // live[] ascends: vi is the largest so far
    }
    auto pick = [&](int w) {
      int best = -1;
      i128 kb = 0, kother = 0;   // minimum over the live, minimum over the live but w
      bool have_other = false;
      for (int k = 0; k < nlive; ++k) {
        const int vi = live[k];
        if (pdead[vi]) continue;
        const VenueState& v = sc.v[vi];
        const i128 kk = static_cast<i128>(v.lv[pc[vi]].px.v) * v.factor;
        if (best < 0 || kk < kb) { kb = kk; best = vi; }
        if (vi != w && (!have_other || kk < kother)) { kother = kk; have_other = true; }
      }
      if (w >= 0 && !pdead[w] && (!have_other || static_cast<i128>(sc.v[w].lv[pc[w]].px.v) * sc.v[w].factor <= kother)) return w;
      return best;
    };
    if (w2 >= 0 && pick(w1) != pick(w2)) return -2;
    return w1;   // -1: nothing taken, the merge starts fresh
  };
  bool at_lo = true;   // the probe state is t_lo's
  for (int probe = 0; probe < kMaxProbes; ++probe) {
    i128 t;
    const int64_t aim = (Q - f_lo) / 2;
    if (t_hi < kInf && f_hi > f_lo) {
      // Regula falsi below a refused threshold; f_hi is only a lower bound of its
      // fill (runs stop at Q), so aim at half of what is left.
      t = t_lo + scaled_step(t_hi - t_lo, (Q - f_lo) / 2, f_hi - f_lo);
    } else if (f_lo > f_prev) {
      i128 d = scaled_step(t_lo - t_prev, aim, f_lo - f_prev);
      if (d > 4 * (t_lo - origin)) d = 4 * (t_lo - origin);
      t = t_lo + d;
    } else {
      t = t_lo + step;
    }
    if (t >= t_hi) t = t_lo + (t_hi - t_lo) / 2;
    if (t > t_cap) t = t_cap;
    if (t <= t_lo) break;
    ++steps;
    at_lo = false;
    bool capped = false;
    const i128 asked = t;
    t = move_to(t, capped);
    if (capped) { t_hi = asked; f_hi = Q; }   // D(asked) >= Q
    int pick = t > t_lo ? next_pick() : -2;
    if (pick == -2) {   // lowered to t_lo or below, or the next pick unknown
      if (t < t_hi) { t_hi = t; f_hi = total; }
      continue;
    }
    if (total > f_lo) { t_prev = t_lo; f_prev = f_lo; }   // keep the last density that took something
    if (total == 0) step *= 4;
    t_lo = t;
    f_lo = total;
    lo_cont = pick;
    at_lo = true;
    int alive = 0;
    int64_t levels = 0;
    for (int k = 0; k < nlive; ++k) { alive += pdead[live[k]] ? 0 : 1; levels += pc[live[k]]; }
    if (alive < 2) break;   // the merge takes a lone venue in one run
    if (static_cast<i128>(Q - f_lo) * levels <= static_cast<i128>(kTailLevels) * f_lo) break;
  }
  if (!at_lo) {
    bool capped = false;
    const i128 t = move_to(t_lo, capped);   // t_lo was accepted: the same cursors again
    assert(t == t_lo && !capped && total == f_lo);
    (void)t;
  }
  // ---- commit t_lo's state
  int n2 = 0;
  for (int k = 0; k < nlive; ++k) {
    const int vi = live[k];
    VenueState& v = sc.v[vi];
    v.lvl = pc[vi];
    v.taken = ptk[vi];
    if (pdead[vi]) { v.dead = true; continue; }
    key[vi] = static_cast<i128>(v.lv[v.lvl].px.v) * v.factor;
    live[n2++] = vi;
  }
  nlive = n2;
  filled = f_lo;
  cont = lo_cont;
}

// Fast path when every usable venue has the same lot L and min <= L (greedy is
// exact, README): whole lots only, so the walk needs no segment bookkeeping.
// First the bulk phase (bulk_walk) takes every level below a threshold; then
// the merge: per step, one scan of the live venues finds the best and the
// runner-up by per-unit cost (ties: lower index, except that the venue that
// took the last level continues on a tie); the best then takes level after
// level while its cost does not exceed the runner-up's (one 64x64 multiply per
// level). Notional and worst price are derived from the cursors at the end,
// so the loops keep no 128-bit accumulators in memory. Returns false when a
// level leaves less than a lot (a lot that straddles levels): the cursors are
// consistent and the general walk continues from them.
template <class S>
bool greedy_uniform(S& sc, int nv, int64_t Q, int64_t L, int64_t& filled, uint32_t& steps) {
  i128 key[kMaxVenues];
  int live[kMaxVenues];   // ascending venue index, so strict comparisons keep ties on the lower index
  int nlive = 0;
  const bool sell = sc.side == Side::Sell;
  const int64_t lim = sc.limit;
  filled = 0;
  for (int i = 0; i < nv; ++i) {
    VenueState& v = sc.v[i];
    if (v.dead) continue;
    if (!sc.level_ok(v, 0)) {
      if (sc.err != RouteError::Ok) return true;
      v.dead = true;
      continue;
    }
    if (v.lv[0].qty.v < L) return false;   // straddling lot at the very start: general walk
    key[i] = static_cast<i128>(v.lv[0].px.v) * v.factor;
    live[nlive++] = i;
  }
  int cont = -1;   // the venue that took the last level, if the bulk phase took any
  // The bulk phase pays off beyond some tens of levels: an order within about
  // 32 times the venues' summed top-level quantity is merged level by level
  // (a guess from the top of the books; either way the plan is the same).
  i128 top_qty = 0;
  for (int k = 0; k < nlive; ++k) top_qty += sc.v[live[k]].lv[0].qty.v;
  if (nlive > 1 && Q / 32 > top_qty) bulk_walk(sc, key, live, nlive, Q, filled, cont, steps);
  bool straddle = false;
  while (nlive > 0 && Q - filled >= L && !straddle) {
    int b = 0, s = -1;
    for (int k = 1; k < nlive; ++k) {
      const i128 kk = key[live[k]];
      if (kk < key[live[b]]) { s = b; b = k; }
      else if (s < 0 || kk < key[live[s]]) s = k;
    }
    if (cont >= 0) {
      // The bulk phase stopped inside the run of `cont`: it keeps running if
      // its key ties the minimum (the minimum of the others is then key[live[b]]).
      for (int k = 0; k < nlive; ++k)
        if (live[k] == cont && k != b && key[cont] == key[live[b]]) { s = b; b = k; break; }
      cont = -1;
    }
    ++steps;
    const int bi = live[b];
    VenueState& v = sc.v[bi];
    const bool bounded = s >= 0;
    const i128 k2 = bounded ? key[live[s]] : 0;
    const int64_t f64 = v.factor;
    const Level* lv = v.lv;
    int i = v.lvl;
    int64_t used = v.used, taken = v.taken;
    const int64_t left = Q - filled;
    const int64_t cap = v.maxq - taken < left ? v.maxq : taken + left;   // most this venue may hold now
    bool dead = false;
    for (;;) {
      const int64_t q = lv[i].qty.v;
      const int64_t t = v.floor_lot(q - used < cap - taken ? q - used : cap - taken);
      if (t <= 0) { dead = cap - taken < L && cap == v.maxq; break; }
      taken += t;
      used += t;
      if (used < q) {                       // stopped inside the level
        if (cap - taken >= L) straddle = true;   // less than a lot left here, room for more
        else dead = cap == v.maxq;          // venue full (else: the order is, loop ends)
        break;
      }
      const int64_t px = lv[i].px.v;
      ++i;
      used = 0;
      if (i >= v.n) { dead = true; break; }
      const int64_t npx = lv[i].px.v, nq = lv[i].qty.v;
      if (nq <= 0 || (sell ? npx >= px : npx <= px)) { sc.err = RouteError::BadVenue; return true; }
      if (sell ? npx < lim : npx > lim) { dead = true; break; }
      const i128 nk = static_cast<i128>(npx) * f64;
      key[bi] = nk;
      if (nq < L && cap - taken >= L) { straddle = true; break; }
      if (bounded && nk > k2) break;        // the runner-up is now cheaper
    }
    v.lvl = i;
    v.used = used;
    filled += taken - v.taken;
    v.taken = taken;
    if (dead) {
      v.dead = true;
      for (int k = b + 1; k < nlive; ++k) live[k - 1] = live[k];
      --nlive;
    }
  }
  // Notional and worst price of every venue from its cursor (levels before lvl
  // taken whole, `used` of level lvl).
  for (int i = 0; i < nv; ++i) {
    VenueState& v = sc.v[i];
    if (v.taken == 0) continue;
    // Two sums: halves the carry chain of the 128-bit additions (hundreds of levels).
    i128 n = 0, n1 = 0;
    const Level* lv = v.lv;
    int k = 0;
    for (; k + 1 < v.lvl; k += 2) {
      n += static_cast<i128>(lv[k].px.v) * lv[k].qty.v;
      n1 += static_cast<i128>(lv[k + 1].px.v) * lv[k + 1].qty.v;
    }
    if (k < v.lvl) n += static_cast<i128>(lv[k].px.v) * lv[k].qty.v;
    n += n1;
    n += static_cast<i128>(lv[v.lvl < v.n ? v.lvl : 0].px.v) * v.used;
    v.notional = n;
    v.worst = v.used > 0 ? v.lv[v.lvl].px.v : v.lv[v.lvl - 1].px.v;
  }
  return !straddle;
}
}  // namespace

RouteError Router::route(const RouteOrder& order, std::span<const VenueInput> venues, RoutePlan& out) {
  out = RoutePlan{};
  if (order.qty.v <= 0 || order.limit.v <= 0) return RouteError::BadOrder;
  if (venues.size() > static_cast<size_t>(kMaxVenues)) return RouteError::TooManyVenues;
  Scratch& sc = *s_;
  sc.err = RouteError::Ok;
  sc.side = order.side;
  sc.limit = order.limit.v;
  const int nv = static_cast<int>(venues.size());
  const int64_t Q = order.qty.v;

  // ---- prepare venues
  bool have_best = false;
  int64_t best = 0;
  for (int i = 0; i < nv; ++i) {
    const VenueInput& in = venues[static_cast<size_t>(i)];
    VenueState& v = sc.v[i];
    v = VenueState{};
    if (in.lot.v <= 0 || in.taker_fee.v < 0 || in.taker_fee.v >= kRatioOne || in.min_qty.v < 0 || in.max_qty.v < 0)
      return RouteError::BadVenue;
    v.lv = in.levels.data();
    v.n = static_cast<int>(in.levels.size());
    v.lot = in.lot.v;
    v.lot_magic = v.lot > 1 ? static_cast<uint64_t>((static_cast<u128>(1) << 64) / static_cast<u128>(v.lot)) + 1 : 0;
    v.minq = ceil_to(in.min_qty.v, v.lot);
    v.maxq = floor_to(in.max_qty.v, v.lot);
    v.factor = order.side == Side::Buy ? kRatioOne + in.taker_fee.v : -(kRatioOne - in.taker_fee.v);
    v.usable = in.healthy && v.n > 0 && v.maxq >= v.minq;
    v.dead = !v.usable;
    if (in.healthy && v.n > 0) {
      int64_t px = v.lv[0].px.v;
      if (!have_best || (order.side == Side::Sell ? px > best : px < best)) { best = px; have_best = true; }
    }
  }
  out.best_px = Price(have_best ? best : 0);

  // ---- is greedy provably optimal? (README: equal lots and min <= lot, or everything fits)
  bool same_lot = true;
  int64_t lot0 = 0, g = 0;
  for (int i = 0; i < nv; ++i) {
    VenueState& v = sc.v[i];
    if (!v.usable) continue;
    if (lot0 == 0) lot0 = v.lot;
    if (v.lot != lot0 || v.minq != v.lot) same_lot = false;
    g = g == 0 ? v.lot : gcd64(g, v.lot);
  }
  bool greedy_exact = same_lot;
  // capacity of each venue within limit and max, bounded by Q (bounded scan)
  int64_t cap[kMaxVenues] = {};
  i128 total_cap = 0;
  if (!greedy_exact) {
    for (int i = 0; i < nv; ++i) {
      VenueState& v = sc.v[i];
      if (!v.usable) continue;
      int64_t bound = v.maxq < Q ? v.maxq : Q;
      // one more unit than Q tells "more than Q available"
      int64_t depth = 0;
      for (int k = 0; depth <= Q && sc.level_ok(v, k); ++k) depth += v.lv[k].qty.v;
      if (sc.err != RouteError::Ok) return sc.err;
      total_cap += floor_to(v.maxq < depth ? v.maxq : depth, v.lot) >= v.minq ? floor_to(v.maxq < depth ? v.maxq : depth, v.lot) : 0;
      cap[i] = floor_to(bound < depth ? bound : depth, v.lot);
      if (cap[i] < v.minq) cap[i] = 0;
    }
    if (total_cap <= Q) greedy_exact = true;
  }

  bool solved_exact = false;
  uint32_t steps = 0;
  if (!greedy_exact && g > 0) {
    // ---- exact dynamic programme over quantity in units of g
    int64_t S = Q / g;
    size_t ops = 0;
    bool fits = S <= static_cast<int64_t>(cfg_.exact_max_states);
    for (int i = 0; fits && i < nv; ++i) {
      if (!sc.v[i].usable || cap[i] == 0) continue;
      size_t choices = static_cast<size_t>((cap[i] - sc.v[i].minq) / sc.v[i].lot + 2);
      ops += choices * static_cast<size_t>(S + 1);
      if (choices > cfg_.exact_max_states + 1 || ops > cfg_.exact_max_ops) fits = false;
    }
    if (fits) {
      const size_t W = static_cast<size_t>(S) + 1;
      // choice lists and their costs
      int cnt[kMaxVenues] = {};
      for (int i = 0; i < nv; ++i) {
        VenueState& v = sc.v[i];
        auto& qs = sc.qs[i];
        auto& cs = sc.cost[i];
        qs[0] = 0; cs[0] = 0; cnt[i] = 1;
        if (!v.usable || cap[i] == 0) continue;
        int lvl = 0; int64_t used = 0; i128 notional = 0; int64_t worst = 0; int64_t at = 0;
        for (int64_t q = v.minq; q <= cap[i]; q += v.lot) {
          bool ok = walk(sc, v, lvl, used, q - at, notional, worst);
          assert(ok); (void)ok;
          at = q;
          qs[static_cast<size_t>(cnt[i])] = q;
          cs[static_cast<size_t>(cnt[i])] = notional * v.factor;
          ++cnt[i];
        }
      }
      auto& prev = sc.dp_prev;
      auto& cur = sc.dp_cur;
      for (size_t s = 0; s < W; ++s) prev[s] = kInf;
      prev[0] = 0;
      for (int i = 0; i < nv; ++i) {
        int32_t* ch = &sc.choice[static_cast<size_t>(i) * (cfg_.exact_max_states + 1)];
        for (size_t s = 0; s < W; ++s) { cur[s] = kInf; ch[s] = -1; }
        for (size_t s = 0; s < W; ++s) {
          if (prev[s] == kInf) continue;
          for (int k = 0; k < cnt[i]; ++k) {
            size_t t = s + static_cast<size_t>(sc.qs[i][static_cast<size_t>(k)] / g);
            if (t >= W) break;
            i128 c = prev[s] + sc.cost[i][static_cast<size_t>(k)];
            if (c < cur[t]) { cur[t] = c; ch[t] = k; }
          }
        }
        std::swap(prev, cur);
      }
      size_t best_s = 0;
      for (size_t s = W; s-- > 0;) if (prev[s] != kInf) { best_s = s; break; }
      // reconstruct
      size_t s = best_s;
      for (int i = nv - 1; i >= 0; --i) {
        int32_t* ch = &sc.choice[static_cast<size_t>(i) * (cfg_.exact_max_states + 1)];
        int k = ch[s];
        assert(k >= 0);
        int64_t q = sc.qs[i][static_cast<size_t>(k)];
        VenueState& v = sc.v[i];
        if (q > 0) {
          int lvl = 0; int64_t used = 0;
          walk(sc, v, lvl, used, q, v.notional, v.worst);
          v.taken = q;
        }
        s -= static_cast<size_t>(q / g);
      }
      solved_exact = true;
    }
  }

  int64_t filled_fast = 0;
  bool fast_done = false;
  if (!solved_exact && same_lot) {
    fast_done = greedy_uniform(sc, nv, Q, lot0, filled_fast, steps);
    if (sc.err != RouteError::Ok) return sc.err;
  }
  if (!solved_exact && !fast_done) {
    // ---- greedy walk by effective price after fees
    // Live venues sorted by the per-unit cost of their next segment (ties: lower
    // index). Only the venue just taken changes its key, so after each take it is
    // sifted down a few places: the best and the runner-up are ord[0] and ord[1].
    i128 kn[kMaxVenues];
    int64_t kd[kMaxVenues];
    int ord[kMaxVenues];
    int nlive = 0;
    auto before = [&](int a, int b) {
      if (kd[a] == kd[b]) return kn[a] < kn[b] || (kn[a] == kn[b] && a < b);   // common: both constant-price runs
      int c = frac_cmp(kn[a], kd[a], kn[b], kd[b]);
      return c < 0 || (c == 0 && a < b);
    };
    auto publish = [&](int i) {
      const VenueState& w = sc.v[i];
      kn[i] = w.dead ? kInf : w.key_num;
      kd[i] = w.dead ? 1 : w.key_den;
    };
    // Re-place ord[0] after its key changed (or drop it when dead).
    auto resift_top = [&]() {
      const int top = ord[0];
      if (sc.v[top].dead) {
        for (int k = 1; k < nlive; ++k) ord[k - 1] = ord[k];
        --nlive;
        return;
      }
      for (int k = 0; k + 1 < nlive && before(ord[k + 1], ord[k]); ++k) std::swap(ord[k], ord[k + 1]);
    };
    for (int i = 0; i < nv; ++i) {
      next_segment(sc, sc.v[i]);
      publish(i);
      if (sc.v[i].dead) continue;
      int k = nlive++;
      ord[k] = i;
      for (; k > 0 && before(ord[k], ord[k - 1]); --k) std::swap(ord[k], ord[k - 1]);
    }
    if (sc.err != RouteError::Ok) return sc.err;
    int64_t filled = filled_fast;   // what the uniform fast path took before it met a straddling lot
    for (;;) {
      if (nlive == 0) break;
      const int pick = ord[0];
      const int second = nlive > 1 ? ord[1] : -1;
      ++steps;
      VenueState& v = sc.v[pick];
      int64_t room = Q - filled;
      if (v.seg_const) {
        int64_t t = v.seg_qty < room ? v.seg_qty : v.floor_lot(room);
        if (t <= 0) { v.dead = true; publish(pick); resift_top(); continue; }
        v.notional += static_cast<i128>(v.lv[v.lvl].px.v) * t;
        v.worst = v.lv[v.lvl].px.v;
        v.used += t;
        if (v.used == v.lv[v.lvl].qty.v) { ++v.lvl; v.used = 0; }
        v.taken += t;
        filled += t;
        // Fast path: keep taking whole levels of this venue while their raw price
        // beats the runner-up's effective price translated into this venue's raw
        // price (and the limit). Same order as one-by-one picking, without the
        // V-way comparison per level: a tight loop over int64 prices.
        if (v.used == 0) {
          const bool sell = order.side == Side::Sell;
          // Runner-up per-unit cost num2/den2; a level of ours at px costs px*factor
          // per unit, and keeps winning while px*factor*den2 <= num2 (multiplications
          // only: no 128-bit division per level).
          const bool bounded = second >= 0;
          const i128 num2 = bounded ? sc.v[second].key_num : 0;
          const i128 den2 = bounded ? sc.v[second].key_den : 1;
          const i128 fden = static_cast<i128>(v.factor) * den2;
          const int64_t f64 = v.factor;
          const bool unit_den = den2 == 1;   // runner-up is a constant-price run: one 64x64 multiply per level
          const int64_t lim = sc.limit;
          const Level* lv = v.lv;
          int i = v.lvl;
          int64_t room_left = v.maxq - v.taken;
          int64_t left = Q - filled;
          if (left < room_left) room_left = left;
          i128 notional = 0;
          int64_t took = 0, worst = v.worst;
          int64_t prev_px = i > 0 ? lv[i - 1].px.v : 0;
          while (i < v.n && room_left - took >= v.lot) {
            const int64_t px = lv[i].px.v, q = lv[i].qty.v;
            if (q <= 0 || (i > 0 && (sell ? px >= prev_px : px <= prev_px))) { sc.err = RouteError::BadVenue; break; }
            if (sell ? px < lim : px > lim) break;
            if (bounded && (unit_den ? static_cast<i128>(px) * f64 : static_cast<i128>(px) * fden) > num2) break;
            const int64_t want = q < room_left - took ? q : room_left - took;
            const int64_t tq = v.floor_lot(want);
            if (tq <= 0) break;
            notional += static_cast<i128>(px) * tq;
            took += tq;
            worst = px;
            if (tq < q) { v.used = tq; break; }   // lot remainder or room: general path continues
            prev_px = px;
            ++i;
          }
          if (sc.err != RouteError::Ok) return sc.err;
          v.lvl = i;
          v.notional += notional;
          v.taken += took;
          v.worst = worst;
          filled += took;
        }
      } else {
        if (v.seg_qty > room) { v.dead = true; publish(pick); resift_top(); continue; }
        v.notional += v.chunk_notional;
        v.worst = v.chunk_worst;
        v.lvl = v.chunk_end_lvl;
        v.used = v.chunk_end_used;
        v.taken += v.seg_qty;
        filled += v.seg_qty;
      }
      next_segment(sc, v);
      publish(pick);
      resift_top();
      if (sc.err != RouteError::Ok) return sc.err;
    }
  }
  if (sc.err != RouteError::Ok) return sc.err;

  // ---- children and totals
  int64_t filled = 0;
  for (int i = 0; i < nv; ++i) {
    const VenueState& v = sc.v[i];
    if (v.taken == 0) continue;
    Child& c = out.children[out.n_children++];
    c.venue = static_cast<uint16_t>(i);
    c.qty = Qty(v.taken);
    c.limit_price = Price(v.worst);
    c.avg_price = Price(div_u128_u64(v.notional, v.taken, order.side == Side::Buy));
    c.notional = v.notional;
    c.fee = v.notional * venues[static_cast<size_t>(i)].taker_fee.v;
    out.notional += c.notional;
    out.fees += c.fee;
    out.objective += v.notional * v.factor;
    filled += v.taken;
  }
  assert(filled <= Q);
  out.filled = Qty(filled);
  out.unfilled = Qty(Q - filled);
  out.exact = greedy_exact || solved_exact;
  out.steps = steps;
  plan_remainder(order, venues, cfg_, out);
  return RouteError::Ok;
}

i128 expected_cost_units(const RoutePlan& plan, Side side) {
  i128 at_best = static_cast<i128>(plan.best_px.v) * plan.filled.v;
  i128 impact = side == Side::Sell ? at_best - plan.notional : plan.notional - at_best;
  return plan.fees + impact * kRatioOne;
}

}  // namespace liqd::exec
