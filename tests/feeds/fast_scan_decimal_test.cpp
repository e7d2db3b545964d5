// FastScan's SWAR decimal conversion (decimal_body, 8 bytes at a time; the
// decimal_string and pair_levels that use it) against fast_decimal, the
// conversion the general path uses: on every quoted string of every recorded
// sample in tests/data/feeds, at every scale 0..18, and on edge and random
// strings. Whenever the fast code takes a value it must be fast_decimal's value
// (and consume exactly the string and its quote); whenever it declines, the
// fallback (decimal_plain) must decide as fast_decimal does. So a wrong value,
// a value accepted that fast_decimal refuses, or a refusal of a valid value fails.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/fast_decimal.hpp"
#include "feeds/fast_scan.hpp"

using namespace liqd;
using namespace liqd::feeds;

namespace {

// Every string between two quotes without a backslash, from every recorded sample.
std::set<std::string> recorded_strings() {
  std::set<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(LIQD_TEST_DATA_DIR) / "feeds";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (ext != ".json" && ext != ".jsonl") continue;
    std::ifstream f(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string s = ss.str();
    size_t i = 0;
    while ((i = s.find('"', i)) != std::string::npos) {
      const size_t j = s.find('"', i + 1);
      if (j == std::string::npos) break;
      const std::string body = s.substr(i + 1, j - i - 1);
      if (body.find('\\') == std::string::npos && body.size() <= 40) out.insert(body);
      i = j + 1;
    }
  }
  return out;
}

bool plain(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

// Trailing bytes after the closing quote: none (the string ends the input),
// a message's end, and a long rest (the SWAR loads then never run short).
const char* const kTails[] = {"", "]]}", "]],\"a\":[[\"1.0\",\"2\"],[\"1.1\",\"3\"],[\"1.2\",\"4\"],[\"1.3\",\"5\"]]}}"};

struct Counts {
  uint64_t cases = 0, fast_taken = 0;
};

void check_one(const std::string& s, int dp, Counts& n) {
  // A '"' would end the string early: the scanner would read another string.
  if (s.find('"') != std::string::npos) return;
  int64_t ref = 0;
  const DecimalError ref_err = fast_decimal(s, dp, ref);
  for (const char* tail : kTails) {
    const std::string buf = s + "\"" + tail;
    const char* const b = buf.data();
    const char* const e = b + buf.size();
    ++n.cases;
    {
      FastScan c{b, e};
      int64_t v = 0;
      if (c.decimal_body(dp, v)) {
        ++n.fast_taken;
        ASSERT_EQ(ref_err, DecimalError::Ok) << "'" << s << "' dp " << dp << " accepted, fast_decimal refuses";
        ASSERT_EQ(v, ref) << "'" << s << "' dp " << dp;
        ASSERT_EQ(c.p, b + s.size() + 1) << "'" << s << "' dp " << dp;
      } else {
        ASSERT_EQ(c.p, b) << "a declined decimal consumes nothing";
      }
    }
    if (plain(s)) {
      // The whole conversion (SWAR, else plain string + fast_decimal) decides as fast_decimal.
      FastScan c{b, e};
      int64_t v = 0;
      const bool ok = c.decimal_string(dp, v);
      ASSERT_EQ(ok, ref_err == DecimalError::Ok) << "'" << s << "' dp " << dp;
      if (ok) {
        ASSERT_EQ(v, ref) << "'" << s << "' dp " << dp;
      }
    }
  }
}

// s as the price and as the quantity of a one- and a three-level array: pair_levels
// takes it exactly when fast_decimal does (and the quantity is not negative).
void check_levels(const std::string& s, int dp) {
  if (!plain(s)) return;
  int64_t ref = 0;
  const bool ok = fast_decimal(s, dp, ref) == DecimalError::Ok;
  for (int as_qty = 0; as_qty < 2; ++as_qty) {
    const std::string level = as_qty ? "[\"7.5040\",\"" + s + "\"]" : "[\"" + s + "\",\"813\"]";
    for (const std::string& arr : {"[" + level + "]", "[" + level + "," + level + ",[\"1\",\"2\"]]"}) {
      for (const char* tail : kTails) {
        const std::string buf = arr + tail;
        FastScan c{buf.data(), buf.data() + buf.size()};
        LevelUpdate out[8];
        LevelSink sink{out, 8, 0, dp, dp};
        const bool got = c.pair_levels(kBid, sink);
        int64_t px = 0, qty = 0;
        const bool want = ok && (!as_qty || ref >= 0) &&
                          fast_decimal(as_qty ? "7.5040" : s, dp, px) == DecimalError::Ok &&
                          fast_decimal(as_qty ? s : "813", dp, qty) == DecimalError::Ok && qty >= 0;
        ASSERT_EQ(got, want) << buf << " dp " << dp;
        if (!got) continue;
        ASSERT_EQ(c.p, buf.data() + arr.size()) << buf;
        ASSERT_GE(sink.n, 1u);
        EXPECT_EQ(out[0].price, px) << buf << " dp " << dp;
        EXPECT_EQ(out[0].qty, qty) << buf << " dp " << dp;
        if (sink.n > 1) {
          EXPECT_EQ(out[1].price, px);
          EXPECT_EQ(out[1].qty, qty);
        }
      }
    }
  }
}

std::vector<std::string> edge_strings() {
  return {"", "0", "00", "007", "-0", "0.0", "0.", ".5", "5.", "-", "-.", "+1", " 1", "1 ", "1.2.3", "--1", "1e5",
          "1E-2", "7.5040", "7.5", "813", "-813", "9999999", "99999999", "1234567", "12345678", "1234567.1234567",
          "1234567.12345678", "0.1234567", "0.12345678", "0.00000001", "0.000000010", "1.50000", "1.123456789",
          "9223372036854775807", "9223372036854775808", "-9223372036854775808", "999999999999999999",
          "1000000000000000000", "0.999999999999999999", "12.340000000000000000000", "\x80" "1", "1\x7f", "1\t",
          "1\"", "\\u0031", "0x10", "1,5", "NaN", "inf", "-inf", "١"};
}

}  // namespace

TEST(FastScanDecimal, AgreesWithFastDecimalOnEveryRecordedString) {
  const std::set<std::string> strings = recorded_strings();
  ASSERT_GT(strings.size(), 1000u) << "recorded samples not found";
  Counts n;
  for (const std::string& s : strings)
    for (int dp = 0; dp <= 18; ++dp) {
      check_one(s, dp, n);
      if (HasFatalFailure()) return;
    }
  // The fast conversion must actually be exercised, not decline everything.
  EXPECT_GT(n.fast_taken, 10000u);
}

TEST(FastScanDecimal, AgreesWithFastDecimalOnEdgeStrings) {
  Counts n;
  for (const std::string& s : edge_strings())
    for (int dp = 0; dp <= 18; ++dp) {
      check_one(s, dp, n);
      check_levels(s, dp);
      if (HasFatalFailure()) return;
    }
}

TEST(FastScanDecimal, AgreesWithFastDecimalOnRandomStrings) {
  std::mt19937_64 rng(20261207);
  auto pick = [&](int lo, int hi) { return static_cast<int>(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  Counts n;
  for (int i = 0; i < 60000; ++i) {
    std::string s;
    if (i % 3 == 0) {
      // Any bytes from a number-ish alphabet.
      static const char kAlpha[] = "0123456789012345678901234567890.-+eE \"\\x";
      const int len = pick(0, 24);
      for (int k = 0; k < len; ++k) s += kAlpha[pick(0, static_cast<int>(sizeof kAlpha) - 2)];
    } else {
      // Well-formed shapes: optional sign, 0..20 integer digits (leading zeros
      // likely), optional point and 0..20 decimals (trailing zeros likely).
      if (pick(0, 4) == 0) s += '-';
      const int ni = pick(0, 20), nf = pick(-1, 20);
      for (int k = 0; k < ni; ++k) s += static_cast<char>('0' + (pick(0, 2) == 0 ? 0 : pick(0, 9)));
      if (nf >= 0) {
        s += '.';
        for (int k = 0; k < nf; ++k) s += static_cast<char>('0' + (pick(0, 2) == 0 ? 0 : pick(0, 9)));
      }
    }
    const int dp = pick(0, 18);
    check_one(s, dp, n);
    if (i % 4 == 0) check_levels(s, dp);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(n.fast_taken, 1000u);
}

// FastScan::u64 (two 8-byte words for up to 15 digits) against its digit loop
// (u64_loop, the reference): same result, value and position for digit runs of
// every length 0..21, with and without a leading zero, followed by every kind
// of byte (or by the end of the input at every distance), so each word
// boundary and the 16-bytes-left limit are crossed.
TEST(FastScanInteger, WordsAgreeWithTheDigitLoop) {
  std::mt19937_64 rng(7);
  const std::string tails[] = {"", ",", "\"", "}", "a", ".", "/", ":", "\x80", "\xff", ",\"T\":1626992741024}"};
  int checked = 0;
  for (int len = 0; len <= 21; ++len) {
    for (int lead : {0, 1}) {
      for (int rep = 0; rep < 20; ++rep) {
        std::string digits;
        for (int i = 0; i < len; ++i) digits += static_cast<char>('0' + rng() % 10);
        if (len > 0) digits[0] = lead ? '0' : static_cast<char>('1' + rng() % 9);
        for (const std::string& tail : tails) {
          for (int pad = 0; pad <= 17; ++pad) {
            const std::string s = digits + tail + std::string(static_cast<size_t>(pad), '9' - static_cast<char>(pad % 3));
            FastScan a{s.data(), s.data() + s.size()}, b = a;
            uint64_t va = 1, vb = 1;
            const bool ra = a.u64(va), rb = b.u64_loop(vb);
            ASSERT_EQ(ra, rb) << s;
            if (ra) {
              ASSERT_EQ(va, vb) << s;
              ASSERT_EQ(a.p, b.p) << s;
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 100000);
}

// FastScan::plain_string (eight bytes at a time) against plain_string_loop
// (byte at a time): same result, string and position when one special byte
// ('"', '\\', a control byte, 0x7F, a byte >= 0x80) of every value sits at
// every position of strings of length 0..40, and on random byte strings.
TEST(FastScanString, WordsAgreeWithTheByteLoop) {
  std::mt19937_64 rng(11);
  auto check = [](const std::string& s) {
    FastScan a{s.data(), s.data() + s.size()}, b = a;
    std::string_view va, vb;
    const bool ra = a.plain_string(va), rb = b.plain_string_loop(vb);
    ASSERT_EQ(ra, rb) << s;
    if (ra) {
      ASSERT_EQ(va, vb) << s;
      ASSERT_EQ(a.p, b.p) << s;
    }
  };
  int checked = 0;
  for (int len = 0; len <= 40; ++len) {
    std::string base;
    for (int i = 0; i < len; ++i) base += static_cast<char>(0x20 + rng() % 95);
    for (char& c : base)
      if (c == '"' || c == '\\') c = 'x';
    check(base);
    check(base + "\"");
    check(base + "\",\"data\":{");
    for (int pos = 0; pos <= len; ++pos) {
      for (int v = 0; v < 256; ++v) {
        std::string s = base;
        s.insert(s.begin() + pos, static_cast<char>(v));
        check(s);
        check(s + "\"");
        ++checked;
      }
    }
  }
  for (int i = 0; i < 200000; ++i) {
    std::string s(rng() % 24, ' ');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 0x20 + rng() % 95);
    check(s);
  }
  EXPECT_GT(checked, 200000);
}
