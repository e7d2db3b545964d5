#include "feeds/account/account_feed.hpp"

namespace liqd::feeds {

Status AccountFeed::fail(Status st) {
  ++counters_.errors_total;
  ++counters_.errors[static_cast<size_t>(st.code)];
  return st;
}

Status AccountFeed::gap(uint64_t expected, uint64_t got) {
  state_ = State::Resyncing;
  ++counters_.gaps;
  ++counters_.resyncs;
  sink_.on_account_resync(AccountResyncRequest{expected, got});
  return {FeedError::Gap, "seq"};
}

Status AccountFeed::on_message(std::string_view bytes, int64_t local_ts_ns) {
  ++counters_.messages;
  counters_.bytes += bytes.size();
  local_ts_ = local_ts_ns;
  if (bytes.empty()) return fail({FeedError::Empty, "message"});
  if (bytes.size() > (1u << 20)) return fail({FeedError::TooLarge, "message"});
  if (!ev_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return fail({FeedError::Malformed, "message"});
  const uint64_t seq = ev_.seq();
  const bool is_marker = ev_.body_case() == proto::AccountEvent::BODY_NOT_SET &&
                         ev_.reason() == proto::AccountEvent::SNAPSHOT;
  const bool is_snapshot = ev_.body_case() == proto::AccountEvent::kSnapshot ||
                           ev_.body_case() == proto::AccountEvent::kSnapshotDone || is_marker;
  if (state_ != State::Synced) {
    // Waiting for a resync: only snapshot events count; they restart the chain.
    if (!is_snapshot) {
      ++counters_.deltas_skipped;
      have_seq_ = false;
      return kOk;
    }
    // Inside a snapshot the seq stays (state as of seq S) or counts up by one.
    if (have_seq_ && seq != last_seq_ + 1 && seq != last_seq_ && state_ == State::Resyncing) {
      // A gap inside the resync itself: start over.
      have_seq_ = false;
      return fail(gap(last_seq_ + 1, seq));
    }
  } else if (have_seq_ && seq != last_seq_ + 1) {
    const uint64_t want = last_seq_ + 1;
    last_seq_ = seq;
    return fail(gap(want, seq));
  }
  if (state_ == State::AwaitingSnapshot && is_snapshot) state_ = State::Resyncing;
  Status st = apply(ev_);
  if (!st.ok()) {
    // An event we cannot use breaks the account state: resync.
    have_seq_ = true;
    last_seq_ = seq;
    gap(seq + 1, seq);
    return fail(st);
  }
  have_seq_ = true;
  last_seq_ = seq;
  return kOk;
}

Status AccountFeed::apply(const proto::AccountEvent& ev) {
  AccountUpdate u;
  u.seq = ev.seq();
  u.exch_ts_ns = ev.ts_ms() > static_cast<uint64_t>(INT64_MAX / 1'000'000) ? INT64_MAX : static_cast<int64_t>(ev.ts_ms()) * 1'000'000;
  u.account_id = ev.account_id();
  auto position = [&](const proto::PositionState& p, AccountUpdateKind kind) -> Status {
    u.kind = kind;
    u.market = markets_.find(Venue::Own, p.market());
    if (u.market == kNoMarket) return {FeedError::UnknownMarket, "position.market"};
    u.size = p.size();
    u.entry_price = p.entry_price();
    u.isolated = p.isolated();
    u.isolated_margin = p.isolated_margin();
    // A negative isolated margin is a real state (an isolated position whose
    // losses passed its margin: the venue's realised PnL stays in it); it is not
    // an error in the stream, and refusing it would resync forever.
    return kOk;
  };
  switch (ev.body_case()) {
    case proto::AccountEvent::kCollateralDelta:
      u.kind = AccountUpdateKind::CollateralDelta;
      u.amount = ev.collateral_delta();
      sink_.on_account(u);
      break;
    case proto::AccountEvent::kPosition:
      if (Status st = position(ev.position(), AccountUpdateKind::Position); !st.ok()) return st;
      sink_.on_account(u);
      break;
    case proto::AccountEvent::kSnapshot: {
      const proto::AccountSnapshot& s = ev.snapshot();
      // Validate every position before emitting anything (all or nothing).
      for (const auto& p : s.positions())
        if (markets_.find(Venue::Own, p.market()) == kNoMarket) return {FeedError::UnknownMarket, "snapshot.positions.market"};
      u.account_id = s.account_id();
      u.kind = AccountUpdateKind::SnapshotCollateral;
      u.amount = s.collateral();
      sink_.on_account(u);
      for (const auto& p : s.positions()) {
        if (Status st = position(p, AccountUpdateKind::SnapshotPosition); !st.ok()) return st;
        sink_.on_account(u);
      }
      ++counters_.snapshots;
      break;
    }
    case proto::AccountEvent::kSnapshotDone:
      state_ = State::Synced;
      sink_.on_account_in_sync(ev.seq());
      break;
    case proto::AccountEvent::BODY_NOT_SET:
      if (ev.reason() == proto::AccountEvent::SNAPSHOT) {  // end-of-snapshot marker without a body
        state_ = State::Synced;
        sink_.on_account_in_sync(ev.seq());
        break;
      }
      return {FeedError::MissingField, "body"};
  }
  ++counters_.used;
  return kOk;
}

}  // namespace liqd::feeds
