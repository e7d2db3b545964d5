#pragma once
// Strict, bounds-checked scanner for a venue's hot message in its one usual
// shape (keys in the venue's order, no whitespace, no escapes). It accepts only
// a subset of valid JSON:
//   - strings of printable ASCII (0x20..0x7E) without '"' or '\\' (so no
//     escapes to undo and nothing to check for UTF-8),
//   - unsigned integers of 1..19 digits without a leading zero (< 2^64, which
//     simdjson's get_uint64 reads to the same value),
//   - literal punctuation given by the caller.
// Whatever it cannot read, the caller hands to the general simdjson path, which
// then accepts or rejects as it always did. So a scan that succeeds has read
// exactly the values the general path would have read, from a document the
// general path would have accepted, and a failed scan changes nothing.
//
// Why: measured on the Binance depthUpdate (bench/RESULTS.md, "liqd-bench
// feeds"), simdjson stage 1 + the full-validation walk + On-Demand level
// iteration cost ~3 us per 455-byte message; this one pass, validation and
// extraction together, ~0.3-0.4 us (perf and callgrind, 2026-12-07). Reads only
// [p, e): the caller's bytes need no padding and are not copied.
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "feeds/fast_decimal.hpp"
#include "feeds/level_parse.hpp"

namespace liqd::feeds {

// The 8-byte digit tricks below read the first byte into the low bits.
static_assert(std::endian::native == std::endian::little, "fast_scan.hpp assumes a little-endian target");

struct FastScan {
  const char* p;
  const char* e;

  bool at_end() const { return p == e; }

  // Consumes the character `c` if it comes next.
  [[gnu::always_inline]] bool ch(char c) {
    if (p == e || *p != c) return false;
    ++p;
    return true;
  }

  // Consumes the two characters a, b if they come next (one 16-bit compare).
  [[gnu::always_inline]] bool ch2(char a, char b) {
    if (e - p < 2) return false;
    uint16_t w, want;
    std::memcpy(&w, p, 2);
    const char pair[2] = {a, b};
    std::memcpy(&want, pair, 2);
    if (w != want) return false;
    p += 2;
    return true;
  }

  // Consumes `s` if the input continues with it.
  [[gnu::always_inline]] bool lit(std::string_view s) {
    if (static_cast<size_t>(e - p) < s.size() || std::memcmp(p, s.data(), s.size()) != 0) return false;
    p += s.size();
    return true;
  }

  // The body of a string whose opening quote was consumed; consumes the closing quote.
  // Eight bytes at a time while eight remain (the byte loop was ~350 of the
  // depthUpdate's ~4000 instructions for the stream name and the symbol,
  // callgrind 2026-12-07), the last bytes by plain_string_loop. Same result.
  [[gnu::always_inline]] bool plain_string(std::string_view& out) {
    const char* const b = p;
    while (e - p >= 8) {
      const uint64_t m = special_mask(load8(p));
      if (m != 0) {
        p += __builtin_ctzll(m) >> 3;
        if (*p != '"') return false;
        out = std::string_view(b, static_cast<size_t>(p - b));
        ++p;
        return true;
      }
      p += 8;
    }
    std::string_view rest;
    if (!plain_string_loop(rest)) return false;
    out = std::string_view(b, static_cast<size_t>(p - 1 - b));
    return true;
  }
  // The byte-at-a-time reference of plain_string (its tail; tested against it).
  bool plain_string_loop(std::string_view& out) {
    const char* const b = p;
    for (; p < e; ++p) {
      const unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') {
        out = std::string_view(b, static_cast<size_t>(p - b));
        ++p;
        return true;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    return false;
  }

  // Binance's header integers are 12-13 digits (ids, millisecond times): up to
  // 15 digits are read as two 8-byte words (the digit loop was ~720
  // instructions of the depthUpdate's ~4400, callgrind 2026-12-07); longer
  // ones, or fewer than 16 bytes left, take the loop. Same values and refusals.
  [[gnu::always_inline]] bool u64(uint64_t& out) {
    if (e - p >= 16) [[likely]] {
      const uint64_t w1 = load8(p);
      const uint64_t m1 = nondigit_mask(w1);
      if (m1 != 0) {
        const int n = __builtin_ctzll(m1) >> 3;
        if (n == 0 || (n > 1 && *p == '0')) return false;
        out = digits_value(w1, n);
        p += n;
        return true;
      }
      const uint64_t w2 = load8(p + 8);
      const uint64_t m2 = nondigit_mask(w2);
      if (m2 != 0) {
        if (*p == '0') return false;  // a leading zero (8 or more digits)
        const int n2 = __builtin_ctzll(m2) >> 3;
        uint64_t v = digits_value(w1, 8);
        if (n2 > 0) v = v * kPow10[n2] + digits_value(w2, n2);
        out = v;
        p += 8 + n2;
        return true;
      }
    }
    return u64_loop(out);
  }
  [[gnu::noinline]] bool u64_loop(uint64_t& out) {
    const char* const b = p;
    uint64_t v = 0;
    while (p < e && static_cast<unsigned>(*p - '0') < 10u) {
      v = v * 10 + static_cast<unsigned>(*p - '0');  // wraps only past 19 digits, refused below
      ++p;
    }
    const size_t n = static_cast<size_t>(p - b);
    if (n == 0 || n > 19 || (n > 1 && *b == '0')) return false;
    out = v;
    return true;
  }

  // The body of a decimal string (opening quote consumed) in the common form
  // I[.F] with 1..7 integer digits I and 0..min(7, dp) decimals F, converted
  // eight bytes at a time (no per-digit branches: the digit loops' exits were
  // the mispredicted branches); consumes the closing quote. Accepts only inputs
  // for which fast_decimal returns Ok without its parse_decimal fallback, with
  // the same value (same digit count check); otherwise returns false having
  // consumed nothing, and the caller converts the plain way (a '-' sign too:
  // feed prices and sizes are not negative, and a negative size is refused anyway).
  // Requires 0 <= dp <= 18 (decimal_string and pair_levels check it).
  [[gnu::always_inline]] bool decimal_body(int dp, int64_t& out) {
    const char* const q = decimal_at(p, e, dp, out);
    if (q == nullptr) return false;
    p = q;
    return true;
  }

  // A decimal string body: decimal_body, else plain_string + fast_decimal.
  [[gnu::always_inline]] bool decimal_string(int dp, int64_t& out) {
    if (dp_ok(dp) && decimal_body(dp, out)) [[likely]] return true;
    return decimal_plain(dp, out);
  }
  static bool dp_ok(int dp) { return dp >= 0 && dp <= 18; }
  [[gnu::noinline]] bool decimal_plain(int dp, int64_t& out) {
    std::string_view s;
    return plain_string(s) && fast_decimal(s, dp, out) == DecimalError::Ok;
  }

  // [["price","qty"],...] (exactly two strings per level, as Binance sends) into
  // `sink`, with the values the general path's fast_decimal gives. A value
  // that does not convert, a negative quantity or a full sink: false (the general
  // path then reports the error). The loop works on local pointers (the
  // position is written back once, at the end) and the plain-way fallback
  // returns its value instead of writing through a pointer, so that the
  // values and the position stay in registers.
  bool pair_levels(Side side, LevelSink& sink) {
    if (!ch('[')) return false;
    if (ch(']')) return true;
    const int pdp = sink.price_dp, qdp = sink.qty_dp;
    if (!dp_ok(pdp) || !dp_ok(qdp)) return false;
    LevelUpdate* out = sink.out + sink.n;  // locals: the stores below cannot alias them
    LevelUpdate* const out_end = sink.out + sink.cap;
    const char* q = p;
    const char* const end = e;
    for (;;) {
      if (!pair_at(q, end, '[', '"')) return false;
      int64_t px = 0, qty = 0;
      if ((q = number_at(q + 2, end, pdp, px)) == nullptr || !pair_at(q, end, ',', '"')) return false;
      if ((q = number_at(q + 2, end, qdp, qty)) == nullptr) return false;
      if (qty < 0 || q == end || *q != ']' || out == out_end) return false;
      *out++ = LevelUpdate{px, qty, side};
      if (++q == end || *q != ',') break;
      ++q;
    }
    p = q;
    sink.n = static_cast<uint32_t>(out - sink.out);
    return ch(']');
  }

 private:
  // The two characters a, b at q (q <= e).
  [[gnu::always_inline]] static bool pair_at(const char* q, const char* e, char a, char b) {
    if (e - q < 2) return false;
    uint16_t w, want;
    std::memcpy(&w, q, 2);
    const char pair[2] = {a, b};
    std::memcpy(&want, pair, 2);
    return w == want;
  }

  // decimal_body on the bytes [q, e): the position after the closing quote, or
  // nullptr (declined; nothing consumed).
  [[gnu::always_inline]] static const char* decimal_at(const char* q, const char* e, int dp, int64_t& out) {
    if (e - q < 8) return nullptr;
    const uint64_t w1 = load8(q);
    const uint64_t m1 = nondigit_mask(w1);
    if (m1 == 0) return nullptr;  // 8 or more integer digits
    const int n1 = __builtin_ctzll(m1) >> 3;
    if (n1 == 0) return nullptr;  // no integer digit ('-', '.', ...): the plain way decides
    uint64_t v;
    int n2 = 0;
    if (q[n1] != '.') {
      v = digits_value(w1, n1);
      q += n1;
    } else if (const uint64_t rest = m1 & (m1 - 1); rest != 0) {
      // Common case: digits, '.', digits and the byte after them all in w1
      // ("7.5040"): drop the '.' byte (the bytes above it move down one) and
      // convert all the digits at once.
      const int end = __builtin_ctzll(rest) >> 3;
      n2 = end - n1 - 1;
      if (n2 > dp) return nullptr;  // maybe zeros past the scale, maybe TooPrecise: the plain way decides
      const uint64_t below = (1ull << (8 * n1)) - 1;
      v = digits_value((w1 & below) | ((w1 >> 8) & ~below), n1 + n2);
      q += end;
    } else {
      // The decimals run past w1: a second word for them.
      q += n1 + 1;
      if (e - q < 8) return nullptr;
      const uint64_t w2 = load8(q);
      const uint64_t m2 = nondigit_mask(w2);
      if (m2 == 0) return nullptr;  // 8 or more decimals
      n2 = __builtin_ctzll(m2) >> 3;
      if (n2 > dp) return nullptr;
      v = digits_value(w1, n1);
      if (n2 > 0) v = v * kPow10[n2] + digits_value(w2, n2);
      q += n2;
    }
    // fast_decimal's limit: digits kept + zeros appended <= 18.
    if (*q != '"' || n1 + dp > 18) return nullptr;
    if (n2 != dp) v *= kPow10[dp - n2];  // the venue usually sends every decimal of the scale
    out = static_cast<int64_t>(v);
    return q + 1;
  }

  // One string's value after its opening pair (`["` or `,"`): the fast way, else
  // the plain way; the position after it, nullptr if it does not convert.
  // always_inline: as a lambda g++ 12 made it an out-of-line call per value,
  // ~19 instructions of call, saves and restores each (callgrind, 2026-12-07).
  [[gnu::always_inline]] static const char* number_at(const char* q, const char* e, int dp, int64_t& v) {
    if (const char* r = decimal_at(q, e, dp, v)) [[likely]] return r;
    const Plain pl = plain_at(q, e, dp);
    v = pl.v;
    return pl.q;
  }

  // The plain way for pair_levels: the string body at q (plain_string) through
  // fast_decimal; q == nullptr if either refuses.
  struct Plain {
    const char* q;
    int64_t v;
  };
  [[gnu::noinline]] static Plain plain_at(const char* q, const char* e, int dp) {
    FastScan c{q, e};
    int64_t v = 0;
    if (!c.decimal_plain(dp, v)) return {nullptr, 0};
    return {c.p, v};
  }

  static constexpr uint64_t kPow10[19] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
                                            100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
                                            1000000000000ull, 10000000000000ull, 100000000000000ull,
                                            1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
                                            1000000000000000000ull};
  // Eight input bytes, first byte in the low bits (x86-64 is little-endian).
  [[gnu::always_inline]] static uint64_t load8(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  // Bit 7 of each byte of the result is set where that byte of w is not an ASCII
  // digit. After the xor, digits are 0..9; adding 0x76 to the low 7 bits sets bit
  // 7 exactly for 10..0x7F without carrying into the next byte, and "| x" adds
  // the bytes >= 0x80.
  [[gnu::always_inline]] static uint64_t nondigit_mask(uint64_t w) {
    const uint64_t x = w ^ 0x3030303030303030ull;
    return (((x & 0x7f7f7f7f7f7f7f7full) + 0x7676767676767676ull) | x) & 0x8080808080808080ull;
  }
  // Bit 7 of each byte of the result is set where that byte of w ends a plain
  // string or may not be in one: '"', '\\', below 0x20, 0x7F and above. Every
  // test works on the low 7 bits of each byte, where adding a constant below
  // 0x80 cannot carry into the next byte, so each flag is exact (not only the
  // lowest one).
  [[gnu::always_inline]] static uint64_t special_mask(uint64_t w) {
    constexpr uint64_t lo7 = 0x7f7f7f7f7f7f7f7full, hi = 0x8080808080808080ull;
    auto zero_byte = [](uint64_t x) { return ~(((x & lo7) + lo7) | x) & hi; };  // bit 7 where the byte is 0
    const uint64_t quote = zero_byte(w ^ 0x2222222222222222ull);
    const uint64_t bslash = zero_byte(w ^ 0x5c5c5c5c5c5c5c5cull);
    const uint64_t low = ~(((w & lo7) + 0x6060606060606060ull) | w) & hi;  // bytes < 0x20
    const uint64_t high = (((w & lo7) + 0x0101010101010101ull) | w) & hi;  // bytes >= 0x7f
    return quote | bslash | low | high;
  }
  // Value of the first n (1..8) bytes of w, all ASCII digits. The digits are
  // moved to the top bytes (the bottom ones become leading zeros) and combined
  // pairwise with multiplications, the SWAR technique of simdjson's
  // parse_eight_digits_unrolled (Lemire, "Fast numerical parsing of eight digits").
  [[gnu::always_inline]] static uint64_t digits_value(uint64_t w, int n) {
    uint64_t x = (w ^ 0x3030303030303030ull) << (8 * (8 - n));
    x = (x * 10) + (x >> 8);  // byte pairs -> 0..99 in every other byte
    return (((x & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
            (((x >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
  }
};

}  // namespace liqd::feeds
