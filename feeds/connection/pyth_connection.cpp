#include "feeds/connection/pyth_connection.hpp"

#include "feeds/venues/pyth_hermes.hpp"

namespace liqd::feeds {

PythConnection::PythConnection(MarketTable& markets, std::vector<std::string> ids, std::string ws_url, EventSink& sink,
                               PythOptions opts)
    : WsFeedConnection(Venue::PythHermes, markets, sink, std::move(ids), opts.stale_after_ms, SyncTracker::kPrice) {
  WsOptions ws = std::move(opts.ws);
  ws.url = std::move(ws_url);
  if (ws.name == "ws") ws.name = "pyth-hermes";
  std::string sub = R"({"type":"subscribe","ids":[)";
  for (size_t i = 0; i < symbols_.size(); ++i) {
    if (symbols_[i].find_first_of("\"\\") != std::string::npos) continue;  // ids are hex
    if (i) sub += ',';
    sub += '"' + symbols_[i] + '"';
  }
  sub += opts.verbose ? R"(],"verbose":true})" : "]}";
  ws.subscribe = {sub};
  init(std::make_unique<PythHermesFeed>(markets, sink_tap(), std::move(opts.feed)), std::move(ws));
}

PythConnection::~PythConnection() { stop(); }

}  // namespace liqd::feeds
