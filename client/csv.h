// RFC 4180 CSV: quoted fields with embedded commas, quotes and line breaks; CRLF or LF line ends; a
// UTF-8 byte order mark at the start is skipped. Thread-compatible.
#ifndef CROSSFORCE_CLIENT_CSV_H_
#define CROSSFORCE_CLIENT_CSV_H_

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace crossforce::client {

class CsvReader {
 public:
  static absl::StatusOr<std::unique_ptr<CsvReader>> Open(const std::string& path);

  // Reads the next row into `fields`; false at the end of the file. `line` is the 1-based line
  // on which the row starts. InvalidArgument for a quoted field that never ends.
  absl::StatusOr<bool> Next(std::vector<std::string>* fields, int64_t* line);

 private:
  explicit CsvReader(std::ifstream in) : in_(std::move(in)) {}

  std::ifstream in_;
  int64_t next_line_ = 1;
  bool first_ = true;
};

// `value` quoted when it holds a comma, quote or line break.
std::string CsvField(absl::string_view value);
std::string CsvRow(const std::vector<std::string>& fields);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_CSV_H_
