#pragma once
// API keys and secrets, read from a file that only its owner can read (mode
// 0600 or stricter) or from a systemd credential ($CREDENTIALS_DIRECTORY/<name>,
// LoadCredential=). The value is never logged: Secret prints as "<redacted>" and
// errors name the file, never its content.
#include <string>
#include <string_view>

namespace liqd::exec {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string v) : v_(std::move(v)) {}
  ~Secret();                                   // wipes the bytes
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  Secret(Secret&& o) noexcept : v_(std::move(o.v_)) {}
  Secret& operator=(Secret&& o) noexcept;
  std::string_view reveal() const { return v_; }  // for signing only
  bool empty() const { return v_.empty(); }
  static constexpr const char* redacted() { return "<redacted>"; }

 private:
  std::string v_;
};

// Reads the first line (trailing whitespace trimmed). Refuses files that are
// group- or world-accessible, not regular, or empty. On failure returns false
// and sets `error` (naming the path and the reason).
bool read_secret_file(const std::string& path, Secret& out, std::string& error);

// systemd credential `name` if $CREDENTIALS_DIRECTORY is set, else false.
bool read_systemd_credential(std::string_view name, Secret& out, std::string& error);

}  // namespace liqd::exec
