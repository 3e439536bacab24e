// A real crossforce server for service tests: on 127.0.0.1 with an ephemeral port, over a RocksDB
// in a fresh temp directory, with a plaintext channel and stub to it.
#ifndef CROSSFORCE_TESTS_TESTING_TEST_SERVER_H_
#define CROSSFORCE_TESTS_TESTING_TEST_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "crossforce/v1/ingest_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/server.h"
#include "tests/testing/temp_dir.h"

namespace crossforce::testing {

class TestServer {
 public:
  // Options with the test defaults filled in; tweak and pass to Start.
  ServerOptions DefaultOptions() const {
    ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.insecure = true;
    options.engine.data_dir = dir_.Sub("db");
    options.engine.today = [] { return Date{2026, 11, 28}; };
    return options;
  }

  absl::Status Start() { return Start(DefaultOptions()); }
  absl::Status Start(ServerOptions options) {
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(std::move(options));
    if (!server.ok()) return server.status();
    server_ = std::move(*server);
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    channel_ = grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
    stub_ = v1::IngestService::NewStub(channel_);
    return absl::OkStatus();
  }

  void Stop() {
    stub_.reset();
    channel_.reset();
    server_.reset();
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  Server& server() { return *server_; }
  v1::IngestService::Stub& stub() { return *stub_; }
  std::shared_ptr<grpc::Channel> channel() { return channel_; }
  const TempDir& dir() const { return dir_; }

  // A client context with a 30 s deadline.
  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_TEST_SERVER_H_
