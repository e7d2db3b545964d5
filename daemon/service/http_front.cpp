#include "daemon/service/http_front.hpp"

#include <fmt/format.h>

#include "daemon/admin/auth.hpp"
#include "daemon/http/server.hpp"
#include "daemon/service/admin_routes.hpp"
#include "daemon/service/metrics_text.hpp"

namespace liqd::service {

namespace bhttp = boost::beast::http;

struct HttpFront::Impl {
  HttpFrontConfig cfg;
  std::unique_ptr<AdminRoutes> routes;  // used by the admin server's thread only
  std::unique_ptr<http::Server> admin, metrics;

  http::Response on_admin(const http::Request& req, const std::string& peer) {
    const auto auth = req[bhttp::field::authorization];
    if (!admin::bearer_matches(std::string_view(auth.data(), auth.size()), cfg.token))
      return http::make_response(req, bhttp::status::unauthorized, R"({"error":"missing or wrong bearer token"})");
    return routes->handle(req, peer);
  }

  http::Response on_metrics(const http::Request& req, const std::string&) {
    const std::string_view target(req.target().data(), req.target().size());
    if (target != "/metrics" && target.substr(0, 9) != "/metrics?")
      return http::make_response(req, bhttp::status::not_found, "metrics are at /metrics\n", "text/plain");
    HttpCounters hc;
    if (admin) hc.admin_requests = admin->requests(), hc.admin_bad_requests = admin->bad_requests();
    if (metrics) hc.metrics_requests = metrics->requests();
    return http::make_response(req, bhttp::status::ok, render_metrics(cfg, hc), "text/plain; version=0.0.4");
  }
};

HttpFront::HttpFront(HttpFrontConfig cfg) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->routes = std::make_unique<AdminRoutes>(impl_->cfg);
}
HttpFront::~HttpFront() { stop(); }

std::string HttpFront::start() {
  const config::DaemonConfig& d = impl_->cfg.cfg->daemon;
  http::ServerOptions ao;
  ao.address = d.admin.listen.host == "localhost" ? "127.0.0.1" : d.admin.listen.host;
  ao.port = static_cast<uint16_t>(d.admin.listen.port);
  Impl* im = impl_.get();
  impl_->admin = std::make_unique<http::Server>(ao, [im](const http::Request& r, const std::string& p) { return im->on_admin(r, p); });
  if (std::string e = impl_->admin->start(); !e.empty()) return "admin.listen " + d.admin.listen.str() + ": " + e;
  http::ServerOptions mo;
  mo.address = d.metrics.listen.host == "localhost" ? "127.0.0.1" : d.metrics.listen.host;
  mo.port = static_cast<uint16_t>(d.metrics.listen.port);
  impl_->metrics = std::make_unique<http::Server>(mo, [im](const http::Request& r, const std::string& p) { return im->on_metrics(r, p); });
  if (std::string e = impl_->metrics->start(); !e.empty()) return "metrics.listen " + d.metrics.listen.str() + ": " + e;
  return "";
}

void HttpFront::stop() {
  if (impl_->admin) impl_->admin->stop();
  if (impl_->metrics) impl_->metrics->stop();
}

std::string HttpFront::admin_endpoint() const {
  return impl_->cfg.cfg->daemon.admin.listen.host + ":" + std::to_string(impl_->admin ? impl_->admin->port() : 0);
}
std::string HttpFront::metrics_endpoint() const {
  return impl_->cfg.cfg->daemon.metrics.listen.host + ":" + std::to_string(impl_->metrics ? impl_->metrics->port() : 0);
}

}  // namespace liqd::service
