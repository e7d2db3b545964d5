#include "feeds/level_parse.hpp"

namespace liqd::feeds {

Status parse_pair_levels(od::value v, Side side, LevelSink& sink, const char* where) {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return json_status(e, where);
  for (auto elem : arr) {
    od::array pair;
    if (auto e = elem.get_array().get(pair)) return json_status(e, where);
    int idx = 0;
    int64_t px = 0, qty = 0;
    for (auto item : pair) {
      od::value iv;
      if (auto e = item.get(iv)) return json_status(e, where);
      if (idx == 0) {
        if (Status st = dec_value(iv, sink.price_dp, px, where); !st.ok()) return st;
      } else if (idx == 1) {
        if (Status st = qty_value(iv, sink.qty_dp, qty, where); !st.ok()) return st;
      }
      ++idx;
    }
    if (idx < 2) return {FeedError::MissingField, where};
    if (Status st = sink.push(side, px, qty, where); !st.ok()) return st;
  }
  return kOk;
}

Status parse_object_levels(od::value v, Side side, std::string_view px_key, std::string_view qty_key,
                           LevelSink& sink, const char* where) {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return json_status(e, where);
  for (auto elem : arr) {
    od::object o;
    if (auto e = elem.get_object().get(o)) return json_status(e, where);
    int64_t px = 0, qty = 0;
    if (Status st = dec_field(o, px_key, sink.price_dp, px, where); !st.ok()) return st;
    if (Status st = dec_field(o, qty_key, sink.qty_dp, qty, where); !st.ok()) return st;
    if (qty < 0) return {FeedError::NegativeQty, where};
    if (Status st = sink.push(side, px, qty, where); !st.ok()) return st;
  }
  return kOk;
}

}  // namespace liqd::feeds
