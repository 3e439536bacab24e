#include "engine/records.h"

namespace crossforce {

RecordKind KindOf(const Record& record) {
  return std::holds_alternative<Incident>(record) ? RecordKind::kIncident : RecordKind::kOrder;
}

const RecordKey& KeyOf(const Record& record) {
  return std::visit([](const auto& r) -> const RecordKey& { return r.key; }, record);
}

uint64_t VersionOf(const Record& record) {
  return std::visit([](const auto& r) { return r.version; }, record);
}

}  // namespace crossforce
