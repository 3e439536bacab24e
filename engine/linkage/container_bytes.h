// What containers hold on the heap, from their capacities: for the linker's count of its own
// memory (Linker::Memory, LshIndex::memory_bytes). Not exact to the allocator's rounding.
#ifndef CROSSFORCE_ENGINE_LINKAGE_CONTAINER_BYTES_H_
#define CROSSFORCE_ENGINE_LINKAGE_CONTAINER_BYTES_H_

#include <cstddef>

namespace crossforce {

// A std::vector's block, spare capacity included.
template <typename Vector>
size_t VectorBytes(const Vector& v) {
  return v.capacity() * sizeof(typename Vector::value_type);
}

// A Swiss table's (absl::flat_hash_map and _set) slots, each with its control byte.
template <typename Table>
size_t SwissTableBytes(const Table& table) {
  return table.bucket_count() * (sizeof(typename Table::value_type) + 1);
}

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_LINKAGE_CONTAINER_BYTES_H_
