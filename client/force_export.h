// Reads a force's export CSV (incidents or protective orders), normalises and anonymises every
// identifier, and groups the rows into wire records. A bad row never stops the run: it is reported
// with its line, column and reason and the rest is kept; a bad optional field is blanked with a
// warning. Raw identifiers exist only inside this process. Thread-compatible.
//
// Incident export columns (a contract; any order; all must be present):
//   force_code, incident_id, offence_date, offence_code, behaviours, location_district,
//   suspect_ref, suspect_given_name, suspect_family_name, suspect_dob, suspect_sex,
//   suspect_postcode, suspect_phone, suspect_email, suspect_vehicle, suspect_pnc, victim_ref,
//   victim_given_name, victim_family_name, victim_dob, victim_postcode, victim_phone, victim_email
// optional: included_offence_codes, domestic_abuse, reported_date, outcome, handling_code,
//   review_date, record_version, suspect_address, victim_address, suspect_birth_place,
//   victim_birth_place, suspect_occupation, victim_occupation
//
// Protective order export columns:
//   force_code, order_id, order_type, start_date, end_date, subject_ref, subject_given_name,
//   subject_family_name, subject_dob, subject_sex, subject_postcode, subject_phone, subject_email,
//   subject_vehicle, subject_pnc, protected_ref, protected_given_name, protected_family_name,
//   protected_dob, protected_postcode, protected_phone, protected_email
// optional: review_date, record_version, subject_address, protected_address,
//   subject_birth_place, protected_birth_place, subject_occupation, protected_occupation
#ifndef CROSSFORCE_CLIENT_FORCE_EXPORT_H_
#define CROSSFORCE_CLIENT_FORCE_EXPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/anonymiser.h"
#include "client/normalise.h"
#include "crossforce/v1/anonymised_export.pb.h"

namespace crossforce::client {

enum class ExportKind { kIncidents, kOrders };

struct ExportOptions {
  std::string force_code;               // rows of other forces are rejected
  bool ignore_unknown_columns = false;  // otherwise an unknown column is an error
  uint64_t default_version = 1;         // for rows without record_version
  CivilDate today;                      // dates after it are refused
};

// A problem with one row (rejected) or one field (blanked, warning).
struct RowIssue {
  int64_t line = 0;
  std::string record_id;  // incident_id or order_id, as read
  std::string column;
  std::string reason;
};

struct ParsedExport {
  ExportKind kind = ExportKind::kIncidents;
  std::vector<v1::ExportEntry> entries;  // one per incident or order
  std::vector<RowIssue> rejects;
  std::vector<RowIssue> warnings;
  int64_t rows_read = 0;
};

// The kind of export whose header is `header`: orders when it has order_id.
ExportKind DetectExportKind(const std::vector<std::string>& header);

// Reads `path`. Errors only for what makes the whole file unusable (cannot be read, a required
// column is missing, an unknown column without ignore_unknown_columns); everything else is a
// RowIssue.
absl::StatusOr<ParsedExport> ReadForceExport(const std::string& path, const ExportOptions& options,
                                             Anonymiser& anonymiser);

// Writes issues as CSV: line,record_id,column,reason.
absl::Status WriteRejects(const std::string& path, const std::vector<RowIssue>& rejects);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_FORCE_EXPORT_H_
