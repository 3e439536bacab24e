#include "engine/byte_codec.h"

namespace crossforce {
namespace {

absl::Status Truncated(absl::string_view what) {
  return absl::DataLossError(std::string("stored value is truncated or corrupt: ") +
                             std::string(what));
}

}  // namespace

void ByteWriter::PutVarint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ByteWriter::PutSignedVarint(int64_t v) {
  PutVarint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void ByteWriter::PutString(absl::string_view s) {
  PutVarint(s.size());
  out_->append(s.data(), s.size());
}

absl::StatusOr<uint8_t> ByteReader::Byte() {
  if (in_.empty()) return Truncated("byte");
  const uint8_t b = static_cast<uint8_t>(in_.front());
  in_.remove_prefix(1);
  return b;
}

absl::StatusOr<uint64_t> ByteReader::Varint() {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) return Truncated("varint");
    const uint8_t b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return result;
  }
  return Truncated("varint too long");
}

absl::StatusOr<int64_t> ByteReader::SignedVarint() {
  absl::StatusOr<uint64_t> v = Varint();
  if (!v.ok()) return v.status();
  return static_cast<int64_t>((*v >> 1) ^ (~(*v & 1) + 1));
}

absl::StatusOr<absl::string_view> ByteReader::String() {
  absl::StatusOr<uint64_t> size = Varint();
  if (!size.ok()) return size.status();
  if (*size > in_.size()) return Truncated("string");
  absl::string_view s = in_.substr(0, *size);
  in_.remove_prefix(*size);
  return s;
}

absl::StatusOr<size_t> ByteReader::Count() {
  absl::StatusOr<uint64_t> n = Varint();
  if (!n.ok()) return n.status();
  if (*n > in_.size()) return Truncated("count");
  return static_cast<size_t>(*n);
}

void PutDate(ByteWriter& w, const Date& d) {
  w.PutSignedVarint(d.year);
  w.PutByte(static_cast<uint8_t>(d.month));
  w.PutByte(static_cast<uint8_t>(d.day));
}

absl::StatusOr<Date> GetDate(ByteReader& r) {
  absl::StatusOr<int64_t> year = r.SignedVarint();
  if (!year.ok()) return year.status();
  absl::StatusOr<uint8_t> month = r.Byte();
  if (!month.ok()) return month.status();
  absl::StatusOr<uint8_t> day = r.Byte();
  if (!day.ok()) return day.status();
  return Date{static_cast<int>(*year), *month, *day};
}

}  // namespace crossforce
