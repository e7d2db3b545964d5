#include "daemon/journal/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace liqd::journal {

namespace {

constexpr size_t kHeader = 8;
constexpr uint32_t kMaxRecord = 16u << 20;  // a record larger than this is damage, not data

std::string segment_name(uint64_t first_seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "journal-%020llu.log", static_cast<unsigned long long>(first_seq));
  return buf;
}

std::string snapshot_name(uint64_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "snapshot-%020llu.bin", static_cast<unsigned long long>(seq));
  return buf;
}

// Files named prefix-<20 digits>.suffix, sorted by their number.
std::vector<std::pair<uint64_t, fs::path>> numbered(const std::string& dir, const char* prefix, const char* suffix) {
  std::vector<std::pair<uint64_t, fs::path>> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    std::string p = std::string(prefix) + "-";
    if (n.rfind(p, 0) != 0 || n.size() != p.size() + 20 + std::strlen(suffix)) continue;
    if (n.compare(n.size() - std::strlen(suffix), std::strlen(suffix), suffix) != 0) continue;
    out.emplace_back(std::stoull(n.substr(p.size(), 20)), e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t get_u32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

bool fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

enum class ScanEnd { Clean, Torn };

// Parses records of one segment; returns where the valid prefix ends.
ScanEnd scan_segment(const std::string& data, size_t& valid_end,
                     const std::function<bool(const proto::JournalRecord&)>& on_record, std::string& err) {
  size_t off = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  while (off < data.size()) {
    if (data.size() - off < kHeader) break;
    uint32_t len = get_u32(bytes + off);
    uint32_t crc = get_u32(bytes + off + 4);
    if (len > kMaxRecord || data.size() - off - kHeader < len) break;
    if (crc32(bytes + off + kHeader, len) != crc) break;
    proto::JournalRecord rec;
    if (!rec.ParseFromArray(bytes + off + kHeader, static_cast<int>(len))) {
      err = "record at offset " + std::to_string(off) + " has a valid CRC but does not parse";
      valid_end = off;
      return ScanEnd::Torn;
    }
    if (!on_record(rec)) {
      valid_end = off;
      return ScanEnd::Torn;
    }
    off += kHeader + len;
  }
  valid_end = off;
  return off == data.size() ? ScanEnd::Clean : ScanEnd::Torn;
}

RecoveryResult replay(const std::string& dir, uint64_t after_seq,
                      const std::function<void(const proto::JournalRecord&)>& apply, bool repair) {
  RecoveryResult r;
  auto segs = numbered(dir, "journal", ".log");
  uint64_t expect = 0;  // next seq expected, 0 = not yet known
  for (size_t i = 0; i < segs.size(); ++i) {
    const bool last = i + 1 == segs.size();
    std::string data = read_file(segs[i].second);
    size_t end = 0;
    std::string err;
    ScanEnd how = scan_segment(data, end, [&](const proto::JournalRecord& rec) {
      if (expect == 0 && after_seq > 0 && rec.seq() > after_seq + 1) {
        err = "journal starts at " + std::to_string(rec.seq()) + " but the snapshot ends at " + std::to_string(after_seq);
        return false;
      }
      if (expect != 0 && rec.seq() != expect) {
        err = "sequence gap: expected " + std::to_string(expect) + ", found " + std::to_string(rec.seq());
        return false;
      }
      expect = rec.seq() + 1;
      r.last_seq = rec.seq();
      if (rec.seq() > after_seq) {
        apply(rec);
        ++r.records_replayed;
      }
      return true;
    }, err);
    if (how == ScanEnd::Clean) continue;
    if (!last || !err.empty()) {
      r.error = segs[i].second.string() + ": corrupt at byte " + std::to_string(end) + (err.empty() ? "" : ": " + err);
      return r;
    }
    r.torn_tail_dropped = true;
    r.torn_bytes = data.size() - end;
    if (repair) {
      std::error_code ec;
      fs::resize_file(segs[i].second, end, ec);
      if (ec) r.error = segs[i].second.string() + ": cannot truncate torn tail: " + ec.message();
    }
  }
  return r;
}

}  // namespace

uint32_t crc32(const void* data, size_t n) {
  boost::crc_32_type c;
  c.process_bytes(data, n);
  return c.checksum();
}

std::string Writer::open(const Options& opts, uint64_t next_seq) {
  opts_ = opts;
  next_seq_ = next_seq;
  std::error_code ec;
  fs::create_directories(opts.dir, ec);
  if (ec) return "journal dir " + opts.dir + ": " + ec.message();
  auto segs = numbered(opts.dir, "journal", ".log");
  if (!segs.empty()) {
    fd_ = ::open(segs.back().second.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) return segs.back().second.string() + ": " + std::strerror(errno);
    segment_size_ = fs::file_size(segs.back().second, ec);
    stats_.segments = segs.size();
    return {};
  }
  if (!rotate()) return error_;
  return {};
}

Writer::~Writer() {
  if (fd_ >= 0) {
    commit();
    sync();
    ::close(fd_);
  }
}

bool Writer::rotate() {
  if (fd_ >= 0) {
    if (::fsync(fd_) != 0) { error_ = std::string("fsync: ") + std::strerror(errno); return false; }
    ::close(fd_);
  }
  std::string path = opts_.dir + "/" + segment_name(next_seq_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) { error_ = path + ": " + std::strerror(errno); return false; }
  segment_size_ = 0;
  ++stats_.segments;
  return fsync_dir(opts_.dir) || (error_ = "fsync of " + opts_.dir + " failed", false);
}

uint64_t Writer::append(proto::JournalRecord& rec) {
  if (pending_.empty()) pending_first_seq_ = next_seq_;
  rec.set_seq(next_seq_++);
  size_t at = pending_.size();
  pending_.append(kHeader, '\0');
  rec.AppendToString(&pending_);
  size_t len = pending_.size() - at - kHeader;
  std::string hdr;
  put_u32(hdr, static_cast<uint32_t>(len));
  put_u32(hdr, crc32(pending_.data() + at + kHeader, len));
  pending_.replace(at, kHeader, hdr);
  ++stats_.records;
  return rec.seq();
}

bool Writer::commit(uint64_t now_ms) {
  if (pending_.empty()) return true;
  if (segment_size_ > 0 && segment_size_ + pending_.size() > opts_.segment_bytes) {
    // The batch's first seq names the new segment.
    uint64_t keep = next_seq_;
    next_seq_ = pending_first_seq_;
    bool ok = rotate();
    next_seq_ = keep;
    if (!ok) return false;
  }
  if (!write_all(fd_, pending_.data(), pending_.size())) {
    error_ = std::string("journal write: ") + std::strerror(errno);
    return false;
  }
  segment_size_ += pending_.size();
  stats_.bytes += pending_.size();
  ++stats_.commits;
  pending_.clear();
  bool do_sync = opts_.fsync == FsyncPolicy::Always ||
                 (opts_.fsync == FsyncPolicy::Interval && now_ms >= last_fsync_ms_ + opts_.fsync_interval_ms);
  if (do_sync) {
    last_fsync_ms_ = now_ms;
    return sync();
  }
  return true;
}

bool Writer::sync() {
  if (fd_ < 0) return true;
  if (::fdatasync(fd_) != 0) { error_ = std::string("fdatasync: ") + std::strerror(errno); return false; }
  ++stats_.fsyncs;
  return true;
}

bool Writer::write_snapshot(uint64_t seq, const std::string& state) {
  std::string final_path = opts_.dir + "/" + snapshot_name(seq);
  std::string tmp = final_path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) { error_ = tmp + ": " + std::strerror(errno); return false; }
  std::string hdr;
  put_u32(hdr, crc32(state.data(), state.size()));
  bool ok = write_all(fd, hdr.data(), hdr.size()) && write_all(fd, state.data(), state.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) { error_ = tmp + ": " + std::strerror(errno); return false; }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) { error_ = final_path + ": " + std::strerror(errno); return false; }
  return fsync_dir(opts_.dir);
}

void Writer::prune_before(uint64_t seq) {
  auto segs = numbered(opts_.dir, "journal", ".log");
  // A segment can go when the next one starts at or before seq + 1.
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    if (segs[i + 1].first <= seq + 1) {
      std::error_code ec;
      fs::remove(segs[i].second, ec);
    }
  }
  auto snaps = numbered(opts_.dir, "snapshot", ".bin");
  for (size_t i = 0; i + 1 < snaps.size(); ++i) {
    std::error_code ec;
    fs::remove(snaps[i].second, ec);
  }
}

RecoveryResult recover(const std::string& dir, const std::function<void(const proto::JournalRecord&)>& apply,
                       bool repair) {
  std::optional<uint64_t> snap_seq;
  std::string snap;
  auto snaps = numbered(dir, "snapshot", ".bin");
  for (auto it = snaps.rbegin(); it != snaps.rend(); ++it) {
    std::string data = read_file(it->second);
    if (data.size() < 4) continue;
    if (crc32(data.data() + 4, data.size() - 4) != get_u32(reinterpret_cast<const unsigned char*>(data.data()))) continue;
    snap_seq = it->first;
    snap = data.substr(4);
    break;
  }
  RecoveryResult r = replay(dir, snap_seq.value_or(0), apply, repair);
  r.snapshot_seq = snap_seq;
  r.snapshot = std::move(snap);
  if (snap_seq && r.last_seq < *snap_seq) r.last_seq = *snap_seq;
  return r;
}

RecoveryResult read_all(const std::string& dir, const std::function<void(const proto::JournalRecord&)>& apply) {
  return replay(dir, 0, apply, false);
}

}  // namespace liqd::journal
