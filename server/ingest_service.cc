#include "server/ingest_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "server/record_convert.h"
#include "server/status_util.h"

namespace crossforce {
namespace {

void Count(v1::IngestOutcome outcome, v1::IngestCounts* counts) {
  counts->set_received(counts->received() + 1);
  switch (outcome) {
    case v1::INGEST_OUTCOME_CREATED:
      counts->set_created(counts->created() + 1);
      break;
    case v1::INGEST_OUTCOME_REPLACED:
      counts->set_replaced(counts->replaced() + 1);
      break;
    case v1::INGEST_OUTCOME_UNCHANGED:
      counts->set_unchanged(counts->unchanged() + 1);
      break;
    case v1::INGEST_OUTCOME_STALE:
      counts->set_stale(counts->stale() + 1);
      break;
    default:
      counts->set_rejected(counts->rejected() + 1);
      break;
  }
}

// The key and version as sent, whichever kind the record is.
void EchoKey(const v1::Record& record, v1::RecordResult* result) {
  if (record.has_incident()) {
    result->set_kind(v1::RECORD_KIND_INCIDENT);
    *result->mutable_key() = record.incident().key();
    result->set_version(record.incident().version());
  } else if (record.has_order()) {
    result->set_kind(v1::RECORD_KIND_ORDER);
    *result->mutable_key() = record.order().key();
    result->set_version(record.order().version());
  }
}

absl::StatusOr<RecordId> RecordIdFromRequest(v1::RecordKind kind, const v1::RecordKey& key) {
  const std::optional<RecordKind> engine_kind = FromProto(kind);
  if (!engine_kind.has_value()) {
    return absl::InvalidArgumentError("kind: must be RECORD_KIND_INCIDENT or RECORD_KIND_ORDER");
  }
  return RecordId{*engine_kind, FromProto(key)};
}

}  // namespace

IngestServiceImpl::IngestServiceImpl(Engine* engine, AccessPolicy* policy, IngestLimits limits,
                                     ServerInfo info)
    : engine_(engine), policy_(policy), limits_(limits), info_(std::move(info)) {}

absl::Status IngestServiceImpl::IngestBatch(
    google::protobuf::RepeatedPtrField<v1::Record>& records, uint64_t first_index,
    google::protobuf::RepeatedPtrField<v1::RecordResult>* results, v1::IngestCounts* counts) {
  std::vector<Record> converted;
  std::vector<int> converted_at;  // position in `records` of each converted record
  converted.reserve(records.size());
  const int base = results->size();
  for (int i = 0; i < records.size(); ++i) {
    v1::RecordResult* result = results->Add();
    result->set_index(first_index + i);
    EchoKey(records[i], result);
    std::vector<FieldViolation> violations;
    std::optional<Record> record = TakeFromProto(records[i], &violations);
    if (!record.has_value()) {
      result->set_outcome(v1::INGEST_OUTCOME_REJECTED);
      for (const FieldViolation& v : violations) ToProto(v, result->add_violations());
      continue;
    }
    converted.push_back(std::move(*record));
    converted_at.push_back(i);
  }
  if (!converted.empty()) {
    absl::StatusOr<std::vector<WriteResult>> written = engine_->Ingest(std::move(converted));
    if (!written.ok()) {
      results->DeleteSubrange(base, records.size());
      return written.status();
    }
    for (size_t j = 0; j < written->size(); ++j) {
      const WriteResult& w = (*written)[j];
      v1::RecordResult* result = results->Mutable(base + converted_at[j]);
      result->set_outcome(ToIngestOutcome(w.outcome));
      result->set_stored_version(w.stored_version);
      for (const FieldViolation& v : w.violations) ToProto(v, result->add_violations());
    }
  }
  for (int i = base; i < results->size(); ++i) Count(results->Get(i).outcome(), counts);
  return absl::OkStatus();
}

grpc::Status IngestServiceImpl::StreamIngest(grpc::ServerContext* context,
                                             grpc::ServerReader<v1::StreamIngestRequest>* reader,
                                             v1::StreamIngestResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kWriteRecords, "", nullptr});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  v1::StreamIngestRequest request;
  uint64_t received = 0;
  while (reader->Read(&request)) {
    const size_t n = request.records_size();
    if (n > limits_.max_records_per_message) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("stream message ", "with ", n, " records exceeds the limit of ",
                       limits_.max_records_per_message, " records per message; the ", received,
                       " records before it were processed"));
    }
    if (received + n > limits_.max_records_per_stream) {
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("stream exceeds the limit of ", limits_.max_records_per_stream,
                       " records per stream; the ", received,
                       " records before this message were processed: send the rest in a new "
                       "stream (resending is harmless)"));
    }
    const absl::Status status =
        IngestBatch(*request.mutable_records(), received, response->mutable_results(),
                    response->mutable_counts());
    if (!status.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                          absl::StrCat(status.message(), "; records from stream position ",
                                       received, " on were not acknowledged"));
    }
    received += n;
  }
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled");
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::BatchUpsertRecords(grpc::ServerContext* context,
                                                   const v1::BatchUpsertRecordsRequest* request,
                                                   v1::BatchUpsertRecordsResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kWriteRecords, "", nullptr});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (static_cast<size_t>(request->records_size()) > limits_.max_records_per_message) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("batch of ", request->records_size(), " records exceeds the limit of ",
                     limits_.max_records_per_message, " records per request"));
  }
  // The request is const; ingest consumes a copy of its records.
  google::protobuf::RepeatedPtrField<v1::Record> records = request->records();
  return ToGrpcStatus(
      IngestBatch(records, 0, response->mutable_results(), response->mutable_counts()));
}

grpc::Status IngestServiceImpl::DeleteRecord(grpc::ServerContext* context,
                                             const v1::DeleteRecordRequest* request,
                                             v1::DeleteRecordResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kDeleteRecord, request->key().force_code()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<RecordId> id = RecordIdFromRequest(request->kind(), request->key());
  if (!id.ok()) return ToGrpcStatus(id.status());
  absl::StatusOr<WriteResult> result = engine_->Delete(*id, request->version());
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_outcome(ToDeleteOutcome(result->outcome));
  response->set_stored_version(result->stored_version);
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::GetRecord(grpc::ServerContext* context,
                                          const v1::GetRecordRequest* request,
                                          v1::GetRecordResponse* response) {
  absl::StatusOr<Caller> caller = policy_->Authorize(
      *context, {Operation::kReadRecord, request->key().force_code(), &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<RecordId> id = RecordIdFromRequest(request->kind(), request->key());
  if (!id.ok()) return ToGrpcStatus(id.status());
  absl::StatusOr<StoredRecord> stored = engine_->Get(*id);
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  if (stored->record.has_value()) *response->mutable_record() = ToProto(*stored->record);
  response->set_deleted(stored->deleted);
  response->set_stored_version(stored->version);
  *response->mutable_stored_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(stored->stored_unix_micros);
  return grpc::Status::OK;
}

grpc::Status IngestServiceImpl::GetStats(grpc::ServerContext* context,
                                         const v1::GetStatsRequest* request,
                                         v1::GetStatsResponse* response) {
  absl::StatusOr<Caller> caller =
      policy_->Authorize(*context, {Operation::kReadStats, "", &request->access()});
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const HubStats stats = engine_->Stats();
  response->set_incidents(stats.totals.incidents);
  response->set_orders(stats.totals.orders);
  response->set_tombstones(stats.totals.tombstones);
  for (const auto& [force, counts] : stats.forces) {
    v1::ForceStats* f = response->add_forces();
    f->set_force_code(force);
    f->set_incidents(counts.incidents);
    f->set_orders(counts.orders);
    f->set_tombstones(counts.tombstones);
  }
  v1::FederationInfo* federation = response->mutable_federation();
  federation->set_schema_id(stats.schema_id);
  federation->set_key_fingerprint(stats.key_fingerprint);
  if (const EncodingSchema* schema = FindEncodingSchema(stats.schema_id)) {
    for (const auto& [field, bits] : schema->field_bits) {
      (*federation->mutable_encoding_bits())[std::string(Name(field))] = bits;
    }
  }
  response->set_data_dir_bytes(stats.disk_bytes);
  response->set_linking_backlog(stats.linking_backlog);
  response->set_flags(stats.flags);
  v1::LinkerStats* linker = response->mutable_linker();
  linker->set_person_records(stats.linker.person_records);
  linker->set_entities(stats.linker.entities);
  linker->set_links(stats.linker.links);
  if (stats.linker.measured_at != absl::InfinitePast()) {
    *linker->mutable_measured_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(stats.linker.measured_at));
  }
  const LinkerMemory& m = stats.linker.memory;
  v1::LinkerMemory* memory = linker->mutable_memory();
  memory->set_record_bands(m.record_bands);
  memory->set_address_bands(m.address_bands);
  memory->set_token_blocks(m.token_blocks);
  memory->set_record_filters(m.record_filters);
  memory->set_person_slots(m.person_slots);
  memory->set_key_maps(m.key_maps);
  memory->set_links(m.links);
  memory->set_entities(m.entities);
  memory->set_records_anonymous(m.records_anonymous);
  memory->set_anonymous(m.anonymous());
  memory->set_records_in_file(m.records_in_file);
  *response->mutable_start_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(info_.start_unix_micros);
  response->set_server_version(info_.version);
  return grpc::Status::OK;
}

}  // namespace crossforce
