#include "daemon/service/http_front.hpp"

#include <fmt/format.h>

#include "daemon/admin/auth.hpp"
#include "daemon/http/server.hpp"

namespace liqd::service {

namespace bhttp = boost::beast::http;

struct HttpFront::Impl {
  HttpFrontConfig cfg;
  std::unique_ptr<http::Server> admin, metrics;

  http::Response on_admin(const http::Request& req, const std::string&) {
    const auto auth = req[bhttp::field::authorization];
    if (!admin::bearer_matches(std::string_view(auth.data(), auth.size()), cfg.token))
      return http::make_response(req, bhttp::status::unauthorized, R"({"error":"missing or wrong bearer token"})");
    const std::string_view target(req.target().data(), req.target().size());
    if (target == "/healthz") return http::make_response(req, bhttp::status::ok, R"({"status":"ok"})");
    if (target == "/readyz") {
      const std::string why = cfg.ready_reason();
      if (why.empty()) return http::make_response(req, bhttp::status::ok, R"({"ready":true})");
      return http::make_response(req, bhttp::status::service_unavailable, fmt::format(R"({{"ready":false,"reason":"{}"}})", why));
    }
    return http::make_response(req, bhttp::status::not_found, R"({"error":"no such route"})");
  }

  http::Response on_metrics(const http::Request& req, const std::string&) {
    CoreStats cs;
    cfg.snaps->core.try_load(cs);
    std::string out;
    out += fmt::format("# HELP liqd_accounts_monitored Accounts the core watches.\n# TYPE liqd_accounts_monitored gauge\nliqd_accounts_monitored {}\n", cs.accounts);
    out += fmt::format("# HELP liqd_accounts_liquidatable Accounts below maintenance margin now.\n# TYPE liqd_accounts_liquidatable gauge\nliqd_accounts_liquidatable {}\n", cs.flagged);
    return http::make_response(req, bhttp::status::ok, out, "text/plain; version=0.0.4");
  }
};

HttpFront::HttpFront(HttpFrontConfig cfg) : impl_(std::make_unique<Impl>()) { impl_->cfg = std::move(cfg); }
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
