// Keeps entity ids across restarts: the linker's assignment of person records to entities (and the
// redirects of absorbed ids) is written to the entities table as it changes, and read back at Open
// so that a relink from scratch gives every person the id it had. Flags and analysts' notes refer
// to entities by id; without this a restart would silently re-point them. Thread-safe (functions
// over Storage).
#ifndef CROSSFORCE_ENGINE_ENTITY_ID_STORE_H_
#define CROSSFORCE_ENGINE_ENTITY_ID_STORE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "engine/linkage/linker.h"
#include "engine/storage.h"

namespace crossforce {

// The saved assignment; empty (next id 1) on a new store.
absl::StatusOr<Linker::SavedAssignment> LoadEntityAssignment(Storage& storage);

// Writes that record `changes`.
std::vector<StorageWrite> EntityChangeWrites(const Linker::AssignmentChanges& changes);

// Writes that turn the saved assignment `before` into `after`.
std::vector<StorageWrite> EntityAssignmentWrites(const Linker::SavedAssignment& before,
                                                 const Linker::SavedAssignment& after);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_ENTITY_ID_STORE_H_
