#pragma once
// The backstop vault's series on /metrics (issue 7): inventory per (venue,
// market) contract, in contracts and in base, collateral per (venue, asset),
// realised and unrealised PnL, basis, fills and hedge orders, from the
// executor's VaultSnapshot. HTTP thread; display only (doubles).
#include "daemon/metrics/registry.hpp"
#include "daemon/service/snapshot.hpp"

namespace liqd::service {

void add_vault_metrics(metrics::Registry& r, const VaultSnapshot& v);

}  // namespace liqd::service
