#include "daemon/admin/auth.hpp"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace liqd::admin {

bool load_token_file(const std::string& path, std::string& token, std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
    return false;
  }
  if ((st.st_mode & 0077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    error = path + ": mode " + mode + " lets others read the admin token; chmod 600 it";
    return false;
  }
  std::ifstream f(path);
  token.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' || token.back() == '\t'))
    token.pop_back();
  if (token.size() < 16) {
    error = path + ": token shorter than 16 characters";
    return false;
  }
  return true;
}

bool bearer_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (authorization.size() != kPrefix.size() + token.size()) return false;  // length is not secret
  if (authorization.substr(0, kPrefix.size()) != kPrefix) return false;
  return CRYPTO_memcmp(authorization.data() + kPrefix.size(), token.data(), token.size()) == 0;
}

}  // namespace liqd::admin
