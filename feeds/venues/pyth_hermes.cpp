#include "feeds/venues/pyth_hermes.hpp"

#include "feeds/json_fields.hpp"

namespace liqd::feeds {

namespace {
// mantissa * 10^expo into units of 10^-dp, exactly.
Status to_scale(int64_t mantissa, int64_t expo, int dp, int64_t& out, const char* where) {
  if (expo < -30 || expo > 30) return {FeedError::OutOfRange, where};
  const int64_t shift = dp + expo;  // multiply by 10^shift
  i128 v = mantissa;
  if (shift >= 0) {
    // |mantissa| < 2^63 and the result must fit an int64, so a nonzero value
    // can only be scaled up by 10^18 at most; checking first keeps the i128
    // product from overflowing (expo up to +30 on an 18-dp market is 10^48).
    if (v != 0 && shift > 18) return {FeedError::OutOfRange, where};
    v *= pow10_i128(static_cast<int>(shift));
  } else {
    const i128 d = pow10_i128(static_cast<int>(-shift));
    if (v % d != 0) return {FeedError::TooPrecise, where};
    v /= d;
  }
  if (!fits_i64(v)) return {FeedError::OutOfRange, where};
  out = static_cast<int64_t>(v);
  return kOk;
}

struct RawPrice {
  int64_t price = 0, conf = 0, expo = 0;
  uint64_t publish_time = 0;
};

Status parse_price(od::object& p, RawPrice& r, const char* where) {
  std::string_view s;
  if (auto e = p.find_field_unordered("price").get_string().get(s)) return json_status(e, where);
  if (Status st = decimal(s, 0, r.price, where); !st.ok()) return st;
  if (auto e = p.find_field_unordered("conf").get_string().get(s)) return json_status(e, where);
  if (Status st = decimal(s, 0, r.conf, where); !st.ok()) return st;
  if (r.conf < 0) return {FeedError::NegativeQty, where};
  if (auto e = p.find_field_unordered("expo").get_int64().get(r.expo)) return json_status(e, where);
  if (auto e = p.find_field_unordered("publish_time").get_uint64().get(r.publish_time)) return json_status(e, where);
  return kOk;
}
}  // namespace

Status PythHermesFeed::handle(od::document& doc) {
  od::json_type t;
  if (auto e = doc.type().get(t)) return json_status(e, "root");
  if (t == od::json_type::array) {
    od::array arr;
    if (auto e = doc.get_array().get(arr)) return json_status(e, "root");
    return on_feeds(arr);
  }
  od::object root;
  if (auto e = doc.get_object().get(root)) return json_status(e, "root");
  od::array parsed;
  auto perr = root.find_field_unordered("parsed").get_array().get(parsed);
  if (perr == simdjson::SUCCESS) return on_feeds(parsed);
  if (perr != simdjson::NO_SUCH_FIELD) return json_status(perr, "parsed");
  // Hermes WebSocket (https://docs.pyth.network/price-feeds/api-instances-and-providers/hermes):
  // {"type":"price_update","price_feed":{...}} and {"type":"response","status":"success"|"error",...}.
  od::object feed;
  auto ferr = root.find_field_unordered("price_feed").get_object().get(feed);
  if (ferr == simdjson::SUCCESS) return on_feed(feed);
  if (ferr != simdjson::NO_SUCH_FIELD) return json_status(ferr, "price_feed");
  std::string_view type;
  auto terr = root.find_field_unordered("type").get_string().get(type);
  if (terr == simdjson::SUCCESS && type == "response") {
    std::string_view status;
    if (root.find_field_unordered("status").get_string().get(status) == simdjson::SUCCESS && status == "error")
      return {FeedError::VenueError, "status"};
    return kOk;  // subscription ack
  }
  if (auto e = root.reset().error()) return json_status(e, "root");
  return on_feed(root);
}

Status PythHermesFeed::on_feeds(od::array& arr) {
  for (auto item : arr) {
    od::object o;
    if (auto e = item.get_object().get(o)) return json_status(e, "[]");
    if (Status st = on_feed(o); !st.ok()) return st;
  }
  return kOk;
}

Status PythHermesFeed::on_feed(od::object& o) {
  std::string_view id;
  if (Status st = str_field(o, "id", id, "id"); !st.ok()) return st;
  Status st;
  bool skip = false;
  MarketId m = market_for(id, st, skip);
  if (skip) return kOk;
  if (!st.ok()) return st;
  const int dp = scale(m).price_dp;
  RawPrice raw[2];
  bool have[2] = {false, false};
  const std::string_view keys[2] = {"price", "ema_price"};
  const char* where[2] = {"price", "ema_price"};
  for (int k = 0; k < 2; ++k) {
    od::object p;
    auto e = o.find_field_unordered(keys[k]).get_object().get(p);
    if (e == simdjson::NO_SUCH_FIELD && k == 1) continue;  // ema is optional
    if (e) return json_status(e, where[k]);
    if (st = parse_price(p, raw[k], where[k]); !st.ok()) return st;
    have[k] = true;
  }
  PriceUpdate out[2];
  for (int k = 0; k < 2; ++k) {
    if (!have[k]) continue;
    // Pyth publishes more decimals than most markets' ticks (expo −8): keep them
    // (the event carries its dp) so the conversion stays exact; the consumer
    // rounds to its market when it needs to.
    const int kdp = raw[k].expo < 0 && -raw[k].expo > dp && -raw[k].expo <= 18 ? static_cast<int>(-raw[k].expo) : dp;
    if (st = to_scale(raw[k].price, raw[k].expo, kdp, out[k].price, where[k]); !st.ok()) return st;
    if (st = to_scale(raw[k].conf, raw[k].expo, kdp, out[k].conf, where[k]); !st.ok()) return st;
    const int64_t ts = raw[k].publish_time > static_cast<uint64_t>(INT64_MAX / 1'000'000'000)
                           ? INT64_MAX : static_cast<int64_t>(raw[k].publish_time) * 1'000'000'000;
    out[k].h = header(m, ts);
    out[k].dp = static_cast<int8_t>(kdp);
    out[k].has_conf = true;
    out[k].source = k == 0 ? PriceSource::Oracle : PriceSource::OracleEma;
  }
  for (int k = 0; k < 2; ++k) {
    if (!have[k]) continue;
    saw_exchange_time(out[k].h.exch_ts_ns);
    used_ = true;
    sink_.on_price(out[k]);
  }
  return kOk;
}

}  // namespace liqd::feeds
