// Encoding schemas: which fields of a person a federation encodes as Bloom filters and how long
// each filter is. Forces and hub must agree on the schema; the hub checks every encoding against
// it. Thread-safe (immutable registry).
#ifndef CROSSFORCE_ENGINE_ENCODING_SCHEMA_H_
#define CROSSFORCE_ENGINE_ENCODING_SCHEMA_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/vocabulary.h"

namespace crossforce {

inline constexpr size_t kTokenBytes = 32;           // HMAC-SHA256
inline constexpr size_t kKeyFingerprintBytes = 16;  // truncated HMAC-SHA256
inline constexpr absl::string_view kDefaultSchemaId = "crossforce-person-v1";

struct EncodingSchema {
  std::string id;
  // Filter length in bits of each field the schema encodes; a multiple of 8.
  std::vector<std::pair<EncodedField, uint32_t>> field_bits;

  // 0 when the schema does not encode `field`.
  uint32_t BitsFor(EncodedField field) const;
};

// The schema registered under `id`, or nullptr.
const EncodingSchema* FindEncodingSchema(absl::string_view id);

// Ids of all registered schemas, for error messages.
std::vector<absl::string_view> KnownEncodingSchemaIds();

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_ENCODING_SCHEMA_H_
