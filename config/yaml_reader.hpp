#pragma once
// Strict, located reading of YAML nodes. Every reader reports into Diagnostics with
// the node's line and the key's dotted path, and returns false instead of throwing,
// so one pass over a file finds every problem in it.
//
// Numbers may be YAML plain scalars (0.004) or strings ("0.004"); either way the
// scalar's text is converted exactly by parse_decimal (never through double).
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.hpp"

namespace liqd::config {

// 1-based line of a node (0 when yaml-cpp has no mark for it).
int line_of(const YAML::Node& n);

// "a mapping", "a sequence", "a scalar", "nothing (null)": for wrong-type messages.
const char* node_kind(const YAML::Node& n);

// Parse a whole file. On a syntax error or a missing file, reports it and returns
// std::nullopt. So does text that is not YAML's character set (invalid UTF-8, or a
// control character such as ESC or NUL): `yaml: invalid UTF-8 (byte 0xBA) at
// column 5: ...`, at its line. An empty document yields a null node (callers report it).
std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diag);
std::optional<YAML::Node> load_yaml_string(const std::string& text, const std::string& name,
                                           Diagnostics& diag);

// Where errors go: the file name and the collector.
struct Ctx {
  std::string file;
  Diagnostics& diag;
  void error(const YAML::Node& at, const std::string& key, const std::string& reason) const {
    diag.add(file, line_of(at), key, reason);
  }
  void error_line(int line, const std::string& key, const std::string& reason) const {
    diag.add(file, line, key, reason);
  }
};

// A mapping read key by key. Keys nobody asked for are reported by finish() as
// unknown; a key given twice is reported at construction (yaml-cpp keeps both).
class MapReader {
 public:
  // `path` is this map's own dotted path ("" for the document root).
  MapReader(const Ctx& ctx, const YAML::Node& node, std::string path);
  bool valid() const { return valid_; }
  int line() const { return line_; }
  const std::string& path() const { return path_; }
  // "path.key". A key that is not a plain word (empty, or with characters other
  // than letters, digits, '_', '-') is double-quoted: `""`, `tiers[0]."a b"`.
  std::string key_path(std::string_view key) const;

  // Value of an optional key, or an undefined node (IsDefined() false).
  YAML::Node get(std::string_view key);
  // Value of a required key; reports "missing field" at the map's line when absent.
  YAML::Node require(std::string_view key);
  bool has(std::string_view key) const;
  // Line of a key (for errors about the key itself); the map's line when absent.
  int line_of_key(std::string_view key) const;
  // Report every key that no get()/require() asked for.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    bool used = false;
  };
  const Ctx& ctx_;
  std::string path_;
  int line_ = 0;
  bool valid_ = false;
  std::vector<Entry> entries_;
};

// A scalar's text. Reports a wrong type (mapping, sequence, null) and returns false.
bool read_scalar(const Ctx& ctx, const YAML::Node& n, const std::string& key, std::string& out);

// Non-empty string.
bool read_string(const Ctx& ctx, const YAML::Node& n, const std::string& key, std::string& out);

// Decimal number at `dp` decimal places (exactly; no exponents, no extra digits).
bool read_decimal(const Ctx& ctx, const YAML::Node& n, const std::string& key, int dp, int64_t& out);

// Integer in [lo, hi].
bool read_int(const Ctx& ctx, const YAML::Node& n, const std::string& key, int64_t lo, int64_t hi,
              int64_t& out);

// true / false only (not yes/no/on/off: those are YAML 1.1 traps).
bool read_bool(const Ctx& ctx, const YAML::Node& n, const std::string& key, bool& out);

// One of a fixed set of words.
bool read_enum(const Ctx& ctx, const YAML::Node& n, const std::string& key,
               std::initializer_list<std::string_view> allowed, std::string& out);

// Reports unless `n` is a sequence. `allow_empty` false also refuses [].
bool expect_sequence(const Ctx& ctx, const YAML::Node& n, const std::string& key, bool allow_empty);

// "a, b or c" for messages.
std::string join_words(std::initializer_list<std::string_view> words);

}  // namespace liqd::config
