// Binance request signing against the worked examples in Binance's API docs
// (Spot API rest-api.md, "SIGNED Endpoint Examples for POST /api/v3/order"),
// and API key files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "executors/adapters/binance/signer.hpp"
#include "executors/adapters/secret_file.hpp"

namespace liqd::exec {
namespace {

constexpr const char* kDocSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

TEST(BinanceSigner, DocsExampleAscii) {
  const std::string payload =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  EXPECT_EQ(binance::hmac_sha256_hex(kDocSecret, payload),
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  EXPECT_EQ(binance::sign_query(payload, kDocSecret),
            payload + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST(BinanceSigner, DocsExampleNonAsciiIsPercentEncodedFirst) {
  // Symbol "１２３４５６" (full-width digits, UTF-8), percent-encoded before signing.
  const std::string symbol = "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94\xEF\xBC\x95\xEF\xBC\x96";
  const std::string enc = binance::percent_encode(symbol);
  EXPECT_EQ(enc, "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96");
  const std::string payload =
      "symbol=" + enc + "&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
  EXPECT_EQ(binance::hmac_sha256_hex(kDocSecret, payload),
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
}

std::string write_file(const std::string& name, const std::string& content, mode_t mode) {
  std::string path = ::testing::TempDir() + "/" + name;
  ::unlink(path.c_str());
  std::ofstream(path) << content;
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(SecretFile, ReadsOwnerOnlyFile) {
  std::string p = write_file("liqd_key_ok", std::string(kDocSecret) + "\n", 0600);
  Secret s;
  std::string err;
  ASSERT_TRUE(read_secret_file(p, s, err)) << err;
  EXPECT_EQ(s.reveal(), kDocSecret);
  p = write_file("liqd_key_ro", "abc", 0400);
  ASSERT_TRUE(read_secret_file(p, s, err)) << err;
  EXPECT_EQ(s.reveal(), "abc");
}

TEST(SecretFile, RefusesReadableByOthersAndNeverEchoesTheValue) {
  std::string p = write_file("liqd_key_644", "topsecretvalue\n", 0644);
  Secret s;
  std::string err;
  EXPECT_FALSE(read_secret_file(p, s, err));
  EXPECT_NE(err.find("0644"), std::string::npos) << err;
  EXPECT_EQ(err.find("topsecretvalue"), std::string::npos);
  p = write_file("liqd_key_640", "topsecretvalue\n", 0640);
  EXPECT_FALSE(read_secret_file(p, s, err));
  p = write_file("liqd_key_empty", "\n", 0600);
  EXPECT_FALSE(read_secret_file(p, s, err));
  EXPECT_NE(err.find("empty"), std::string::npos);
  EXPECT_FALSE(read_secret_file(::testing::TempDir() + "/does_not_exist", s, err));
  EXPECT_STREQ(Secret::redacted(), "<redacted>");
}

TEST(SecretFile, SystemdCredential) {
  std::string dir = ::testing::TempDir();
  write_file("binance_api_secret", "credvalue\n", 0600);
  ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
  Secret s;
  std::string err;
  ASSERT_TRUE(read_systemd_credential("binance_api_secret", s, err)) << err;
  EXPECT_EQ(s.reveal(), "credvalue");
  EXPECT_FALSE(read_systemd_credential("../etc/passwd", s, err));
  ::unsetenv("CREDENTIALS_DIRECTORY");
  EXPECT_FALSE(read_systemd_credential("binance_api_secret", s, err));
}

}  // namespace
}  // namespace liqd::exec
