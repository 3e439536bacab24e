// The crossforce hub server: opens the engine on its data directory, serves the gRPC services (with
// health checking and reflection) and drains in-flight calls on shutdown. `main` only parses flags
// into ServerOptions and calls Start. Thread-safe.
#ifndef CROSSFORCE_SERVER_SERVER_H_
#define CROSSFORCE_SERVER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "server/flag_service.h"
#include "server/ingest_service.h"
#include "server/linkage_service.h"

namespace grpc {
class Server;
class HealthCheckServiceInterface;
}  // namespace grpc

namespace crossforce {

struct ServerOptions {
  std::string listen_address = "127.0.0.1:7443";  // HOST:PORT; port 0 picks a free one
  EngineOptions engine;                           // engine.data_dir is required
  // Plaintext. Refused unless set explicitly, so that a hub never serves personal data in the clear
  // by accident; set it, or give TLS files.
  bool insecure = false;
  std::string tls_cert_file;       // PEM server certificate chain
  std::string tls_key_file;        // PEM private key
  std::string tls_client_ca_file;  // PEM CA bundle: when set, clients must present a certificate
  IngestLimits limits;
  int max_message_bytes = 16 << 20;  // largest request message accepted
  int max_threads = 64;              // request threads (bounds concurrent calls)
};

class Server {
 public:
  // Opens the engine and starts serving. InvalidArgument for bad options, Unavailable when the
  // address cannot be bound or the store is in use.
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options);

  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0).
  int port() const { return port_; }
  Engine* engine() { return engine_.get(); }

  // Stops accepting calls, lets in-flight ones finish for up to `grace`, then cancels the rest.
  // Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown completes.
  void Wait();

 private:
  Server() = default;

  std::unique_ptr<Engine> engine_;
  std::unique_ptr<AccessPolicy> policy_;
  std::unique_ptr<IngestServiceImpl> ingest_service_;
  std::unique_ptr<LinkageServiceImpl> linkage_service_;
  std::unique_ptr<FlagServiceImpl> flag_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace crossforce

#endif  // CROSSFORCE_SERVER_SERVER_H_
