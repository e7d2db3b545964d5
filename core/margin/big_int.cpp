#include "core/margin/big_int.hpp"

#include <cassert>
#include <cstddef>

using std::size_t;

namespace liqd {

BigInt::BigInt(i128 v) {
  neg_ = v < 0;
  u128 mag = neg_ ? static_cast<u128>(-(v + 1)) + 1 : static_cast<u128>(v);
  for (int i = 0; i < 4; ++i) {
    m_[static_cast<size_t>(i)] = static_cast<uint32_t>(mag);
    mag >>= 32;
  }
}

bool BigInt::is_zero() const {
  for (uint32_t w : m_) if (w != 0) return false;
  return true;
}

int BigInt::top_bit() const {
  for (int i = kLimbs - 1; i >= 0; --i) {
    uint32_t w = m_[static_cast<size_t>(i)];
    if (w != 0) return i * 32 + 31 - __builtin_clz(w);
  }
  return -1;
}

int BigInt::cmp_mag(const BigInt& a, const BigInt& b) {
  for (int i = kLimbs - 1; i >= 0; --i) {
    auto x = a.m_[static_cast<size_t>(i)], y = b.m_[static_cast<size_t>(i)];
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

BigInt BigInt::add_mag(const BigInt& a, const BigInt& b) {
  BigInt r;
  uint64_t carry = 0;
  for (size_t i = 0; i < kLimbs; ++i) {
    uint64_t s = uint64_t{a.m_[i]} + b.m_[i] + carry;
    r.m_[i] = static_cast<uint32_t>(s);
    carry = s >> 32;
  }
  assert(carry == 0 && "BigInt overflow");
  return r;
}

BigInt BigInt::sub_mag(const BigInt& a, const BigInt& b) {
  BigInt r;
  int64_t borrow = 0;
  for (size_t i = 0; i < kLimbs; ++i) {
    int64_t d = int64_t{a.m_[i]} - b.m_[i] - borrow;
    borrow = d < 0 ? 1 : 0;
    r.m_[i] = static_cast<uint32_t>(d + (borrow << 32));
  }
  assert(borrow == 0);
  return r;
}

BigInt operator*(const BigInt& a, const BigInt& b) {
  BigInt r;
  const int na = a.top_bit() / 32 + 1, nb = b.top_bit() / 32 + 1;
  assert(na + nb <= BigInt::kLimbs + 1 && "BigInt overflow");
  for (int i = 0; i < na; ++i) {
    uint64_t carry = 0;
    for (int j = 0; j < nb && i + j < BigInt::kLimbs; ++j) {
      auto k = static_cast<size_t>(i + j);
      uint64_t cur = r.m_[k] + uint64_t{a.m_[static_cast<size_t>(i)]} * b.m_[static_cast<size_t>(j)] + carry;
      r.m_[k] = static_cast<uint32_t>(cur);
      carry = cur >> 32;
    }
    if (i + nb < BigInt::kLimbs) r.m_[static_cast<size_t>(i + nb)] = static_cast<uint32_t>(carry);
    else assert(carry == 0 && "BigInt overflow");
  }
  r.neg_ = a.neg_ != b.neg_;
  return r;
}

BigInt operator+(const BigInt& a, const BigInt& b) {
  if (a.neg_ == b.neg_) {
    BigInt r = BigInt::add_mag(a, b);
    r.neg_ = a.neg_;
    return r;
  }
  if (BigInt::cmp_mag(a, b) >= 0) {
    BigInt r = BigInt::sub_mag(a, b);
    r.neg_ = a.neg_;
    return r;
  }
  BigInt r = BigInt::sub_mag(b, a);
  r.neg_ = b.neg_;
  return r;
}

BigInt BigInt::operator-() const {
  BigInt r = *this;
  r.neg_ = !neg_;
  return r;
}

BigInt operator-(const BigInt& a, const BigInt& b) { return a + (-b); }

int compare(const BigInt& a, const BigInt& b) {
  int sa = a.sign(), sb = b.sign();
  if (sa != sb) return sa < sb ? -1 : 1;
  int c = BigInt::cmp_mag(a, b);
  return sa < 0 ? -c : c;
}

i128 div_round(const BigInt& num, const BigInt& den, Round mode, bool& fits) {
  assert(!den.is_zero());
  // Magnitude long division, one bit at a time (restoring division). The running
  // remainder stays below 2·den, so only den's limbs plus one take part.
  const int live = den.top_bit() / 32 + 2 < BigInt::kLimbs ? den.top_bit() / 32 + 2 : BigInt::kLimbs;
  BigInt q, r;
  const int top = num.top_bit();
  for (int bit = top; bit >= 0; --bit) {
    // r = r*2 + bit
    uint32_t carry = (num.m_[static_cast<size_t>(bit / 32)] >> (bit % 32)) & 1u;
    for (int i = 0; i < live; ++i) {
      uint32_t& w = r.m_[static_cast<size_t>(i)];
      uint32_t next = w >> 31;
      w = (w << 1) | carry;
      carry = next;
    }
    // r >= den ? (compare the live limbs, most significant first)
    int c = 0;
    for (int i = live - 1; i >= 0 && c == 0; --i) {
      auto x = r.m_[static_cast<size_t>(i)], y = den.m_[static_cast<size_t>(i)];
      if (x != y) c = x < y ? -1 : 1;
    }
    if (c >= 0) {
      int64_t borrow = 0;
      for (int i = 0; i < live; ++i) {
        auto k = static_cast<size_t>(i);
        int64_t d = int64_t{r.m_[k]} - den.m_[k] - borrow;
        borrow = d < 0 ? 1 : 0;
        r.m_[k] = static_cast<uint32_t>(d + (borrow << 32));
      }
      q.m_[static_cast<size_t>(bit / 32)] |= 1u << (bit % 32);
    }
  }
  const bool negative = num.negative() != den.negative() && !num.is_zero();
  bool up = false;  // add one to the magnitude
  if (!r.is_zero()) {
    switch (mode) {
      case Round::TowardZero: up = false; break;
      case Round::Floor: up = negative; break;
      case Round::Ceil: up = !negative; break;
      case Round::HalfAwayFromZero: {
        BigInt twice = BigInt::add_mag(r, r);
        up = BigInt::cmp_mag(twice, den) >= 0;
        break;
      }
    }
  }
  if (up) q = BigInt::add_mag(q, BigInt(1));
  fits = q.top_bit() < 127;
  u128 mag = 0;
  for (int i = 3; i >= 0; --i) mag = (mag << 32) | q.m_[static_cast<size_t>(i)];
  i128 v = static_cast<i128>(mag);
  return negative ? -v : v;
}

}  // namespace liqd
