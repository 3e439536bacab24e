// A Storage wrapper that fails on demand: commits, reads, or both, with an I/O error; counts
// commits; and can hold scans of the records table until released. For tests of what the engine
// acknowledges when the disk fails, and of what it does while a relink (which scans the records)
// is under way.
#ifndef CROSSFORCE_TESTS_TESTING_FAULTY_STORAGE_H_
#define CROSSFORCE_TESTS_TESTING_FAULTY_STORAGE_H_

#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "engine/storage.h"

namespace crossforce::testing {

class FaultyStorage final : public Storage {
 public:
  explicit FaultyStorage(std::unique_ptr<Storage> base) : base_(std::move(base)) {}

  void FailCommits(bool fail) { fail_commits_ = fail; }
  void FailReads(bool fail) { fail_reads_ = fail; }
  // While held, a scan of Table::kRecords waits before it starts until the hold is lifted.
  void HoldRecordScans(bool hold) {
    absl::MutexLock lock(&hold_mu_);
    hold_ = hold;
  }
  // Waits until a scan is waiting on the hold.
  void AwaitHeldScan() {
    absl::MutexLock lock(&hold_mu_);
    hold_mu_.Await(absl::Condition(
        +[](int* waiting) { return *waiting > 0; }, &scans_waiting_));
  }
  int commits() const { return commits_; }
  int synced_commits() const { return synced_commits_; }

  absl::StatusOr<std::optional<std::string>> Get(Table table, absl::string_view key) override {
    if (fail_reads_) return absl::UnavailableError("injected read fault");
    return base_->Get(table, key);
  }
  absl::Status Commit(const std::vector<StorageWrite>& writes, bool sync) override {
    if (fail_commits_) return absl::UnavailableError("injected commit fault");
    ++commits_;
    if (sync) ++synced_commits_;
    return base_->Commit(writes, sync);
  }
  absl::Status Scan(Table table, absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) override {
    if (fail_reads_) return absl::UnavailableError("injected read fault");
    if (table == Table::kRecords) {
      absl::MutexLock lock(&hold_mu_);
      ++scans_waiting_;
      hold_mu_.Await(absl::Condition(
          +[](bool* hold) { return !*hold; }, &hold_));
      --scans_waiting_;
    }
    return base_->Scan(table, prefix, visit);
  }
  uint64_t ApproximateDiskBytes() override { return base_->ApproximateDiskBytes(); }

 private:
  std::unique_ptr<Storage> base_;
  std::atomic<bool> fail_commits_{false};
  std::atomic<bool> fail_reads_{false};
  std::atomic<int> commits_{0};
  std::atomic<int> synced_commits_{0};
  absl::Mutex hold_mu_;
  bool hold_ ABSL_GUARDED_BY(hold_mu_) = false;
  int scans_waiting_ ABSL_GUARDED_BY(hold_mu_) = 0;
};

}  // namespace crossforce::testing

#endif  // CROSSFORCE_TESTS_TESTING_FAULTY_STORAGE_H_
