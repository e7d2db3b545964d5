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

// One UTF-8 sequence at s[i]: its length and code point, or 0 when the bytes there
// are not well-formed UTF-8 (stray continuation, overlong form, surrogate, past
// U+10FFFF, truncated).
size_t decode_utf8(std::string_view s, size_t i, char32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return len;
}

// YAML 1.2 §5.1 c-printable: the only characters a YAML stream may hold.
bool yaml_printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string hex_byte(unsigned char b) {
  const char* digits = "0123456789ABCDEF";
  return std::string{'0', 'x', digits[b >> 4], digits[b & 0xF]};
}

std::string code_point(char32_t c) {
  const char* digits = "0123456789ABCDEF";
  std::string s;
  for (int shift = c > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) s += digits[(c >> shift) & 0xF];
  return "U+" + s;
}

// yaml-cpp takes any bytes (invalid UTF-8, control characters such as ESC) and
// hands them on as keys and values; an error message would then carry them to
// the operator's terminal. The stream is checked first, at the first offending
// character's line and column (1-based, in characters).
bool check_text(std::string_view text, const std::string& name, Diagnostics& diag) {
  int line = 1, column = 1;
  for (size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const size_t len = decode_utf8(text, i, c);
    if (len == 0) {
      diag.add(name, line, "yaml",
               "invalid UTF-8 (byte " + hex_byte(static_cast<unsigned char>(text[i])) + ") at column " +
                   std::to_string(column) + ": a config file must be UTF-8 text");
      return false;
    }
    if (!yaml_printable(c)) {
      diag.add(name, line, "yaml",
               std::string(c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ? "control character " : "character ") +
                   code_point(c) + " at column " + std::to_string(column) + " is not allowed in YAML");
      return false;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += len;
  }
  return true;
}

std::optional<YAML::Node> parse(const std::string& text, const std::string& name, Diagnostics& diag) {
  if (!check_text(text, name, diag)) return std::nullopt;
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    diag.add(name, line, "yaml", "syntax error: " + e.msg);
  }
  return std::nullopt;
}

// A key taken from the file, as it is shown in a dotted path: a plain word
// (letters, digits, '_', '-', any other printable non-ASCII character) as is;
// anything else double-quoted, with '"' and '\' escaped and bytes that are not
// printable UTF-8 as \xNN. So an empty key is `""`, never an empty path.
std::string key_name(std::string_view key) {
  bool plain = !key.empty();
  for (size_t i = 0; plain && i < key.size();) {
    char32_t c = 0;
    const size_t len = decode_utf8(key, i, c);
    plain = len > 0 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || (c >= 0xA0 && yaml_printable(c)));
    i += len;
  }
  if (plain) return std::string(key);
  std::string out = "\"";
  for (size_t i = 0; i < key.size();) {
    char32_t c = 0;
    size_t len = decode_utf8(key, i, c);
    if (len == 0 || c < 0x20 || (c >= 0x7F && c < 0xA0) || !yaml_printable(c)) {
      if (len == 0) len = 1;
      for (size_t k = 0; k < len; ++k) out += "\\x" + hex_byte(static_cast<unsigned char>(key[i + k])).substr(2);
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out.append(key.substr(i, len));
    }
    i += len;
  }
  out += '"';
  return out;
}

}  // namespace

std::optional<YAML::Node> load_yaml_file(const std::string& path, Diagnostics& diag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.add(path, 0, "file", "cannot open");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    diag.add(path, 0, "file", "cannot read");
    return std::nullopt;
  }
  return parse(text.str(), path, diag);
}

std::optional<YAML::Node> load_yaml_string(const std::string& text, const std::string& name,
                                           Diagnostics& diag) {
  return parse(text, name, diag);
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
  if (path_.empty()) return key_name(key);
  std::string s = path_;
  s += '.';
  s += key_name(key);
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
