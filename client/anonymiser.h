// Turns one person's normalised identifiers into the AnonymisedIdentity the hub receives: keyed
// HMAC-SHA256 tokens for exact identifiers and blocking keys, Bloom-filter encodings for fuzzy
// fields under the crossforce-person-v1 schema, the schema id and the key's fingerprint. Nothing of
// the raw values survives in the output. Thread-compatible (it caches n-gram hashes): one per
// thread.
#ifndef CROSSFORCE_CLIENT_ANONYMISER_H_
#define CROSSFORCE_CLIENT_ANONYMISER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/bloom_encoder.h"
#include "client/linkage_key.h"
#include "client/normalise.h"
#include "crossforce/v1/records.pb.h"

namespace crossforce::client {

inline constexpr char kSchemaId[] = "crossforce-person-v1";

// A person's identifiers in normal form (see normalise.h); empty fields were not recorded.
struct PersonIdentifiers {
  std::string given_name;   // NormaliseName
  std::string family_name;  // NormaliseName
  std::optional<CivilDate> date_of_birth;
  std::optional<Postcode> postcode;
  std::string address;      // NormaliseAddress
  std::string birth_place;  // NormalisePlaceName
  std::string occupation;   // NormaliseOccupation
  v1::Sex sex = v1::SEX_UNSPECIFIED;
  std::string pnc_id;                 // NormalisePncId
  std::vector<std::string> phones;    // E.164
  std::vector<std::string> emails;    // NormaliseEmail
  std::vector<std::string> vehicles;  // NormaliseVehicle
};

// One fuzzy field of the schema: the filter it gets alone and its share of the record-level filter.
struct SchemaField {
  v1::EncodedField field;
  uint32_t filter_bits;         // length of the field's own filter
  int filter_bits_per_feature;  // bit positions per value in its own filter
  int record_bits_per_feature;  // bit positions per value in the 1024-bit record filter; 0: not in
                                // it (the record filter keeps clkhash's field list)
};

// The fields of crossforce-person-v1 (the hub checks the same lengths).
const std::vector<SchemaField>& PersonSchemaFields();
inline constexpr uint32_t kRecordFilterBits = 1024;

// The record-level filter is a clkhash CLK: clkhash's key derivation (key_derivation.py,
// generate_key_lists) run on two master secrets derived from the federation secret, with this salt
// and info, gives field i the HMAC key pair (HKDF(secret1)[i], HKDF(secret2)[i]) of 64 bytes each.
inline constexpr char kClkhashKdfSalt[] = "crossforce-person-v1 clk salt";
inline constexpr char kClkhashKdfInfo[] = "crossforce-person-v1 clk";
inline constexpr size_t kClkhashKeySize = 64;

// The two clkhash master secrets of a federation key.
std::pair<std::string, std::string> ClkhashMasterSecrets(const LinkageKey& key);

// Per field, the (SHA-1 key, MD5 key) pair clkhash derives from the two master secrets.
std::vector<std::pair<std::string, std::string>> ClkhashFieldKeys(
    const std::pair<std::string, std::string>& master_secrets, size_t fields);

// The record filter's clkhash linkage schema (v3 JSON), for forces that encode with clkhash.
std::string ClkhashSchemaJson();

class Anonymiser {
 public:
  explicit Anonymiser(const LinkageKey& key);
  Anonymiser(const Anonymiser&) = delete;
  Anonymiser& operator=(const Anonymiser&) = delete;

  v1::AnonymisedIdentity Anonymise(const PersonIdentifiers& person);

  // The string each fuzzy field encodes (exposed for tests and the schema description).
  static std::string FieldValue(const PersonIdentifiers& person, v1::EncodedField field);

 private:
  void AddToken(v1::TokenKind kind, absl::string_view value, v1::AnonymisedIdentity* out);

  const std::string fingerprint_;
  std::vector<std::unique_ptr<KeyedHash>> token_hashes_;             // by TokenKind
  std::vector<std::unique_ptr<BloomFieldEncoder>> field_encoders_;   // per schema field
  std::vector<std::unique_ptr<BloomFieldEncoder>> record_encoders_;  // per schema field; null: none
};

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_ANONYMISER_H_
