// gRPC handlers of crossforce.v1.IngestService. Each handler authorises, converts the request to
// engine types, makes one engine call and converts back; all state lives in the engine.
// Thread-safe.
#ifndef CROSSFORCE_SERVER_INGEST_SERVICE_H_
#define CROSSFORCE_SERVER_INGEST_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "crossforce/v1/ingest_service.grpc.pb.h"
#include "engine/engine.h"
#include "server/access_policy.h"

namespace crossforce {

struct IngestLimits {
  size_t max_records_per_message = 10'000;  // records in one stream message or batch request
  // Records in one stream. Bounds the summary (about 40 bytes a record), so clients with gRPC's
  // default 4 MiB receive limit can read it.
  size_t max_records_per_stream = 50'000;
};

// Facts about the running server reported by GetStats.
struct ServerInfo {
  int64_t start_unix_micros = 0;
  std::string version;
};

class IngestServiceImpl final : public v1::IngestService::Service {
 public:
  // `engine` and `policy` must outlive the service.
  IngestServiceImpl(Engine* engine, AccessPolicy* policy, IngestLimits limits, ServerInfo info);

  grpc::Status StreamIngest(grpc::ServerContext* context,
                            grpc::ServerReader<v1::StreamIngestRequest>* reader,
                            v1::StreamIngestResponse* response) override;
  grpc::Status BatchUpsertRecords(grpc::ServerContext* context,
                                  const v1::BatchUpsertRecordsRequest* request,
                                  v1::BatchUpsertRecordsResponse* response) override;
  grpc::Status DeleteRecord(grpc::ServerContext* context, const v1::DeleteRecordRequest* request,
                            v1::DeleteRecordResponse* response) override;
  grpc::Status GetRecord(grpc::ServerContext* context, const v1::GetRecordRequest* request,
                         v1::GetRecordResponse* response) override;
  grpc::Status GetStats(grpc::ServerContext* context, const v1::GetStatsRequest* request,
                        v1::GetStatsResponse* response) override;

 private:
  // Ingests one batch whose first record has stream position `first_index`, appending one result
  // per record to `results` and adding to `counts`. Consumes the records' strings.
  absl::Status IngestBatch(google::protobuf::RepeatedPtrField<v1::Record>& records,
                           uint64_t first_index,
                           google::protobuf::RepeatedPtrField<v1::RecordResult>* results,
                           v1::IngestCounts* counts);

  Engine* const engine_;
  AccessPolicy* const policy_;
  const IngestLimits limits_;
  const ServerInfo info_;
};

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_INGEST_SERVICE_H_
