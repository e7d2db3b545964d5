#pragma once
// The vault desk's books copied into the fixed-size VaultSnapshot the executor
// publishes for /metrics. Runs on the executor thread; allocation-free (the
// desk's rows are read one at a time), so publishing stays off the allocator.
#include "daemon/service/snapshot.hpp"
#include "executors/vault/vault_desk.hpp"

namespace liqd::service {

// Rows beyond the snapshot's capacity are left out (n_contracts, n_collateral say how many are in).
void fill_vault_snapshot(const exec::vault::VaultDesk& desk, VaultSnapshot& out);

}  // namespace liqd::service
