#include "config/yaml_reader.hpp"

#include <fstream>
#include <sstream>

#include "core/money/decimal.hpp"

namespace liqd::config {

int line_of(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  YAML::Mark m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

const char* node_kind(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing (null)";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a sequence";
  return "a scalar";
}

namespace {

std::optional<YAML::Node> parse(std::istream& in, const std::string& name, Diagnostics& diag) {
  try {
    return YAML::Load(in);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    diag.add(name, line, "yaml", "syntax error: " + e.msg);
  }
  return std::nullopt;
}

}  // namespace

std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.add(path, 0, "file", "cannot open");
    return std::nullopt;
  }
  return parse(in, path, diag);
}

std::optional<YAML::Node> load_yaml_string(const std::string& text, const std::string& name,
                                           Diagnostics& diag) {
  std::istringstream in(text);
  return parse(in, name, diag);
}

MapReader::MapReader(const Ctx& ctx, const YAML::Node& node, std::string path)
    : ctx_(ctx), path_(std::move(path)), line_(line_of(node)) {
  if (!node.IsDefined() || !node.IsMap()) {
    // An empty document has no mark: call it line 1.
    int at = line_of(node);
    ctx_.error_line(path_.empty() && at == 0 ? 1 : at, path_.empty() ? "document" : path_,
                    std::string("expected a mapping, got ") + node_kind(node));
    return;
  }
  valid_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: it-> returns a proxy temporary
    if (!k.IsScalar()) {
      ctx_.error(k, path_.empty() ? "document" : path_,
                 std::string("a key must be a plain word, got ") + node_kind(k));
      continue;
    }
    const std::string& name = k.Scalar();
    bool dup = false;
    for (const Entry& e : entries_) {
      if (e.key == name) {
        ctx_.error(k, key_path(name),
                   "duplicate key (first given on line " + std::to_string(line_of(e.key_node)) + ")");
        dup = true;
        break;
      }
    }
    if (!dup) entries_.push_back(Entry{name, k, it->second, false});
  }
}

std::string MapReader::key_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  std::string s = path_;
  s += '.';
  s += key;
  return s;
}

YAML::Node MapReader::get(std::string_view key) {
  for (Entry& e : entries_) {
    if (e.key == key) {
      e.used = true;
      return e.value;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node MapReader::require(std::string_view key) {
  YAML::Node n = get(key);
  if (!n.IsDefined() && valid_) ctx_.error_line(line_, key_path(key), "missing field");
  return n;
}

bool MapReader::has(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return true;
  return false;
}

int MapReader::line_of_key(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return config::line_of(e.key_node);
  return line_;
}

void MapReader::finish() {
  for (const Entry& e : entries_)
    if (!e.used) ctx_.error(e.key_node, key_path(e.key), "unknown key");
}

bool read_scalar(const Ctx& ctx, const YAML::Node& n, const std::string& key, std::string& out) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  if (!n.IsDefined() || !n.IsScalar()) {
    ctx.error(n, key, std::string("expected a value, got ") + node_kind(n));
    return false;
  }
  out = n.Scalar();
  return true;
}

bool read_string(const Ctx& ctx, const YAML::Node& n, const std::string& key, std::string& out) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  if (!n.IsDefined() || !n.IsScalar()) {
    ctx.error(n, key, std::string("expected a string, got ") + node_kind(n));
    return false;
  }
  if (n.Scalar().empty()) {
    ctx.error(n, key, "must not be empty");
    return false;
  }
  out = n.Scalar();
  return true;
}

bool read_decimal(const Ctx& ctx, const YAML::Node& n, const std::string& key, int dp, int64_t& out) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  if (!n.IsDefined() || !n.IsScalar()) {
    ctx.error(n, key, std::string("expected a decimal number, got ") + node_kind(n));
    return false;
  }
  const std::string& s = n.Scalar();
  DecimalError e = parse_decimal(s, dp, out);
  switch (e) {
    case DecimalError::Ok: return true;
    case DecimalError::Exponent:
      ctx.error(n, key, "'" + s + "': exponent notation is not accepted (write the digits)");
      break;
    case DecimalError::TooPrecise:
      ctx.error(n, key, "'" + s + "' has more than " + std::to_string(dp) + " decimal places");
      break;
    case DecimalError::Overflow:
      ctx.error(n, key, "'" + s + "' is out of range");
      break;
    case DecimalError::Empty:
    case DecimalError::BadChar:
      ctx.error(n, key, "expected a decimal number, got '" + s + "'");
      break;
  }
  return false;
}

bool read_int(const Ctx& ctx, const YAML::Node& n, const std::string& key, int64_t lo, int64_t hi,
              int64_t& out) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  if (!n.IsDefined() || !n.IsScalar()) {
    ctx.error(n, key, std::string("expected an integer, got ") + node_kind(n));
    return false;
  }
  const std::string& s = n.Scalar();
  int64_t v = 0;
  DecimalError e = parse_decimal(s, 0, v);
  if (e == DecimalError::Ok && s.find('.') == std::string::npos) {
    if (v < lo || v > hi) {
      ctx.error(n, key, s + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      return false;
    }
    out = v;
    return true;
  }
  if (e == DecimalError::Overflow) {
    ctx.error(n, key, "'" + s + "' is out of range");
    return false;
  }
  ctx.error(n, key, "expected an integer, got '" + s + "'");
  return false;
}

bool read_bool(const Ctx& ctx, const YAML::Node& n, const std::string& key, bool& out) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  if (n.IsDefined() && n.IsScalar()) {
    if (n.Scalar() == "true") { out = true; return true; }
    if (n.Scalar() == "false") { out = false; return true; }
    ctx.error(n, key, "expected true or false, got '" + n.Scalar() + "'");
    return false;
  }
  ctx.error(n, key, std::string("expected true or false, got ") + node_kind(n));
  return false;
}

std::string join_words(std::initializer_list<std::string_view> words) {
  std::string s;
  size_t i = 0;
  for (std::string_view w : words) {
    if (i > 0) s += (i + 1 == words.size()) ? " or " : ", ";
    s += w;
    ++i;
  }
  return s;
}

bool read_enum(const Ctx& ctx, const YAML::Node& n, const std::string& key,
               std::initializer_list<std::string_view> allowed, std::string& out) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  std::string s;
  if (!n.IsDefined() || !n.IsScalar()) {
    ctx.error(n, key, std::string("expected one of ") + join_words(allowed) + ", got " + node_kind(n));
    return false;
  }
  s = n.Scalar();
  for (std::string_view a : allowed) {
    if (s == a) {
      out = s;
      return true;
    }
  }
  ctx.error(n, key, "'" + s + "' is not one of " + join_words(allowed));
  return false;
}

bool expect_sequence(const Ctx& ctx, const YAML::Node& n, const std::string& key, bool allow_empty) {
  if (!n.IsDefined()) return false;  // absent: reported by MapReader::require
  if (!n.IsDefined() || !n.IsSequence()) {
    ctx.error(n, key, std::string("expected a sequence, got ") + node_kind(n));
    return false;
  }
  if (!allow_empty && n.size() == 0) {
    ctx.error(n, key, "must not be empty");
    return false;
  }
  return true;
}

}  // namespace liqd::config
