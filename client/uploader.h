// Streams anonymised records to the hub: batches of records per stream message, a bounded number of
// records per stream, a deadline on every call, and retries with exponential backoff when the hub
// is briefly unreachable (safe, as ingest is idempotent). Thread-compatible.
#ifndef CROSSFORCE_CLIENT_UPLOADER_H_
#define CROSSFORCE_CLIENT_UPLOADER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crossforce/v1/ingest_service.grpc.pb.h"
#include "grpcpp/channel.h"

namespace crossforce::client {

struct HubConnection {
  std::string address;    // HOST:PORT
  bool insecure = false;  // plaintext (loopback and tests only)
  std::string ca_file;    // PEM roots to verify the hub's certificate (default: system roots)
};

// A channel to the hub; InvalidArgument for a bad address or unreadable CA file.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const HubConnection& hub);

struct UploadOptions {
  int records_per_message = 500;
  int records_per_stream = 20'000;  // under the hub's default limit of 50,000
  absl::Duration call_timeout = absl::Minutes(2);
  int max_attempts = 6;  // per stream, for transient failures
  absl::Duration first_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(10);
};

// Called after each stream with the number of records acknowledged so far.
using ProgressCallback = std::function<void(size_t done, size_t total)>;

// Sends `records` and returns one result per record, in order (result.index is the position in
// `records`). A permanent error (wrong address, TLS, refused by policy) or transient errors beyond
// max_attempts end the upload with that status.
absl::StatusOr<std::vector<v1::RecordResult>> UploadRecords(
    v1::IngestService::StubInterface& stub, const std::vector<const v1::Record*>& records,
    const UploadOptions& options, const ProgressCallback& progress);

// Whether `code` may succeed when retried.
bool IsTransient(grpc::StatusCode code);

}  // namespace crossforce::client

#endif  // CROSSFORCE_CLIENT_UPLOADER_H_
