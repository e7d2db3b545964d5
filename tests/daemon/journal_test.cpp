#include "daemon/journal/journal.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace liqd::journal {
namespace {

std::string fresh_dir(const char* name) {
  std::string d = ::testing::TempDir() + "/journal_" + name + "_" + std::to_string(::getpid());
  fs::remove_all(d);
  return d;
}

proto::JournalRecord fund(int64_t delta, const std::string& reason) {
  proto::JournalRecord r;
  r.set_ts_ms(1000);
  auto* f = r.mutable_fund();
  f->set_asset("USDC");
  f->set_delta(delta);
  f->set_reason(reason);
  return r;
}

std::vector<proto::JournalRecord> read_back(const std::string& dir, RecoveryResult& res, bool repair = true) {
  std::vector<proto::JournalRecord> out;
  res = recover(dir, [&](const proto::JournalRecord& r) { out.push_back(r); }, repair);
  return out;
}

TEST(Journal, RoundTripsRecordsInOrder) {
  std::string dir = fresh_dir("roundtrip");
  {
    Writer w;
    ASSERT_EQ(w.open({dir, FsyncPolicy::Always}, 1), "");
    for (int i = 0; i < 100; ++i) {
      auto r = fund(i, "fee");
      EXPECT_EQ(w.append(r), static_cast<uint64_t>(i + 1));
      if (i % 10 == 9) {
        ASSERT_TRUE(w.commit());
      }
    }
    EXPECT_EQ(w.stats().commits, 10u);  // group commit: one write per batch
  }
  RecoveryResult res;
  auto recs = read_back(dir, res);
  ASSERT_EQ(res.error, "");
  ASSERT_EQ(recs.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(recs[i].seq(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(recs[i].fund().delta(), i);
  }
  EXPECT_FALSE(res.torn_tail_dropped);
}

TEST(Journal, TornTailIsDroppedAndWritingContinues) {
  std::string dir = fresh_dir("torn");
  {
    Writer w;
    ASSERT_EQ(w.open({dir}, 1), "");
    for (int i = 0; i < 5; ++i) { auto r = fund(i, "fee"); w.append(r); }
    ASSERT_TRUE(w.commit());
  }
  // Simulate a crash in the middle of writing record 6: half a record at the end.
  auto seg = fs::directory_iterator(dir)->path();
  auto size = fs::file_size(seg);
  {
    std::string rec;
    auto r = fund(99, "fee");
    r.set_seq(6);
    r.SerializeToString(&rec);
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    uint32_t len = static_cast<uint32_t>(rec.size());
    f.write(reinterpret_cast<const char*>(&len), 4);
    f.write("\x01\x02\x03\x04", 4);
    f.write(rec.data(), static_cast<std::streamsize>(rec.size() / 2));
  }
  RecoveryResult res;
  auto recs = read_back(dir, res);
  EXPECT_EQ(res.error, "");
  EXPECT_TRUE(res.torn_tail_dropped);
  EXPECT_EQ(recs.size(), 5u);
  EXPECT_EQ(res.last_seq, 5u);
  EXPECT_EQ(fs::file_size(seg), size);  // truncated back to the last good record
  {
    Writer w;
    ASSERT_EQ(w.open({dir}, res.last_seq + 1), "");
    auto r = fund(6, "fee");
    EXPECT_EQ(w.append(r), 6u);
    ASSERT_TRUE(w.commit());
  }
  recs = read_back(dir, res);
  EXPECT_EQ(recs.size(), 6u);
  EXPECT_FALSE(res.torn_tail_dropped);
}

TEST(Journal, FlippedBitInTheMiddleIsCorruptionNotATornTail) {
  std::string dir = fresh_dir("corrupt");
  {
    Writer w;
    ASSERT_EQ(w.open({dir, FsyncPolicy::Never, 10, 200}, 1), "");  // tiny segments
    for (int i = 0; i < 40; ++i) { auto r = fund(i, "fee"); w.append(r); ASSERT_TRUE(w.commit()); }
  }
  std::vector<fs::path> segs;
  for (auto& e : fs::directory_iterator(dir)) segs.push_back(e.path());
  std::sort(segs.begin(), segs.end());
  ASSERT_GE(segs.size(), 3u);
  {
    std::fstream f(segs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.put('\x7f');
  }
  RecoveryResult res;
  read_back(dir, res);
  EXPECT_NE(res.error.find("corrupt"), std::string::npos) << res.error;
}

TEST(Journal, SnapshotPlusTailRebuildsTheSameSumAsFullReplay) {
  std::string dir = fresh_dir("snapshot");
  std::mt19937_64 rng(1);
  int64_t balance = 0, at_snapshot = 0;
  {
    Writer w;
    ASSERT_EQ(w.open({dir, FsyncPolicy::Interval, 5, 512}, 1), "");
    for (int i = 0; i < 500; ++i) {
      int64_t d = static_cast<int64_t>(rng() % 2001) - 1000;
      auto r = fund(d, d >= 0 ? "fee" : "shortfall");
      uint64_t seq = w.append(r);
      balance += d;
      ASSERT_TRUE(w.commit(static_cast<uint64_t>(i)));
      if (seq == 300) {
        at_snapshot = balance;
        ASSERT_TRUE(w.write_snapshot(seq, std::to_string(balance)));
        w.prune_before(seq);
      }
    }
  }
  RecoveryResult res;
  int64_t rebuilt = 0;
  res = recover(dir, [&](const proto::JournalRecord& r) { rebuilt += r.fund().delta(); });
  ASSERT_EQ(res.error, "");
  ASSERT_TRUE(res.snapshot_seq.has_value());
  EXPECT_EQ(*res.snapshot_seq, 300u);
  EXPECT_EQ(std::stoll(res.snapshot), at_snapshot);
  EXPECT_EQ(res.records_replayed, 200u);
  EXPECT_EQ(std::stoll(res.snapshot) + rebuilt, balance);
  EXPECT_EQ(res.last_seq, 500u);
}

}  // namespace
}  // namespace liqd::journal
