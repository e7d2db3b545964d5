#include "feeds/venues/dydx_v4.hpp"

#include "feeds/level_parse.hpp"

namespace liqd::feeds {

namespace {
// {"bids": [...], "asks": [...]} with either level shape; both sides optional.
Status parse_sides(od::object& c, bool objects, LevelSink& ls) {
  for (int k = 0; k < 2; ++k) {
    const std::string_view key = k == 0 ? "bids" : "asks";
    const char* where = k == 0 ? "contents.bids" : "contents.asks";
    od::value v;
    auto e = c.find_field_unordered(key).get(v);
    if (e == simdjson::NO_SUCH_FIELD) continue;
    if (e) return json_status(e, where);
    Status st = objects ? parse_object_levels(v, k == 0 ? kBid : kAsk, "price", "size", ls, where)
                        : parse_pair_levels(v, k == 0 ? kBid : kAsk, ls, where);
    if (!st.ok()) return st;
  }
  return kOk;
}
}  // namespace

void DydxV4Feed::uncross(BookState& bs, const LevelUpdate& u) {
  // The indexer book is optimistic and can cross briefly (docs: "by dYdX V4's
  // optimistic orderbook design..."; v4-abacus uncrosses it client-side). The
  // newest level wins: an order resting at u.price would have matched every
  // opposite level at or through it, so those levels are removed.
  if (u.qty == 0) return;
  const Side other = u.side == kBid ? kAsk : kBid;
  while (!bs.book.empty(other)) {
    const Level best = bs.book.best(other);
    const bool crosses = u.side == kBid ? best.price <= u.price : best.price >= u.price;
    if (!crosses) break;
    bs.book.apply(other, best.price, 0);
    ++counters_.uncrossed_levels;
  }
}

Status DydxV4Feed::gap_all(uint64_t expected, uint64_t got) {
  uint32_t dropped = 0;
  for (MarketId m = 0; m < markets_.size(); ++m) {
    const BookState* bs = book_state(m);
    if (bs && bs->state != SyncState::AwaitingSnapshot) {
      resync(m, ResyncReason::Gap, expected, got, "message_id");
      ++dropped;
    }
  }
  if (dropped == 0) ++counters_.gaps;  // no book to drop: still a counted gap
  return {FeedError::Gap, "message_id"};
}

Status DydxV4Feed::handle(od::document& doc) {
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_status(e, "root");
  std::string_view type;
  if (Status st = str_field(root, "type", type, "type"); !st.ok()) return st;
  if (type == "error") return {FeedError::VenueError, "type"};
  uint64_t mid = 0;
  auto merr = root.find_field_unordered("message_id").get_uint64().get(mid);
  if (merr && merr != simdjson::NO_SUCH_FIELD) return json_status(merr, "message_id");
  if (merr == simdjson::SUCCESS) {
    const bool gap = have_last_ && mid != last_message_id_ + 1;
    const uint64_t expected = last_message_id_ + 1;
    have_last_ = true;
    last_message_id_ = mid;
    if (gap) return gap_all(expected, mid);
  }
  const bool snapshot = type == "subscribed";
  const bool batch = type == "channel_batch_data";
  if (!snapshot && !batch && type != "channel_data") return kOk;  // connected, unsubscribed
  std::string_view channel, id;
  if (Status st = str_field(root, "channel", channel, "channel"); !st.ok()) return st;
  if (channel != "v4_orderbook") return kOk;
  if (Status st = str_field(root, "id", id, "id"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(id, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  BookState& bs = state(m);
  if (!snapshot && bs.state != SyncState::Synced) { ++counters_.deltas_skipped; used_ = true; return kOk; }
  const Scale& sc = scale(m);
  LevelSink ls{scratch_.data(), static_cast<uint32_t>(scratch_.size()), 0, sc.price_dp, sc.qty_dp};
  // A delta we cannot parse is a delta we lost: message_id moves on without it,
  // so the book must be rebuilt.
  auto lost = [&](Status bad) {
    if (!snapshot) resync(m, ResyncReason::BadDelta, mid, mid, bad.where);
    return bad;
  };
  od::value contents;
  if (auto e = root.find_field_unordered("contents").get(contents)) return lost(json_status(e, "contents"));
  if (batch) {
    od::array arr;
    if (auto e = contents.get_array().get(arr)) return lost(json_status(e, "contents"));
    for (auto item : arr) {
      od::object c;
      if (auto e = item.get_object().get(c)) return lost(json_status(e, "contents[]"));
      if (st = parse_sides(c, false, ls); !st.ok()) return lost(st);
    }
  } else {
    od::object c;
    if (auto e = contents.get_object().get(c)) return lost(json_status(e, "contents"));
    if (st = parse_sides(c, snapshot, ls); !st.ok()) return lost(st);
  }
  if (snapshot) {
    load_snapshot(bs, ls.out, ls.n);
  } else {
    for (uint32_t i = 0; i < ls.n; ++i) {
      apply_levels(bs, ls.out + i, 1);
      uncross(bs, ls.out[i]);
    }
  }
  if (bs.book.crossed()) return resync(m, ResyncReason::Crossed, mid, mid, "book");
  bs.state = SyncState::Synced;
  book_updated(m, mid, 0, ls.n, snapshot);
  return kOk;
}

}  // namespace liqd::feeds
