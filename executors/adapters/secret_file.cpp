#include "executors/adapters/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace liqd::exec {

Secret::~Secret() {
  // volatile writes so the wipe is not optimised away
  volatile char* p = v_.data();
  for (size_t i = 0; i < v_.size(); ++i) p[i] = 0;
}

Secret& Secret::operator=(Secret&& o) noexcept {
  if (this != &o) {
    volatile char* p = v_.data();
    for (size_t i = 0; i < v_.size(); ++i) p[i] = 0;
    v_ = std::move(o.v_);
  }
  return *this;
}

bool read_secret_file(const std::string& path, Secret& out, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) { error = path + ": cannot open (" + std::strerror(errno) + ")"; return false; }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    error = path + ": not a regular file";
    return false;
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    error = path + ": mode " + mode + " lets others read it; chmod 600";
    return false;
  }
  std::string buf;
  char tmp[512];
  ssize_t n;
  while ((n = ::read(fd, tmp, sizeof tmp)) > 0) buf.append(tmp, static_cast<size_t>(n));
  ::close(fd);
  size_t end = buf.find('\n');
  if (end != std::string::npos) buf.resize(end);
  while (!buf.empty() && (buf.back() == '\r' || buf.back() == ' ' || buf.back() == '\t')) buf.pop_back();
  std::memset(tmp, 0, sizeof tmp);
  if (buf.empty()) { error = path + ": empty"; return false; }
  out = Secret(std::move(buf));
  return true;
}

bool read_systemd_credential(std::string_view name, Secret& out, std::string& error) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == 0) { error = "CREDENTIALS_DIRECTORY is not set"; return false; }
  if (name.find('/') != std::string_view::npos) { error = "credential name must not contain '/'"; return false; }
  return read_secret_file(std::string(dir) + "/" + std::string(name), out, error);
}

}  // namespace liqd::exec
