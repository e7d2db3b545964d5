#pragma once
// Append-only journal: every decision, order, fill and fund movement, so a crash
// loses no acknowledged state and `liqd explain` can say why anything happened.
//
// On disk, a directory of segments `journal-<first seq, 20 digits>.log`, each a
// sequence of records:   u32 length (LE) | u32 CRC-32 of payload (LE) | payload
// where payload is a serialized liqd.proto.JournalRecord. Snapshots are
// `snapshot-<seq>.bin` (u32 CRC | bytes), written to a temp file, fsynced and
// renamed, so a snapshot is either complete or absent.
//
// Group commit: append() only buffers; commit() writes the batch with one
// write(2) and fsyncs per the policy. A record is acknowledged (may be acted on
// outside the process, e.g. an order sent) only after the commit that holds it.
//
// Recovery: records after the newest snapshot are replayed in order. A torn
// last record (short, or CRC mismatch at the tail of the last segment: the
// write a crash interrupted) is dropped and the file truncated there; damage
// anywhere else is reported as corruption, never silently skipped.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "proto/journal.pb.h"

namespace liqd::journal {

enum class FsyncPolicy { Always, Interval, Never };

struct Options {
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::Always;
  uint64_t fsync_interval_ms = 10;      // for Interval: fsync when this much event time passed
  uint64_t segment_bytes = 64ull << 20; // rotate after this many bytes
};

struct Stats {
  uint64_t records = 0;
  uint64_t bytes = 0;
  uint64_t commits = 0;
  uint64_t fsyncs = 0;
  uint64_t segments = 0;
};

class Writer {
 public:
  // Opens the directory (creating it) and continues after `next_seq - 1`.
  // Returns an error string, empty on success.
  std::string open(const Options& opts, uint64_t next_seq);
  ~Writer();

  // Assigns the next seq to `rec`, serializes it into the pending batch.
  uint64_t append(proto::JournalRecord& rec);
  // Writes the pending batch; fsyncs per policy (`now_ms` is event time).
  // Returns false (and sets error()) on an I/O error.
  bool commit(uint64_t now_ms = 0);
  // Forces an fsync of everything committed.
  bool sync();

  // Writes a snapshot of state as of `seq` (all records ≤ seq are in it).
  bool write_snapshot(uint64_t seq, const std::string& state);
  // Deletes segments wholly covered by the newest snapshot.
  void prune_before(uint64_t seq);

  uint64_t next_seq() const { return next_seq_; }
  const Stats& stats() const { return stats_; }
  const std::string& error() const { return error_; }

 private:
  bool rotate();
  Options opts_;
  int fd_ = -1;
  uint64_t next_seq_ = 1;
  uint64_t pending_first_seq_ = 1;
  uint64_t segment_size_ = 0;
  uint64_t last_fsync_ms_ = 0;
  std::string pending_;
  Stats stats_;
  std::string error_;
};

struct RecoveryResult {
  std::optional<uint64_t> snapshot_seq;  // newest valid snapshot
  std::string snapshot;                  // its bytes
  uint64_t records_replayed = 0;
  uint64_t last_seq = 0;                 // 0 when nothing at all
  bool torn_tail_dropped = false;
  uint64_t torn_bytes = 0;
  std::string error;                     // corruption: non-empty, recovery refused
};

// Reads the newest snapshot, then calls `apply` for every record after it, in
// order. Truncates a torn tail (when `repair`), so the writer can continue.
RecoveryResult recover(const std::string& dir, const std::function<void(const proto::JournalRecord&)>& apply,
                       bool repair = true);

// Every record in the journal, ignoring snapshots (for `liqd explain`).
RecoveryResult read_all(const std::string& dir, const std::function<void(const proto::JournalRecord&)>& apply);

uint32_t crc32(const void* data, size_t n);

}  // namespace liqd::journal
