// libFuzzer target for one feed handler (FUZZ_FORMAT, e.g. "okx-v5"): any bytes
// must give an error code or valid events, never a crash, a sanitizer report, a
// broken book invariant or a crossed book handed to the sink.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "feeds/feed_factory.hpp"

#ifndef FUZZ_FORMAT
#error "define FUZZ_FORMAT"
#endif

namespace {

using namespace liqd::feeds;

class CheckingSink final : public EventSink {
 public:
  void on_book(const BookUpdated&, const L2Book& book) override {
    if (!book.check_invariants() || book.crossed()) std::abort();
  }
};

struct Harness {
  MarketTable markets{256};
  CheckingSink sink;
  std::unique_ptr<JsonFeed> feed;
  Harness() {
    liqd::Scale s;
    s.price_dp = 8;
    s.qty_dp = 8;
    markets.set_default_scale(s);
    FeedOptions o;
    o.max_message_bytes = 1 << 16;
    o.book_levels = 1024;
    o.snapshot_symbol = "SUSHIUSDT";
    o.stale_after_ns = 1'000'000'000;
    o.max_buffered_bytes = 8u << 20;
    feed = make_feed(*venue_from_name(FUZZ_FORMAT), markets, sink, o);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness h;  // state carries over between inputs, like a connection
  h.feed->on_message(std::string_view(reinterpret_cast<const char*>(data), size), 1);
  return 0;
}
