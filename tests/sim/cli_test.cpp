// The liqd-sim executable: the ready line names every port, the control endpoint
// answers on it, bad flags fail with a message, SIGTERM exits 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "proto/account.pb.h"
#include "tests/sim/clients.hpp"

namespace liqd::sim::test {
namespace {

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

// out reads the child's stdout, or its stderr (stdout to /dev/null) with stderr = true.
Child spawn(std::vector<std::string> args, bool stderr_only = false) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  Child c;
  c.pid = fork();
  if (c.pid == 0) {
    if (stderr_only) {
      dup2(fds[1], 2);
      if (FILE* null = std::fopen("/dev/null", "w")) dup2(fileno(null), 1);
    } else {
      dup2(fds[1], 1);
    }
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  c.out = fdopen(fds[0], "r");
  return c;
}

std::string read_line(FILE* f) {
  std::string s;
  int ch;
  while ((ch = std::fgetc(f)) != EOF && ch != '\n') s.push_back(static_cast<char>(ch));
  return s;
}

// SIGTERM: the sim says it stopped and exits 0.
void stop_cleanly(Child& c) {
  ASSERT_EQ(kill(c.pid, SIGTERM), 0);
  EXPECT_EQ(read_line(c.out), "{\"event\":\"stopped\",\"signal\":15}");
  int status = 0;
  ASSERT_EQ(waitpid(c.pid, &status, 0), c.pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::fclose(c.out);
}

TEST(SimCli, ReadyLineControlAndCleanSigterm) {
  const std::string path = std::string(LIQD_TEST_DATA_DIR) + "/sim/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";
  Child c = spawn({LIQD_SIM_EXE, "--path", path, "--accounts", "500", "--paused", "--seed", "9",
                   "--market", "BTCUSDT:tick=0.1:lot=0.001", "--market", "SOLUSDT:ref=2.5:tick=0.001:lot=0.1",
                   "--fault", "pyth=stale"});
  ASSERT_GT(c.pid, 0);
  std::string ready = read_line(c.out);
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(ready).get(e)) << ready;
  std::string_view ev;
  ASSERT_FALSE(e["event"].get(ev));
  EXPECT_EQ(ev, "ready");
  uint64_t ports[6];
  const char* names[] = {"binance", "hyperliquid", "pyth", "orders", "accounts", "control"};
  for (int i = 0; i < 6; ++i) {
    ASSERT_FALSE(e[names[i]].get(ports[i])) << names[i];
    EXPECT_GT(ports[i], 0u);
  }
  uint64_t steps = 0, accounts = 0;
  EXPECT_FALSE(e["steps"].get(steps));
  EXPECT_FALSE(e["accounts_count"].get(accounts));
  EXPECT_EQ(steps, 2940u);  // 294 bars × 10 steps
  EXPECT_EQ(accounts, 500u);
  std::string_view sol_id;
  ASSERT_FALSE(e["markets"].at(1)["pyth_id"].get(sol_id));
  EXPECT_EQ(sol_id, "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d");
  auto [code, body] = http_request(static_cast<uint16_t>(ports[5]), http::verb::post, "/control/step?n=3");
  EXPECT_EQ(code, 200);
  EXPECT_NE(body.find("\"step\":3"), std::string::npos) << body;
  EXPECT_NE(body.find("\"pyth\":{\"mode\":\"stale\""), std::string::npos) << body;
  // SOL scaled to ref 2.5: after three steps it is still near 2.5.
  EXPECT_NE(body.find("{\"symbol\":\"SOLUSDT\",\"mid\":\"2.4"), std::string::npos) << body;
  stop_cleanly(c);
}

TEST(SimCli, BadFlagsFailWithAMessage) {
  for (std::vector<std::string> args : {std::vector<std::string>{LIQD_SIM_EXE, "--market", "btc"},
                                        std::vector<std::string>{LIQD_SIM_EXE, "--fault", "nyse=gap"},
                                        std::vector<std::string>{LIQD_SIM_EXE, "--steps-per-bar", "2", "--accounts", "1"}}) {
    Child c = spawn(args);
    std::string line = read_line(c.out);
    int status = 0;
    ASSERT_EQ(waitpid(c.pid, &status, 0), c.pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_NE(WEXITSTATUS(status), 0) << args[1];
    EXPECT_EQ(line, "") << "nothing on stdout for " << args[1];
    std::fclose(c.out);
  }
}

std::string read_all(FILE* f) {
  std::string s;
  int ch;
  while ((ch = std::fgetc(f)) != EOF) s.push_back(static_cast<char>(ch));
  return s;
}

TEST(SimCli, BadBackstopFlagsNameTheOption) {
  const std::string path = std::string(LIQD_TEST_DATA_DIR) + "/sim/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string names;
  };
  const std::string exe = LIQD_SIM_EXE;
  const Case cases[] = {
      {{exe, "--backstop-account", "1000000", "--backstop-collateral", "12abc"}, 2, "--backstop-collateral"},
      {{exe, "--backstop-account", "1000000", "--backstop-collateral", "1.0000001"}, 2, "--backstop-collateral"},  // 7 dp
      {{exe, "--backstop-account", "1000000", "--backstop-collateral", "5e7"}, 2, "--backstop-collateral"},
      {{exe, "--backstop-account", "1000000", "--backstop-collateral", "-5"}, 2, "--backstop-collateral"},
      {{exe, "--backstop-collateral", "5"}, 2, "--backstop-collateral needs --backstop-account"},
      // Checked at start: the id is one of the generated 1..10.
      {{exe, "--path", path, "--accounts", "10", "--paused", "--backstop-account", "7"}, 1, "backstop account 7 collides"},
  };
  for (const Case& k : cases) {
    Child c = spawn(k.args, /*stderr_only=*/true);
    const std::string err = read_all(c.out);
    int status = 0;
    ASSERT_EQ(waitpid(c.pid, &status, 0), c.pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), k.exit_code) << err;
    EXPECT_NE(err.find(k.names), std::string::npos) << err;
    std::fclose(c.out);
  }
}

// --backstop-collateral is parsed exactly (6 dp): the backstop account's snapshot on
// the account stream carries it to the unit.
TEST(SimCli, BackstopAccountFromTheFlags) {
  const std::string path = std::string(LIQD_TEST_DATA_DIR) + "/sim/binance_usdm_BTCUSDT_1m_2020-03-12T2307Z_2020-03-13T0400Z.csv";
  Child c = spawn({LIQD_SIM_EXE, "--path", path, "--accounts", "50", "--paused", "--backstop-account", "900000",
                   "--backstop-collateral", "50000000.000001"});
  ASSERT_GT(c.pid, 0);
  std::string ready = read_line(c.out);
  simdjson::dom::parser p;
  simdjson::dom::element e;
  ASSERT_FALSE(p.parse(ready).get(e)) << ready;
  uint64_t accounts = 0, account_port = 0;
  EXPECT_FALSE(e["accounts_count"].get(accounts));
  ASSERT_FALSE(e["accounts"].get(account_port));
  EXPECT_EQ(accounts, 51u);
  {
    FrameClient<proto::AccountEvent> acc(static_cast<uint16_t>(account_port));
    auto snap = acc.wait_count(52);
    ASSERT_EQ(snap.size(), 52u);
    EXPECT_EQ(snap[50].account_id(), 900000u);
    EXPECT_EQ(snap[50].snapshot().collateral(), 50'000'000'000'001);
    EXPECT_EQ(snap[51].account_id(), 0u);
  }
  stop_cleanly(c);
}

}  // namespace
}  // namespace liqd::sim::test
