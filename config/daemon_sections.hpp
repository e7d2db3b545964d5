#pragma once
// Internal to liqd_config: the readers of the daemon file's sections.
#include <span>
#include <string_view>

#include "config/daemon_config.hpp"
#include "config/yaml_reader.hpp"

namespace liqd::config::detail {

// Reads one section's mapping into `out`. Errors go to ctx.
using SectionReader = void (*)(const Ctx& ctx, MapReader& section, DaemonConfig& out);

struct Section {
  std::string_view name;
  bool required;
  SectionReader read;
};

// In reading order (quote first: other sections price things in quote units).
// To add a section: a struct in daemon_config.hpp, a reader and one row here.
std::span<const Section> daemon_sections();

// The policy sections (policy_sections.cpp) and the defaults that need quote.scale.
void read_liquidation(const Ctx& ctx, MapReader& m, DaemonConfig& out);
void read_circuit_breaker(const Ctx& ctx, MapReader& m, DaemonConfig& out);
void read_dynamic_margin(const Ctx& ctx, MapReader& m, DaemonConfig& out);
void read_backstop(const Ctx& ctx, MapReader& m, DaemonConfig& out);
void read_executor(const Ctx& ctx, MapReader& m, DaemonConfig& out);
void finish_policy_defaults(DaemonConfig& out);

// Reads the whole daemon document (top-level scalars and every section).
// `quote_ok` is false when quote.scale is unusable (markets then report nothing
// that depends on it twice).
void read_daemon(const Ctx& ctx, const YAML::Node& doc, DaemonConfig& out, bool& quote_ok);

}  // namespace liqd::config::detail
