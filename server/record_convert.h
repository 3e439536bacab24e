// Translation between the wire contract (crossforce.v1 messages) and the engine's record types. The
// proto-to-engine direction reports what cannot be represented (no record kind set, enum numbers
// out of range) as field violations and leaves value checks to the engine's validator. Thread-safe
// (pure).
#ifndef CROSSFORCE_SERVER_RECORD_CONVERT_H_
#define CROSSFORCE_SERVER_RECORD_CONVERT_H_

#include <optional>
#include <vector>

#include "crossforce/v1/ingest_service.pb.h"
#include "crossforce/v1/records.pb.h"
#include "engine/record_codec.h"
#include "engine/record_validator.h"
#include "engine/record_writer.h"
#include "engine/records.h"

namespace crossforce {

// The engine record for `proto`, or nullopt with the reasons in `violations`.
std::optional<Record> FromProto(const v1::Record& proto, std::vector<FieldViolation>* violations);
// As FromProto, but moves the message's strings out instead of copying them; `proto` is left
// valid but emptied of them.
std::optional<Record> TakeFromProto(v1::Record& proto, std::vector<FieldViolation>* violations);

RecordKey FromProto(const v1::RecordKey& proto);
// nullopt for RECORD_KIND_UNSPECIFIED or an unknown number.
std::optional<RecordKind> FromProto(v1::RecordKind kind);

v1::Record ToProto(const Record& record);
v1::RecordKey ToProto(const RecordKey& key);
// An unknown date becomes an absent message: callers set it only when date.known().
v1::Date DateToProto(const Date& date);
v1::RecordKind ToProto(RecordKind kind);
v1::IngestOutcome ToIngestOutcome(WriteOutcome outcome);
v1::DeleteOutcome ToDeleteOutcome(WriteOutcome outcome);
void ToProto(const FieldViolation& violation, v1::FieldViolation* out);

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_RECORD_CONVERT_H_
