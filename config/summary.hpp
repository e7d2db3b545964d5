#pragma once
// The human summary `liqd --check-config` prints for a valid config: what the
// daemon would run with, including every tier's deductions (derived or explicit),
// so an operator can compare them with the venue's published table.
#include <string>

#include "config/daemon_config.hpp"

namespace liqd::config {

std::string describe(const Config& cfg);
std::string describe_market(const MarketConfig& m);

}  // namespace liqd::config
