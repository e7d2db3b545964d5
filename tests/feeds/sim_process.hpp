#pragma once
// Runs the built liqd-sim executable for a test: spawns it with a pipe on stdout,
// waits (bounded) for its {"event":"ready",...} line and reads the ports from it;
// stops it with SIGTERM (SIGKILL after a bound). Only the process it started is
// signalled, by its pid.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/feeds/wait_until.hpp"

extern char** environ;

namespace liqd::feeds::test {

struct SimPorts {
  uint16_t binance = 0, hyperliquid = 0, pyth = 0, orders = 0, accounts = 0, control = 0;
};

class SimProcess {
 public:
  ~SimProcess() { stop(); }

  // "" or an error. `args` are liqd-sim flags.
  std::string start(const std::vector<std::string>& args, int wait_ms = 20000) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    std::vector<std::string> argv_s{LIQD_SIM_EXE};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, LIQD_SIM_EXE, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      pid_ = -1;
      return "posix_spawn " LIQD_SIM_EXE " failed";
    }
    out_fd_ = fds[0];
    // Read until the first newline, bounded.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    std::string line;
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return "liqd-sim: no ready line within " + std::to_string(wait_ms) + " ms";
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[4096];
      const ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) return "liqd-sim exited before ready: " + line;
      line.append(buf, static_cast<size_t>(n));
    }
    ready_ = line.substr(0, line.find('\n'));
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    if (parser.parse(ready_).get(e)) return "liqd-sim: bad ready line: " + ready_;
    auto port = [&](const char* k, uint16_t& v) {
      uint64_t x = 0;
      if (e[k].get(x)) return false;
      v = static_cast<uint16_t>(x);
      return true;
    };
    if (!port("binance", ports.binance) || !port("hyperliquid", ports.hyperliquid) || !port("pyth", ports.pyth) ||
        !port("orders", ports.orders) || !port("accounts", ports.accounts) || !port("control", ports.control))
      return "liqd-sim: ports missing in " + ready_;
    return "";
  }

  // start() on six fixed ports (the --*-port flags added to `args`) below the
  // kernel's ephemeral port range, retried on other ports if the sim cannot
  // start (a port taken). For a test that restarts the sim on the same ports:
  // ports the kernel hands out (bind to port 0) are ephemeral ones, and while
  // the sim is down any outgoing connection on the machine may be given one of
  // them as its local port (and keep it in TIME_WAIT for a minute after closing),
  // so the restarted sim's bind failed now and then under `ctest -j2`. A port
  // below the range is never handed out that way.
  std::string start_on_fixed_ports(const std::vector<std::string>& args, int attempts = 20) {
    int ephemeral_low = 32768;
    if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
      if (std::fscanf(f, "%d", &ephemeral_low) != 1) ephemeral_low = 32768;
      std::fclose(f);
    }
    const int lo = 10000, hi = ephemeral_low - 7;  // six consecutive ports in [lo, ephemeral_low)
    if (hi <= lo) return start(args);  // unusual range: the kernel's ports, as before
    std::mt19937 rng(static_cast<uint32_t>(getpid()) ^ static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
    std::string err;
    for (int i = 0; i < attempts; ++i) {
      const int base = std::uniform_int_distribution<int>(lo, hi)(rng);
      std::vector<std::string> a = args;
      int k = 0;
      for (const char* flag : {"--binance-port", "--hyperliquid-port", "--pyth-port", "--order-port", "--account-port", "--control-port"}) {
        a.push_back(flag);
        a.push_back(std::to_string(base + k++));
      }
      err = start(a);
      if (err.empty()) return err;
      stop();
    }
    return err;
  }

  // SIGTERM, then SIGKILL if it has not exited within `wait_ms`.
  void stop(int wait_ms = 10000) {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
  }

  const std::string& ready_line() const { return ready_; }
  SimPorts ports;

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string ready_;
};

}  // namespace liqd::feeds::test
