#include "engine/encoding_schema.h"

namespace crossforce {
namespace {

// crossforce-person-v1: per-field filters sized so that a typical value sets a fifth to a third of
// the bits (bigrams, see client/anonymiser), and a 1024-bit record-level filter (CLK) of all fuzzy
// fields for similarity blocking.
const std::vector<EncodingSchema>& Registry() {
  static const auto* const kSchemas = new std::vector<EncodingSchema>{
      {std::string(kDefaultSchemaId),
       {{EncodedField::kGivenName, 512},
        {EncodedField::kFamilyName, 512},
        {EncodedField::kDateOfBirth, 256},
        {EncodedField::kPostcode, 256},
        {EncodedField::kRecord, 1024},
        {EncodedField::kAddress, 512},
        {EncodedField::kBirthPlace, 256},
        {EncodedField::kEmail, 512}}},
  };
  return *kSchemas;
}

}  // namespace

uint32_t EncodingSchema::BitsFor(EncodedField field) const {
  for (const auto& [f, bits] : field_bits) {
    if (f == field) return bits;
  }
  return 0;
}

const EncodingSchema* FindEncodingSchema(absl::string_view id) {
  for (const EncodingSchema& schema : Registry()) {
    if (schema.id == id) return &schema;
  }
  return nullptr;
}

std::vector<absl::string_view> KnownEncodingSchemaIds() {
  std::vector<absl::string_view> ids;
  for (const EncodingSchema& schema : Registry()) ids.push_back(schema.id);
  return ids;
}

}  // namespace crossforce
