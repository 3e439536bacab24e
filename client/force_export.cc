#include "client/force_export.h"

#include <fstream>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/csv.h"

namespace crossforce::client {
namespace {

const std::vector<std::string> kIncidentRequired = {
    "force_code",          "incident_id",       "offence_date",       "offence_code",
    "behaviours",          "location_district", "suspect_ref",        "suspect_given_name",
    "suspect_family_name", "suspect_dob",       "suspect_sex",        "suspect_postcode",
    "suspect_phone",       "suspect_email",     "suspect_vehicle",    "suspect_pnc",
    "victim_ref",          "victim_given_name", "victim_family_name", "victim_dob",
    "victim_postcode",     "victim_phone",      "victim_email"};
const std::vector<std::string> kIncidentOptional = {
    "included_offence_codes", "domestic_abuse",      "reported_date",      "outcome",
    "handling_code",          "review_date",         "record_version",     "suspect_address",
    "victim_address",         "suspect_birth_place", "victim_birth_place", "suspect_occupation",
    "victim_occupation"};
const std::vector<std::string> kOrderRequired = {"force_code",
                                                 "order_id",
                                                 "order_type",
                                                 "start_date",
                                                 "end_date",
                                                 "subject_ref",
                                                 "subject_given_name",
                                                 "subject_family_name",
                                                 "subject_dob",
                                                 "subject_sex",
                                                 "subject_postcode",
                                                 "subject_phone",
                                                 "subject_email",
                                                 "subject_vehicle",
                                                 "subject_pnc",
                                                 "protected_ref",
                                                 "protected_given_name",
                                                 "protected_family_name",
                                                 "protected_dob",
                                                 "protected_postcode",
                                                 "protected_phone",
                                                 "protected_email"};
const std::vector<std::string> kOrderOptional = {
    "review_date",         "record_version",        "subject_address",    "protected_address",
    "subject_birth_place", "protected_birth_place", "subject_occupation", "protected_occupation"};

// Retention review when the export gives none: seven years after the offence or order start.
constexpr int kDefaultReviewYears = 7;

// One CSV row, addressed by column name, collecting its issues.
class Row {
 public:
  Row(const absl::flat_hash_map<std::string, size_t>& columns,
      const std::vector<std::string>& fields, int64_t line, ParsedExport* out)
      : columns_(columns), fields_(fields), line_(line), out_(out) {}

  absl::string_view Get(absl::string_view column) const {
    auto it = columns_.find(column);
    if (it == columns_.end() || it->second >= fields_.size()) return "";
    return absl::StripAsciiWhitespace(fields_[it->second]);
  }

  void SetRecordId(std::string id) { record_id_ = std::move(id); }
  void Reject(absl::string_view column, std::string reason) {
    out_->rejects.push_back({line_, record_id_, std::string(column), std::move(reason)});
    rejected_ = true;
  }
  void Warn(absl::string_view column, std::string reason) {
    out_->warnings.push_back({line_, record_id_, std::string(column), std::move(reason)});
  }
  bool rejected() const { return rejected_; }
  int64_t line() const { return line_; }

 private:
  const absl::flat_hash_map<std::string, size_t>& columns_;
  const std::vector<std::string>& fields_;
  const int64_t line_;
  ParsedExport* const out_;
  std::string record_id_;
  bool rejected_ = false;
};

bool Later(const CivilDate& a, const CivilDate& b) {
  return std::tie(a.year, a.month, a.day) > std::tie(b.year, b.month, b.day);
}

void SetDate(const CivilDate& d, v1::Date* out) {
  out->set_year(d.year);
  out->set_month(d.month);
  out->set_day(d.day);
}

// A required date: rejects the row when missing or malformed.
std::optional<CivilDate> RequiredDate(Row& row, absl::string_view column, const CivilDate& today) {
  const absl::string_view text = row.Get(column);
  if (text.empty()) {
    row.Reject(column, "is required");
    return std::nullopt;
  }
  absl::StatusOr<CivilDate> date = ParseDate(text);
  if (!date.ok()) {
    row.Reject(column, std::string(date.status().message()));
    return std::nullopt;
  }
  if (Later(*date, today)) {
    row.Reject(column, absl::StrCat(IsoDate(*date), " is in the future"));
    return std::nullopt;
  }
  return *date;
}

// An optional date: blanked with a warning when malformed.
std::optional<CivilDate> OptionalDate(Row& row, absl::string_view column) {
  const absl::string_view text = row.Get(column);
  if (text.empty()) return std::nullopt;
  absl::StatusOr<CivilDate> date = ParseDate(text);
  if (!date.ok()) {
    row.Warn(column, absl::StrCat(date.status().message(), "; left blank"));
    return std::nullopt;
  }
  return *date;
}

// Parses `text` as a value of a proto enum whose names are PREFIX_VALUE: "stalking" and
// "STALKING" and "OFFENCE_CODE_STALKING" all name OFFENCE_CODE_STALKING.
template <typename Enum>
std::optional<Enum> ParseEnum(absl::string_view text, absl::string_view prefix,
                              bool (*parse)(const std::string&, Enum*)) {
  std::string name = absl::AsciiStrToUpper(text);
  for (char& c : name) {
    if (c == ' ' || c == '-') c = '_';
  }
  Enum value;
  if (parse(absl::StrCat(prefix, name), &value) || parse(name, &value)) {
    if (static_cast<int>(value) != 0) return value;
  }
  return std::nullopt;
}

std::optional<bool> ParseBool(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "true" || t == "yes" || t == "y" || t == "1") return true;
  if (t == "false" || t == "no" || t == "n" || t == "0") return false;
  return std::nullopt;
}

v1::Sex ParseSex(Row& row, absl::string_view column) {
  const std::string t = absl::AsciiStrToUpper(row.Get(column));
  if (t.empty() || t == "U" || t == "UNKNOWN" || t == "NOT KNOWN") return v1::SEX_UNSPECIFIED;
  if (t == "F" || t == "FEMALE") return v1::SEX_FEMALE;
  if (t == "M" || t == "MALE") return v1::SEX_MALE;
  if (t == "X" || t == "O" || t == "OTHER") return v1::SEX_OTHER;
  row.Warn(column,
           absl::StrCat("'", row.Get(column), "' is not a sex code (M, F, X, U); left blank"));
  return v1::SEX_UNSPECIFIED;
}

// Normalises one optional identifier column with `normalise`; malformed values are blanked.
template <typename T>
std::optional<T> OptionalField(Row& row, absl::string_view column,
                               absl::StatusOr<T> (*normalise)(absl::string_view)) {
  const absl::string_view text = row.Get(column);
  if (text.empty()) return std::nullopt;
  absl::StatusOr<T> value = normalise(text);
  if (!value.ok()) {
    row.Warn(column, absl::StrCat(value.status().message(), "; left blank"));
    return std::nullopt;
  }
  return *std::move(value);
}

// The identifiers of the person whose columns start with `prefix` ("suspect_", "victim_", ...).
PersonIdentifiers ReadPerson(Row& row, const std::string& prefix) {
  PersonIdentifiers p;
  p.given_name = NormaliseName(row.Get(prefix + "given_name"));
  p.family_name = NormaliseName(row.Get(prefix + "family_name"));
  p.date_of_birth = OptionalDate(row, prefix + "dob");
  p.postcode = OptionalField<Postcode>(row, prefix + "postcode", &NormalisePostcode);
  p.address = NormaliseAddress(row.Get(prefix + "address"));
  p.birth_place = NormalisePlaceName(row.Get(prefix + "birth_place"));
  p.occupation = NormaliseOccupation(row.Get(prefix + "occupation"));
  p.sex = ParseSex(row, prefix + "sex");
  if (auto pnc = OptionalField<std::string>(row, prefix + "pnc", &NormalisePncId)) p.pnc_id = *pnc;
  if (auto phone = OptionalField<std::string>(row, prefix + "phone", &NormalisePhone)) {
    p.phones.push_back(*phone);
  }
  if (auto email = OptionalField<std::string>(row, prefix + "email", &NormaliseEmail)) {
    p.emails.push_back(*email);
  }
  if (auto reg = OptionalField<std::string>(row, prefix + "vehicle", &NormaliseVehicle)) {
    p.vehicles.push_back(*reg);
  }
  return p;
}

bool HasAnyIdentifier(const PersonIdentifiers& p) {
  return !p.given_name.empty() || !p.family_name.empty() || p.date_of_birth.has_value() ||
         p.postcode.has_value() || !p.address.empty() || !p.pnc_id.empty() || !p.phones.empty() ||
         !p.emails.empty() || !p.vehicles.empty();
}

// The party for the `prefix` person of the row, or nullopt when the row names none.
std::optional<v1::Party> ReadParty(Row& row, const std::string& prefix, v1::PartyRole role,
                                   Anonymiser& anonymiser) {
  const absl::string_view ref = row.Get(prefix + "ref");
  const PersonIdentifiers person = ReadPerson(row, prefix);
  const bool identified = HasAnyIdentifier(person);
  if (ref.empty()) {
    if (identified) row.Reject(prefix + "ref", "is required when the person's details are given");
    return std::nullopt;
  }
  if (ref.size() > 64) {
    row.Reject(prefix + "ref", "is longer than 64 characters");
    return std::nullopt;
  }
  v1::Party party;
  party.set_nominal_ref(std::string(ref));
  if (!identified && role == v1::PARTY_ROLE_SUSPECT) {
    party.set_role(v1::PARTY_ROLE_UNKNOWN_SUSPECT);
    return party;
  }
  party.set_role(role);
  *party.mutable_identity() = anonymiser.Anonymise(person);
  return party;
}

uint64_t RecordVersion(Row& row, uint64_t default_version) {
  const absl::string_view text = row.Get("record_version");
  if (text.empty()) return default_version;
  uint64_t version = 0;
  if (!absl::SimpleAtoi(text, &version) || version == 0) {
    row.Reject("record_version", absl::StrCat("'", text, "' is not a positive whole number"));
    return 0;
  }
  return version;
}

void CheckForce(Row& row, const ExportOptions& options) {
  const absl::string_view force = row.Get("force_code");
  if (force.empty()) {
    row.Reject("force_code", "is required");
  } else if (force != options.force_code) {
    row.Reject("force_code", absl::StrCat("'", force, "' is not this export's force '",
                                          options.force_code, "' (--force)"));
  }
}

CivilDate AddYears(CivilDate d, int years) {
  d.year += years;
  if (d.month == 2 && d.day == 29) d.day = 28;
  return d;
}

// Keeps the first row's value of an incident-level field and warns when a later row differs.
void CheckSame(Row& row, absl::string_view column, const std::string& first, int64_t first_line) {
  const absl::string_view value = row.Get(column);
  if (value != first) {
    row.Warn(column, absl::StrCat("'", value, "' differs from line ", first_line, " ('", first,
                                  "') of the same record; the first is kept"));
  }
}

struct IncidentBuild {
  v1::ExportEntry entry;
  int64_t first_line = 0;
  std::map<std::string, std::string> first_values;  // incident-level columns of the first row
  std::set<std::string> suspects, victims;          // refs already added
};

void ReadIncidentRow(Row& row, const ExportOptions& options, Anonymiser& anonymiser,
                     std::map<std::string, IncidentBuild>& incidents,
                     std::vector<std::string>& order) {
  const std::string id(row.Get("incident_id"));
  row.SetRecordId(id);
  CheckForce(row, options);
  if (id.empty()) row.Reject("incident_id", "is required");
  if (id.size() > 64) row.Reject("incident_id", "is longer than 64 characters");
  auto existing = incidents.find(id);
  const bool first_row = existing == incidents.end() || existing->second.first_line == 0;

  const std::optional<v1::Party> suspect =
      ReadParty(row, "suspect_", v1::PARTY_ROLE_SUSPECT, anonymiser);
  const std::optional<v1::Party> victim =
      ReadParty(row, "victim_", v1::PARTY_ROLE_VICTIM, anonymiser);
  if (!suspect.has_value() && !victim.has_value() && !row.rejected()) {
    row.Reject("suspect_ref", "the row names neither a suspect nor a victim");
  }

  if (!first_row) {
    IncidentBuild& build = existing->second;
    for (const auto& [column, value] : build.first_values) {
      CheckSame(row, column, value, build.first_line);
    }
    if (row.rejected()) return;
    v1::IncidentRecord* x = build.entry.mutable_record()->mutable_incident();
    if (suspect.has_value() && build.suspects.insert(suspect->nominal_ref()).second) {
      *x->add_parties() = *suspect;
    }
    if (victim.has_value() && build.victims.insert(victim->nominal_ref()).second) {
      *x->add_parties() = *victim;
    }
    build.entry.add_source_lines(row.line());
    return;
  }

  v1::IncidentRecord x;
  x.mutable_key()->set_force_code(options.force_code);
  x.mutable_key()->set_record_id(id);
  x.set_version(RecordVersion(row, options.default_version));
  const std::optional<CivilDate> offence = RequiredDate(row, "offence_date", options.today);
  if (offence.has_value()) SetDate(*offence, x.mutable_offence_date());
  if (const std::optional<CivilDate> reported = OptionalDate(row, "reported_date")) {
    if (offence.has_value() && Later(*offence, *reported)) {
      row.Warn("reported_date", "is before offence_date; left blank");
    } else {
      SetDate(*reported, x.mutable_reported_date());
    }
  }
  const absl::string_view code = row.Get("offence_code");
  if (code.empty()) {
    row.Reject("offence_code", "is required");
  } else if (auto parsed =
                 ParseEnum<v1::OffenceCode>(code, "OFFENCE_CODE_", &v1::OffenceCode_Parse)) {
    x.set_main_offence(*parsed);
  } else {
    row.Reject("offence_code", absl::StrCat("'", code, "' is not a known offence code"));
  }
  for (absl::string_view c :
       absl::StrSplit(row.Get("included_offence_codes"), ';', absl::SkipWhitespace())) {
    c = absl::StripAsciiWhitespace(c);
    if (auto parsed = ParseEnum<v1::OffenceCode>(c, "OFFENCE_CODE_", &v1::OffenceCode_Parse)) {
      if (*parsed != x.main_offence() &&
          std::find(x.included_offences().begin(), x.included_offences().end(), *parsed) ==
              x.included_offences().end()) {
        x.add_included_offences(*parsed);
      }
    } else {
      row.Warn("included_offence_codes",
               absl::StrCat("'", c, "' is not a known offence code; dropped"));
    }
  }
  for (absl::string_view b : absl::StrSplit(row.Get("behaviours"), ';', absl::SkipWhitespace())) {
    b = absl::StripAsciiWhitespace(b);
    if (auto parsed = ParseEnum<v1::Behaviour>(b, "BEHAVIOUR_", &v1::Behaviour_Parse)) {
      if (std::find(x.behaviours().begin(), x.behaviours().end(), *parsed) ==
          x.behaviours().end()) {
        x.add_behaviours(*parsed);
      }
    } else {
      row.Warn("behaviours", absl::StrCat("'", b, "' is not a known behaviour; dropped"));
    }
  }
  if (const absl::string_view da = row.Get("domestic_abuse"); !da.empty()) {
    if (auto parsed = ParseBool(da)) {
      x.set_domestic_abuse(*parsed);
    } else {
      row.Warn("domestic_abuse", absl::StrCat("'", da, "' is not true or false; left false"));
    }
  }
  if (const absl::string_view district = row.Get("location_district"); !district.empty()) {
    // A full postcode is reduced to its district: the hub holds coarse locations only.
    std::string d = absl::AsciiStrToUpper(district);
    d.erase(std::remove(d.begin(), d.end(), ' '), d.end());
    if (absl::StatusOr<Postcode> full = NormalisePostcode(d); full.ok()) {
      x.set_location_district(full->outward);
    } else if (absl::StatusOr<Postcode> padded = NormalisePostcode(d + "1AA"); padded.ok()) {
      x.set_location_district(padded->outward);
    } else {
      row.Warn("location_district",
               absl::StrCat("'", district, "' is not a postcode district; left blank"));
    }
  }
  if (const absl::string_view outcome = row.Get("outcome"); !outcome.empty()) {
    if (auto parsed = ParseEnum<v1::Outcome>(outcome, "OUTCOME_", &v1::Outcome_Parse)) {
      x.set_outcome(*parsed);
    } else {
      row.Warn("outcome", absl::StrCat("'", outcome, "' is not a known outcome; left blank"));
    }
  }
  if (const absl::string_view handling = row.Get("handling_code"); !handling.empty()) {
    if (auto parsed =
            ParseEnum<v1::HandlingCode>(handling, "HANDLING_CODE_", &v1::HandlingCode_Parse)) {
      x.set_handling_code(*parsed);
    } else {
      row.Warn("handling_code", absl::StrCat("'", handling, "' is not P or C; left blank"));
    }
  }
  std::optional<CivilDate> review = OptionalDate(row, "review_date");
  if (!review.has_value() && offence.has_value()) review = AddYears(*offence, kDefaultReviewYears);
  if (review.has_value()) SetDate(*review, x.mutable_review_date());
  if (row.rejected()) return;

  IncidentBuild& build = incidents[id];
  build.first_line = row.line();
  for (const char* column : {"offence_date", "offence_code", "included_offence_codes", "behaviours",
                             "domestic_abuse", "location_district", "reported_date", "outcome",
                             "handling_code", "review_date", "record_version"}) {
    build.first_values[column] = std::string(row.Get(column));
  }
  if (suspect.has_value()) {
    build.suspects.insert(suspect->nominal_ref());
    *x.add_parties() = *suspect;
  }
  if (victim.has_value()) {
    build.victims.insert(victim->nominal_ref());
    *x.add_parties() = *victim;
  }
  *build.entry.mutable_record()->mutable_incident() = std::move(x);
  build.entry.add_source_lines(row.line());
  order.push_back(id);
}

void ReadOrderRow(Row& row, const ExportOptions& options, Anonymiser& anonymiser,
                  std::set<std::string>& seen, ParsedExport& out) {
  const std::string id(row.Get("order_id"));
  row.SetRecordId(id);
  CheckForce(row, options);
  if (id.empty()) row.Reject("order_id", "is required");
  if (!id.empty() && !seen.insert(id).second) {
    row.Reject("order_id", "appears on an earlier row; one row per order");
  }
  v1::ProtectiveOrder o;
  o.mutable_key()->set_force_code(options.force_code);
  o.mutable_key()->set_record_id(id);
  o.set_version(RecordVersion(row, options.default_version));
  const absl::string_view type = row.Get("order_type");
  static const std::map<std::string, v1::OrderType> kShort = {
      {"SPO", v1::ORDER_TYPE_STALKING_PROTECTION_ORDER},
      {"ISPO", v1::ORDER_TYPE_INTERIM_STALKING_PROTECTION_ORDER},
      {"RO", v1::ORDER_TYPE_RESTRAINING_ORDER},
      {"NMO", v1::ORDER_TYPE_NON_MOLESTATION_ORDER},
      {"DVPO", v1::ORDER_TYPE_DOMESTIC_VIOLENCE_PROTECTION_ORDER}};
  if (auto it = kShort.find(absl::AsciiStrToUpper(type)); it != kShort.end()) {
    o.set_order_type(it->second);
  } else if (auto parsed = ParseEnum<v1::OrderType>(type, "ORDER_TYPE_", &v1::OrderType_Parse)) {
    o.set_order_type(*parsed);
  } else {
    row.Reject("order_type", type.empty() ? std::string("is required")
                                          : absl::StrCat("'", type, "' is not a known order type"));
  }
  const std::optional<CivilDate> start = RequiredDate(row, "start_date", options.today);
  if (start.has_value()) SetDate(*start, o.mutable_start_date());
  if (const std::optional<CivilDate> end = OptionalDate(row, "end_date")) {
    if (start.has_value() && Later(*start, *end)) {
      row.Reject("end_date", "is before start_date");
    } else {
      SetDate(*end, o.mutable_end_date());
    }
  }
  if (std::optional<v1::Party> subject =
          ReadParty(row, "subject_", v1::PARTY_ROLE_SUSPECT, anonymiser)) {
    if (subject->role() == v1::PARTY_ROLE_UNKNOWN_SUSPECT) {
      row.Reject("subject_ref", "the order's subject must be identified");
    }
    *o.mutable_subject() = *subject;
  } else if (!row.rejected()) {
    row.Reject("subject_ref", "is required");
  }
  if (std::optional<v1::Party> protected_person =
          ReadParty(row, "protected_", v1::PARTY_ROLE_VICTIM, anonymiser)) {
    *o.mutable_protected_person() = *protected_person;
  }
  std::optional<CivilDate> review = OptionalDate(row, "review_date");
  if (!review.has_value() && start.has_value()) review = AddYears(*start, kDefaultReviewYears);
  if (review.has_value()) SetDate(*review, o.mutable_review_date());
  if (row.rejected()) return;
  v1::ExportEntry entry;
  *entry.mutable_record()->mutable_order() = std::move(o);
  entry.add_source_lines(row.line());
  out.entries.push_back(std::move(entry));
}

}  // namespace

ExportKind DetectExportKind(const std::vector<std::string>& header) {
  for (const std::string& column : header) {
    if (absl::StripAsciiWhitespace(column) == "order_id") return ExportKind::kOrders;
  }
  return ExportKind::kIncidents;
}

absl::StatusOr<ParsedExport> ReadForceExport(const std::string& path, const ExportOptions& options,
                                             Anonymiser& anonymiser) {
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::vector<std::string> fields;
  int64_t line = 0;
  absl::StatusOr<bool> has_header = (*reader)->Next(&fields, &line);
  if (!has_header.ok()) return has_header.status();
  if (!*has_header) return absl::InvalidArgumentError(absl::StrCat(path, " is empty"));

  ParsedExport out;
  out.kind = DetectExportKind(fields);
  const auto& required = out.kind == ExportKind::kOrders ? kOrderRequired : kIncidentRequired;
  const auto& optional = out.kind == ExportKind::kOrders ? kOrderOptional : kIncidentOptional;
  absl::flat_hash_map<std::string, size_t> columns;
  std::vector<std::string> unknown;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(fields[i]));
    if (!columns.emplace(name, i).second) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": column ", name, " appears twice"));
    }
    if (std::find(required.begin(), required.end(), name) == required.end() &&
        std::find(optional.begin(), optional.end(), name) == optional.end()) {
      unknown.push_back(name);
    }
  }
  std::vector<std::string> missing;
  for (const std::string& name : required) {
    if (!columns.contains(name)) missing.push_back(name);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": missing required column(s): ", absl::StrJoin(missing, ", ")));
  }
  if (!unknown.empty() && !options.ignore_unknown_columns) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": unknown column(s): ", absl::StrJoin(unknown, ", "),
                     " (pass --ignore-unknown-columns to skip them)"));
  }

  std::map<std::string, IncidentBuild> incidents;
  std::vector<std::string> incident_order;
  std::set<std::string> order_ids;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&fields, &line);
    if (!more.ok()) {
      // An unterminated quote swallows the rest of the file: report it as that row's problem.
      out.rejects.push_back({line, "", "", std::string(more.status().message())});
      break;
    }
    if (!*more) break;
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    ++out.rows_read;
    Row row(columns, fields, line, &out);
    if (fields.size() != columns.size()) {
      row.Reject("",
                 absl::StrCat("has ", fields.size(), " fields; the header has ", columns.size()));
      continue;
    }
    if (out.kind == ExportKind::kOrders) {
      ReadOrderRow(row, options, anonymiser, order_ids, out);
    } else {
      ReadIncidentRow(row, options, anonymiser, incidents, incident_order);
    }
  }
  for (const std::string& id : incident_order) {
    v1::ExportEntry& entry = incidents[id].entry;
    entry.set_source_file(path);
    out.entries.push_back(std::move(entry));
  }
  for (v1::ExportEntry& entry : out.entries) entry.set_source_file(path);
  return out;
}

absl::Status WriteRejects(const std::string& path, const std::vector<RowIssue>& rejects) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  out << "line,record_id,column,reason\n";
  for (const RowIssue& r : rejects) {
    out << CsvRow({std::to_string(r.line), r.record_id, r.column, r.reason}) << "\n";
  }
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("could not write ", path));
  return absl::OkStatus();
}

}  // namespace crossforce::client
