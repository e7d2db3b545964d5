#include "feeds/json_feed.hpp"

#include <cassert>
#include <cstring>

#include "feeds/json_fields.hpp"

namespace liqd::feeds {

namespace {

simdjson::error_code validate_value(od::value v, int depth);

simdjson::error_code validate_object(od::object o, int depth) {
  for (auto f : o) {
    od::field fl;
    if (auto e = std::move(f).get(fl)) return e;
    std::string_view key;
    if (auto e = fl.unescaped_key().get(key)) return e;
    if (auto e = validate_value(fl.value(), depth + 1)) return e;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code validate_array(od::array a, int depth) {
  for (auto item : a) {
    od::value v;
    if (auto e = item.get(v)) return e;
    if (auto e = validate_value(v, depth + 1)) return e;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code validate_value(od::value v, int depth) {
  if (depth > 64) return simdjson::DEPTH_ERROR;
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  switch (t) {
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      return validate_object(o, depth);
    }
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      return validate_array(a, depth);
    }
    case od::json_type::string: {
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number: {
      od::number n;
      return v.get_number().get(n);
    }
    case od::json_type::boolean: {
      bool b;
      return v.get_bool().get(b);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return e;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

// Error path only: simdjson reports both "truncated" and "complete document
// followed by a scalar" as INCOMPLETE_ARRAY_OR_OBJECT. A string-aware bracket
// scan tells them apart: if the root closes before the end, the rest is garbage.
bool root_closes_early(std::string_view s) {
  int depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth == 0) {
        for (size_t k = i + 1; k < s.size(); ++k)
          if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r' && s[k] != '\n') return true;
        return false;
      }
    }
  }
  return false;
}

}  // namespace

simdjson::error_code validate_document(od::document& doc) {
  od::json_type t;
  if (auto e = doc.type().get(t)) return e;
  if (t == od::json_type::object) {
    od::object o;
    if (auto e = doc.get_object().get(o)) return e;
    return validate_object(o, 1);
  }
  if (t == od::json_type::array) {
    od::array a;
    if (auto e = doc.get_array().get(a)) return e;
    return validate_array(a, 1);
  }
  return simdjson::INCORRECT_TYPE;  // feed messages are objects or arrays
}

JsonFeed::JsonFeed(Venue venue, MarketTable& markets, EventSink& sink, FeedOptions opts)
    : venue_(venue), markets_(markets), sink_(sink), opts_(std::move(opts)),
      buf_cap_(opts_.max_message_bytes + simdjson::SIMDJSON_PADDING),
      parser_(opts_.max_message_bytes) {
  buf_ = std::make_unique<char[]>(buf_cap_);
  std::memset(buf_.get(), 0, buf_cap_);
  scratch_.resize(opts_.max_levels_per_message);
  books_.resize(markets_.capacity());
  // Allocate the parser's internal buffers now, not on the first message.
  auto err = parser_.allocate(opts_.max_message_bytes);
  assert(!err);
  (void)err;
}

JsonFeed::~JsonFeed() = default;

const BookState* JsonFeed::book_state(MarketId m) const {
  return m < books_.size() ? books_[m].get() : nullptr;
}

BookState& JsonFeed::state(MarketId m) {
  assert(m < books_.size());
  if (!books_[m]) books_[m] = std::make_unique<BookState>(opts_.book_levels);  // once per market
  return *books_[m];
}

Status JsonFeed::on_message(std::string_view raw, int64_t local_ts_ns) {
  ++counters_.messages;
  counters_.bytes += raw.size();
  auto fail = [this](Status st) {
    ++counters_.errors_total;
    ++counters_.errors[static_cast<size_t>(st.code)];
    return st;
  };
  // Trim trailing whitespace (a JSONL line may keep its '\r').
  size_t len = raw.size();
  while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\n' || raw[len - 1] == '\r' || raw[len - 1] == '\t')) --len;
  size_t start = 0;
  while (start < len && (raw[start] == ' ' || raw[start] == '\t' || raw[start] == '\n' || raw[start] == '\r')) ++start;
  if (!strip_prefix_.empty() && raw.substr(start, len - start).starts_with(strip_prefix_)) {
    start += strip_prefix_.size();
    while (start < len && (raw[start] == ' ' || raw[start] == '\t')) ++start;
  }
  if (start == len) return fail({FeedError::Empty, "message"});
  raw = raw.substr(start, len - start);
  len = raw.size();
  if (len > opts_.max_message_bytes) return fail({FeedError::TooLarge, "message"});
  current_raw_ = raw;
  local_ts_ = local_ts_ns;
  used_ = false;
  Status st;
  // The venue's hot message in its usual shape is read straight from the
  // caller's bytes (handle_fast); everything else takes the general path.
  if (opts_.fast_path && handle_fast(raw, st)) ++counters_.fast_path;
  else st = handle_general(raw);
  if (!st.ok()) return fail(st);
  if (used_) ++counters_.used; else ++counters_.ignored;
  if (opts_.stale_after_ns > 0 && event_clock_ns_ - last_stale_scan_ns_ >= opts_.stale_after_ns / 4) {
    check_staleness(event_clock_ns_);
  }
  after_message();
  return kOk;
}

Status JsonFeed::handle_general(std::string_view raw) {
  const size_t len = raw.size();
  std::memcpy(buf_.get(), raw.data(), len);
  std::memset(buf_.get() + len, 0, simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  if (auto e = parser_.iterate(buf_.get(), len, buf_cap_).get(doc)) return json_status(e, "message");
  // Whole-document check. On-Demand only validates what a handler touches, so
  // first walk every value (strict mode) or at least skip over the root (fast
  // mode: brackets balanced); then nothing may follow the root.
  if (opts_.validate_full) {
    if (auto e = validate_document(doc)) {
      if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT && root_closes_early(raw))
        return {FeedError::TrailingGarbage, "message"};
      return json_status(e, "message");
    }
  } else {
    std::string_view whole;
    if (auto e = doc.raw_json().get(whole)) return json_status(e, "message");
  }
  {
    const char* loc = nullptr;
    if (doc.current_location().get(loc) == simdjson::SUCCESS) return {FeedError::TrailingGarbage, "message"};
    doc.rewind();
  }
  return handle(doc);
}

MarketId JsonFeed::market_for(std::string_view symbol, Status& st, bool& skip) {
  skip = false;
  if (!opts_.only_symbol.empty() && symbol != opts_.only_symbol) {
    skip = true;
    ++counters_.filtered;
    return kNoMarket;
  }
  MarketId m = markets_.resolve(venue_, symbol);
  if (m == kNoMarket) st = {FeedError::UnknownMarket, "symbol"};
  return m;
}

void JsonFeed::load_snapshot(BookState& bs, const LevelUpdate* ups, uint32_t n) {
  if (!opts_.apply_books) { ++counters_.snapshots; return; }
  count_apply(bs.book.assign(ups, n));  // O(n log n), not n sorted inserts
  ++counters_.snapshots;
}

void JsonFeed::apply_levels(BookState& bs, const LevelUpdate* ups, uint32_t n) {
  if (!opts_.apply_books) return;
  count_apply(bs.book.apply_all(ups, n));
}

void JsonFeed::count_apply(const ApplyCounts& c) {
  counters_.levels_dropped += c.dropped_full;
  counters_.delete_missing += c.delete_missing;
}

Status JsonFeed::resync(MarketId m, ResyncReason why, uint64_t expected, uint64_t got, const char* where) {
  BookState& bs = state(m);
  bs.book.clear();
  bs.state = SyncState::AwaitingSnapshot;
  bs.last_seq = 0;
  ++counters_.resyncs;
  FeedError code = FeedError::Gap;
  switch (why) {
    case ResyncReason::Gap: ++counters_.gaps; code = FeedError::Gap; break;
    case ResyncReason::Checksum: ++counters_.checksum_mismatches; code = FeedError::ChecksumMismatch; break;
    case ResyncReason::Crossed: ++counters_.crossed; code = FeedError::Crossed; break;
    case ResyncReason::BadDelta: code = FeedError::Gap; break;
    case ResyncReason::BufferOverflow: ++counters_.buffer_overflows; code = FeedError::Gap; break;
  }
  ResyncRequest r;
  r.h = header(m, 0);
  r.expected_seq = expected;
  r.got_seq = got;
  r.reason = why;
  sink_.on_resync(r);
  return {code, where};
}

void JsonFeed::book_updated(MarketId m, uint64_t seq, int64_t exch_ts_ns, uint32_t n, bool snapshot) {
  BookState& bs = state(m);
  bs.last_seq = seq;
  if (exch_ts_ns > 0) bs.last_update_ns = exch_ts_ns;
  else if (bs.last_update_ns < event_clock_ns_) bs.last_update_ns = event_clock_ns_;
  bs.stale = false;
  if (!snapshot) ++counters_.deltas;
  used_ = true;
  BookUpdated ev;
  ev.h = header(m, exch_ts_ns);
  ev.seq = seq;
  ev.levels_changed = n;
  ev.snapshot = snapshot;
  sink_.on_book(ev, bs.book);
}

void JsonFeed::saw_exchange_time(int64_t exch_ts_ns) {
  if (exch_ts_ns <= 0) return;
  if (exch_ts_ns > event_clock_ns_) event_clock_ns_ = exch_ts_ns;
  if (local_ts_ > 0) {
    const int64_t skew = exch_ts_ns - local_ts_;
    counters_.skew_last_ns = skew;
    if (skew < counters_.skew_min_ns) counters_.skew_min_ns = skew;
    if (skew > counters_.skew_max_ns) counters_.skew_max_ns = skew;
    ++counters_.skew_samples;
  }
}

void JsonFeed::check_staleness(int64_t now_ns) {
  last_stale_scan_ns_ = now_ns;
  if (opts_.stale_after_ns <= 0) return;
  for (size_t m = 0; m < books_.size(); ++m) {
    BookState* bs = books_[m].get();
    if (!bs || bs->stale || bs->state != SyncState::Synced || bs->last_update_ns == 0) continue;
    if (now_ns - bs->last_update_ns >= opts_.stale_after_ns) {
      bs->stale = true;
      ++counters_.stale_events;
      StaleEvent ev;
      ev.h = header(static_cast<MarketId>(m), now_ns);
      ev.last_update_ns = bs->last_update_ns;
      ev.now_ns = now_ns;
      sink_.on_stale(ev);
    }
  }
}

}  // namespace liqd::feeds
