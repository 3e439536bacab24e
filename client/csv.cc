#include "client/csv.h"

#include "absl/strings/str_cat.h"

namespace crossforce::client {

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  return std::unique_ptr<CsvReader>(new CsvReader(std::move(in)));
}

absl::StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields, int64_t* line) {
  fields->clear();
  std::string raw;
  if (!std::getline(in_, raw)) return false;
  *line = next_line_++;
  if (first_) {
    first_ = false;
    if (raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);
  }
  std::string field;
  bool quoted = false;
  size_t i = 0;
  while (true) {
    if (i >= raw.size()) {
      if (quoted) {
        // A line break inside quotes belongs to the field.
        std::string more;
        if (!std::getline(in_, more)) {
          return absl::InvalidArgumentError(
              absl::StrCat("line ", *line, ": a quoted field is not closed before the end"));
        }
        ++next_line_;
        field.push_back('\n');
        raw = std::move(more);
        i = 0;
        continue;
      }
      break;
    }
    const char c = raw[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < raw.size() && raw[i + 1] == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field.push_back(c);
      }
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == ',') {
      fields->push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 == raw.size()) {
      // CRLF line end
    } else {
      field.push_back(c);
    }
    ++i;
  }
  fields->push_back(std::move(field));
  return true;
}

std::string CsvField(absl::string_view value) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvRow(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  return out;
}

}  // namespace crossforce::client
