#include "client/anonymiser.h"

#include <cctype>
#include <cstdio>
#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace crossforce::client {
namespace {

constexpr int kMaxTokenKind = v1::TokenKind_MAX;

}  // namespace

const std::vector<SchemaField>& PersonSchemaFields() {
  // Sized so that a typical value sets about a fifth of its own filter, and the record filter
  // about a third: dense enough to tolerate typos, sparse enough to keep Dice discriminating.
  static const auto* const kFields = new std::vector<SchemaField>{
      {v1::ENCODED_FIELD_GIVEN_NAME, 512, 100, 150},
      {v1::ENCODED_FIELD_FAMILY_NAME, 512, 100, 150},
      {v1::ENCODED_FIELD_DATE_OF_BIRTH, 256, 60, 100},
      {v1::ENCODED_FIELD_POSTCODE, 256, 50, 60},
      {v1::ENCODED_FIELD_ADDRESS, 512, 60, 0},
      {v1::ENCODED_FIELD_BIRTH_PLACE, 256, 50, 0},
      {v1::ENCODED_FIELD_EMAIL, 512, 80, 0},
  };
  return *kFields;
}

std::string Anonymiser::FieldValue(const PersonIdentifiers& person, v1::EncodedField field) {
  switch (field) {
    case v1::ENCODED_FIELD_GIVEN_NAME:
      return person.given_name;
    case v1::ENCODED_FIELD_FAMILY_NAME:
      return person.family_name;
    case v1::ENCODED_FIELD_DATE_OF_BIRTH:
      // Digits only: the separators carry no information (as clkhash's date format).
      return person.date_of_birth.has_value() ? CompactDate(*person.date_of_birth) : std::string();
    case v1::ENCODED_FIELD_POSTCODE: {
      if (!person.postcode.has_value()) return std::string();
      std::string compact = person.postcode->full;
      compact.erase(std::remove(compact.begin(), compact.end(), ' '), compact.end());
      return compact;
    }
    case v1::ENCODED_FIELD_ADDRESS:
      return person.address;
    case v1::ENCODED_FIELD_BIRTH_PLACE:
      return person.birth_place;
    case v1::ENCODED_FIELD_EMAIL:
      return person.emails.empty() ? std::string() : person.emails.front();
    default:
      return std::string();
  }
}

std::pair<std::string, std::string> ClkhashMasterSecrets(const LinkageKey& key) {
  return {key.DeriveKey("clkhash/master/1"), key.DeriveKey("clkhash/master/2")};
}

std::vector<std::pair<std::string, std::string>> ClkhashFieldKeys(
    const std::pair<std::string, std::string>& master_secrets, size_t fields) {
  const size_t length = fields * kClkhashKeySize;
  const std::string first =
      Hkdf(master_secrets.first, kClkhashKdfSalt, kClkhashKdfInfo, length).value_or("");
  const std::string second =
      Hkdf(master_secrets.second, kClkhashKdfSalt, kClkhashKdfInfo, length).value_or("");
  std::vector<std::pair<std::string, std::string>> keys;
  for (size_t i = 0; i < fields && first.size() == length && second.size() == length; ++i) {
    keys.emplace_back(first.substr(i * kClkhashKeySize, kClkhashKeySize),
                      second.substr(i * kClkhashKeySize, kClkhashKeySize));
  }
  return keys;
}

std::string ClkhashSchemaJson() {
  std::string features;
  for (const SchemaField& f : PersonSchemaFields()) {
    if (f.record_bits_per_feature == 0) continue;
    std::string name = v1::EncodedField_Name(f.field).substr(strlen("ENCODED_FIELD_"));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    absl::StrAppend(&features, features.empty() ? "" : ",\n", "    {\"identifier\": \"", name,
                    "\", \"format\": {\"type\": \"string\", \"encoding\": \"utf-8\"}, "
                    "\"hashing\": {\"comparison\": {\"type\": \"ngram\", \"n\": 2}, "
                    "\"strategy\": {\"bitsPerFeature\": ",
                    f.record_bits_per_feature,
                    "}, \"hash\": {\"type\": \"doubleHash\", \"prevent_singularity\": true}}}");
  }
  return absl::StrCat("{\n  \"version\": 3,\n  \"clkConfig\": {\"l\": ", kRecordFilterBits,
                      ", \"kdf\": {\"type\": \"HKDF\", \"hash\": \"SHA256\", \"salt\": \"",
                      absl::Base64Escape(kClkhashKdfSalt), "\", \"info\": \"",
                      absl::Base64Escape(kClkhashKdfInfo), "\", \"keySize\": ", kClkhashKeySize,
                      "}},\n  \"features\": [\n", features, "\n  ]\n}\n");
}

Anonymiser::Anonymiser(const LinkageKey& key) : fingerprint_(key.Fingerprint()) {
  token_hashes_.resize(kMaxTokenKind + 1);
  for (int kind = 1; kind <= kMaxTokenKind; ++kind) {
    // A lone given name's Soundex is keyed as a family name's, so the hub can compare the two.
    const int key_kind =
        kind == v1::TOKEN_KIND_SOLE_NAME_PHONETIC ? v1::TOKEN_KIND_FAMILY_NAME_PHONETIC : kind;
    token_hashes_[kind] = std::make_unique<KeyedHash>(
        KeyedHash::Algorithm::kSha256,
        key.DeriveKey(absl::StrCat("token/", v1::TokenKind_Name(key_kind))));
  }
  size_t record_fields = 0;
  for (const SchemaField& f : PersonSchemaFields()) record_fields += f.record_bits_per_feature > 0;
  const std::vector<std::pair<std::string, std::string>> clk_keys =
      ClkhashFieldKeys(ClkhashMasterSecrets(key), record_fields);
  size_t record_index = 0;
  for (size_t i = 0; i < PersonSchemaFields().size(); ++i) {
    const SchemaField& f = PersonSchemaFields()[i];
    const std::string name = v1::EncodedField_Name(f.field);
    // Separate keys for a field's own filter and its part of the record filter, so the bits one
    // field contributes to the record filter cannot be read off its own filter.
    field_encoders_.push_back(std::make_unique<BloomFieldEncoder>(
        BloomFieldSpec{2, f.filter_bits_per_feature, true},
        key.DeriveKey(absl::StrCat("bloom/field/", name, "/sha1"), 64),
        key.DeriveKey(absl::StrCat("bloom/field/", name, "/md5"), 64)));
    if (f.record_bits_per_feature == 0) {
      record_encoders_.push_back(nullptr);
      continue;
    }
    const auto& [sha1_key, md5_key] = clk_keys[record_index++];
    record_encoders_.push_back(std::make_unique<BloomFieldEncoder>(
        BloomFieldSpec{2, f.record_bits_per_feature, true}, sha1_key, md5_key));
  }
}

void Anonymiser::AddToken(v1::TokenKind kind, absl::string_view value,
                          v1::AnonymisedIdentity* out) {
  if (value.empty()) return;
  v1::IdentifierToken* token = out->add_tokens();
  token->set_kind(kind);
  unsigned char digest[32];
  token_hashes_[kind]->Compute(value, digest);
  token->set_token(reinterpret_cast<const char*>(digest), sizeof(digest));
}

v1::AnonymisedIdentity Anonymiser::Anonymise(const PersonIdentifiers& person) {
  v1::AnonymisedIdentity out;
  out.set_schema_id(kSchemaId);
  out.set_key_fingerprint(fingerprint_);
  out.set_sex(person.sex);

  AddToken(v1::TOKEN_KIND_PNC_ID, person.pnc_id, &out);
  for (const std::string& phone : person.phones) AddToken(v1::TOKEN_KIND_PHONE, phone, &out);
  for (const std::string& email : person.emails) {
    AddToken(v1::TOKEN_KIND_EMAIL, email, &out);
    AddToken(v1::TOKEN_KIND_EMAIL_USER, email.substr(0, email.find('@')), &out);
  }
  for (const std::string& reg : person.vehicles) AddToken(v1::TOKEN_KIND_VEHICLE, reg, &out);
  std::string birth_year;
  if (person.date_of_birth.has_value()) {
    const CivilDate& dob = *person.date_of_birth;
    birth_year = absl::StrCat(dob.year);
    AddToken(v1::TOKEN_KIND_DATE_OF_BIRTH, IsoDate(dob), &out);
    AddToken(v1::TOKEN_KIND_BIRTH_YEAR, birth_year, &out);
    AddToken(v1::TOKEN_KIND_DATE_OF_BIRTH_DAY_MONTH_SORTED,
             IsoDate({dob.year, std::min(dob.day, dob.month), std::max(dob.day, dob.month)}), &out);
  }
  const std::string family_soundex = Soundex(person.family_name);
  AddToken(v1::TOKEN_KIND_FAMILY_NAME_PHONETIC, family_soundex, &out);
  if (!family_soundex.empty() && !birth_year.empty()) {
    AddToken(v1::TOKEN_KIND_FAMILY_NAME_PHONETIC_BIRTH_YEAR,
             absl::StrCat(family_soundex, "/", birth_year), &out);
  }
  if (!person.given_name.empty()) {
    const std::string canonical = CanonicalGivenName(person.given_name);
    AddToken(v1::TOKEN_KIND_GIVEN_NAME_CANONICAL, canonical, &out);
    AddToken(v1::TOKEN_KIND_GIVEN_NAME_PHONETIC, Soundex(canonical), &out);
  }
  if (!person.given_name.empty() && person.family_name.empty()) {
    // A lone name may be a family name typed in the forename field.
    AddToken(v1::TOKEN_KIND_SOLE_NAME_PHONETIC, Soundex(person.given_name), &out);
  }
  if (!person.given_name.empty() && !person.family_name.empty()) {
    const bool ordered = person.given_name <= person.family_name;
    AddToken(v1::TOKEN_KIND_NAMES_SORTED,
             absl::StrCat(ordered ? person.given_name : person.family_name, "|",
                          ordered ? person.family_name : person.given_name),
             &out);
  }
  if (person.postcode.has_value()) {
    AddToken(v1::TOKEN_KIND_POSTCODE_OUTWARD, person.postcode->outward, &out);
  }
  AddToken(v1::TOKEN_KIND_ADDRESS_STREET_PHONETIC, Soundex(StreetName(person.address)), &out);
  AddToken(v1::TOKEN_KIND_BIRTH_PLACE, person.birth_place, &out);
  AddToken(v1::TOKEN_KIND_OCCUPATION, person.occupation, &out);

  std::string record_filter(kRecordFilterBits / 8, '\0');
  bool any_fuzzy = false;
  const std::vector<SchemaField>& fields = PersonSchemaFields();
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string value = FieldValue(person, fields[i].field);
    if (value.empty()) continue;  // missing values are absent, neither agreeing nor disagreeing
    any_fuzzy = true;
    std::string filter(fields[i].filter_bits / 8, '\0');
    field_encoders_[i]->Encode(value, &filter);
    v1::FieldEncoding* encoding = out.add_encodings();
    encoding->set_field(fields[i].field);
    encoding->set_bloom_filter(std::move(filter));
    if (record_encoders_[i] != nullptr) record_encoders_[i]->Encode(value, &record_filter);
  }
  if (any_fuzzy) {
    v1::FieldEncoding* encoding = out.add_encodings();
    encoding->set_field(v1::ENCODED_FIELD_RECORD);
    encoding->set_bloom_filter(std::move(record_filter));
  }
  return out;
}

}  // namespace crossforce::client
