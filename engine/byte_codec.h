// Little helpers to write and read the engine's compact binary storage formats: varints and
// length-prefixed strings. ByteReader never reads past its input and reports truncation as
// DataLoss. Thread-compatible.
#ifndef CROSSFORCE_ENGINE_BYTE_CODEC_H_
#define CROSSFORCE_ENGINE_BYTE_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/date.h"

namespace crossforce {

class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}

  void PutByte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void PutVarint(uint64_t v);
  void PutSignedVarint(int64_t v);      // zig-zag
  void PutString(absl::string_view s);  // varint length, then bytes

 private:
  std::string* const out_;
};

class ByteReader {
 public:
  explicit ByteReader(absl::string_view in) : in_(in) {}

  absl::StatusOr<uint8_t> Byte();
  absl::StatusOr<uint64_t> Varint();
  absl::StatusOr<int64_t> SignedVarint();
  absl::StatusOr<absl::string_view> String();
  // A count of items that each take at least one byte, so a corrupt count cannot allocate wildly.
  absl::StatusOr<size_t> Count();

  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

// A date as signed-varint year, month byte, day byte (an unknown date is all zero).
void PutDate(ByteWriter& w, const Date& d);
absl::StatusOr<Date> GetDate(ByteReader& r);

}  // namespace crossforce

#endif  // CROSSFORCE_ENGINE_BYTE_CODEC_H_
