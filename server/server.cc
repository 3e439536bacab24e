#include "server/server.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/status_macros.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace crossforce {
namespace {

constexpr char kServerVersion[] = "crossforce-server 0.1.0";

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& options) {
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty();
  if (tls && options.insecure) {
    return absl::InvalidArgumentError("give either TLS files or --insecure, not both");
  }
  if (!tls) {
    if (!options.insecure) {
      return absl::InvalidArgumentError(
          "no TLS certificate given: pass --tls_cert and --tls_key, or --insecure to serve "
          "plaintext (loopback and tests only)");
    }
    return grpc::InsecureServerCredentials();
  }
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both a certificate and a key");
  }
  grpc::SslServerCredentialsOptions ssl;
  CF_ASSIGN_OR_RETURN(std::string cert, ReadFile(options.tls_cert_file, "TLS certificate"));
  CF_ASSIGN_OR_RETURN(std::string key, ReadFile(options.tls_key_file, "TLS key"));
  ssl.pem_key_cert_pairs.push_back({std::move(key), std::move(cert)});
  if (!options.tls_client_ca_file.empty()) {
    CF_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(options.tls_client_ca_file, "client CA"));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

int64_t NowUnixMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  if (options.engine.data_dir.empty())
    return absl::InvalidArgumentError("a data directory is required");
  if (options.listen_address.empty())
    return absl::InvalidArgumentError("a listen address is required");
  if (options.limits.max_records_per_message == 0 || options.limits.max_records_per_stream == 0) {
    return absl::InvalidArgumentError("record limits must be positive");
  }
  if (options.max_message_bytes <= 0 || options.max_threads < 2) {
    return absl::InvalidArgumentError("max_message_bytes must be positive and max_threads >= 2");
  }
  CF_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, Credentials(options));

  std::unique_ptr<Server> server(new Server());
  CF_ASSIGN_OR_RETURN(server->engine_, Engine::Open(options.engine));
  server->policy_ = NewOpenAccessPolicy();
  server->ingest_service_ = std::make_unique<IngestServiceImpl>(
      server->engine_.get(), server->policy_.get(), options.limits,
      ServerInfo{NowUnixMicros(), kServerVersion});
  server->linkage_service_ =
      std::make_unique<LinkageServiceImpl>(server->engine_.get(), server->policy_.get());
  server->flag_service_ =
      std::make_unique<FlagServiceImpl>(server->engine_.get(), server->policy_.get());

  // Keeps the generated health descriptors linked in, so reflection clients can describe the
  // health service (libgrpc++ 1.51 does not carry them).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, credentials, &server->port_);
  builder.RegisterService(server->ingest_service_.get());
  builder.RegisterService(server->linkage_service_.get());
  builder.RegisterService(server->flag_service_.get());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(-1);  // summaries are bounded by the per-stream record limit
  grpc::ResourceQuota quota("crossforce-server");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address, " (address in use or invalid?)"));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(v1::IngestService::service_full_name(),
                                                             true);
  return server;
}

Server::~Server() {
  if (server_ != nullptr) {
    Shutdown(absl::ZeroDuration());
    server_->Wait();
  }
}

void Server::Shutdown(absl::Duration grace) {
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  flag_service_->StopWatches();  // watch streams never end by themselves
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMicroseconds(grace));
}

void Server::Wait() { server_->Wait(); }

}  // namespace crossforce
