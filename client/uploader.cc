#include "client/uploader.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace crossforce::client {

bool IsTransient(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::ABORTED;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(const HubConnection& hub) {
  if (hub.address.empty() || hub.address.find(':') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--server must be HOST:PORT, not '", hub.address, "'"));
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (hub.insecure) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!hub.ca_file.empty()) {
      std::ifstream in(hub.ca_file);
      if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read CA file ", hub.ca_file));
      std::stringstream pem;
      pem << in.rdbuf();
      ssl.pem_root_certs = pem.str();
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(hub.address, credentials, args);
}

namespace {

// One stream of records[begin, end); fills results[begin, end).
grpc::Status SendStream(v1::IngestService::StubInterface& stub,
                        const std::vector<const v1::Record*>& records, size_t begin, size_t end,
                        const UploadOptions& options, std::vector<v1::RecordResult>& results) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options.call_timeout));
  v1::StreamIngestResponse response;
  std::unique_ptr<grpc::ClientWriterInterface<v1::StreamIngestRequest>> writer =
      stub.StreamIngest(&context, &response);
  for (size_t i = begin; i < end;) {
    v1::StreamIngestRequest request;
    const size_t stop = std::min(end, i + options.records_per_message);
    for (; i < stop; ++i) *request.add_records() = *records[i];
    if (!writer->Write(request)) break;  // the hub ended the call; Finish says why
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return status;
  if (static_cast<size_t>(response.results_size()) != end - begin) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        absl::StrCat("the hub answered ", response.results_size(), " results for ",
                                     end - begin, " records"));
  }
  for (v1::RecordResult& result : *response.mutable_results()) {
    const uint64_t at = begin + result.index();
    result.set_index(at);
    results[at] = std::move(result);
  }
  return grpc::Status::OK;
}

}  // namespace

absl::StatusOr<std::vector<v1::RecordResult>> UploadRecords(
    v1::IngestService::StubInterface& stub, const std::vector<const v1::Record*>& records,
    const UploadOptions& options, const ProgressCallback& progress) {
  std::vector<v1::RecordResult> results(records.size());
  size_t stream_size = std::max(1, options.records_per_stream);
  for (size_t begin = 0; begin < records.size();) {
    const size_t end = std::min(records.size(), begin + stream_size);
    absl::Duration backoff = options.first_backoff;
    grpc::Status status;
    for (int attempt = 1;; ++attempt) {
      status = SendStream(stub, records, begin, end, options, results);
      if (status.ok()) break;
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && end - begin > 1) {
        break;  // the hub's limits are lower than ours: retry with smaller streams below
      }
      if (!IsTransient(status.error_code()) || attempt >= options.max_attempts) {
        return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                            absl::StrCat("hub ", status.error_message(), " (after ", attempt,
                                         attempt == 1 ? " attempt)" : " attempts)"));
      }
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
      backoff = std::min(backoff * 2, options.max_backoff);
    }
    if (!status.ok()) {
      stream_size = std::max<size_t>(1, (end - begin) / 2);
      continue;
    }
    begin = end;
    if (progress) progress(begin, records.size());
  }
  return results;
}

}  // namespace crossforce::client
