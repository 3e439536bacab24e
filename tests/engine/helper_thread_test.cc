#include "engine/helper_thread.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace crossforce {
namespace {

// Shares `items` through a counter, as the linker does, recording who took each.
void ShareItems(HelperThread& helper, std::vector<std::atomic<int>>& taken_by,
                std::chrono::microseconds per_item) {
  std::atomic<size_t> next{0};
  helper.Share([&](size_t worker) {
    for (size_t k = next++; k < taken_by.size(); k = next++) {
      if (per_item.count() > 0) std::this_thread::sleep_for(per_item);
      taken_by[k] += static_cast<int>(worker) + 1;  // 1: the caller, 2: the helper
    }
  });
}

TEST(HelperThreadTest, EveryItemIsTakenOnceAndTheHelperJoinsLongWork) {
  HelperThread helper;
  // Long enough (100 items of 200 us) that the helper, which wakes within milliseconds, joins in
  // at least once in twenty shares however slow the machine.
  size_t by_helper = 0;
  for (int share = 0; share < 20 && helper.joined() == 0; ++share) {
    std::vector<std::atomic<int>> taken_by(100);
    ShareItems(helper, taken_by, std::chrono::microseconds(200));
    for (size_t k = 0; k < taken_by.size(); ++k) {
      ASSERT_TRUE(taken_by[k] == 1 || taken_by[k] == 2) << "item " << k << ": " << taken_by[k];
      by_helper += taken_by[k] == 2;
    }
  }
  EXPECT_GT(helper.joined(), 0u);
  EXPECT_GT(by_helper, 0u);
}

TEST(HelperThreadTest, TheHelperNeverRunsWorkAfterShareReturns) {
  HelperThread helper;
  // Work too short for the helper to wake in time is mostly withdrawn; when it does wake, it
  // must run only while Share has not returned, as the work refers to Share's caller's frame.
  std::atomic<bool> sharing{false};
  std::atomic<int> outside{0}, items{0};
  for (int share = 0; share < 20000; ++share) {
    sharing = true;
    std::atomic<int> next{0};
    helper.Share([&](size_t) {
      if (!sharing) ++outside;
      for (int k = next++; k < 3; k = next++) ++items;
    });
    sharing = false;
  }
  EXPECT_EQ(outside, 0);
  EXPECT_EQ(items, 3 * 20000);
}

TEST(HelperThreadTest, ShareReturnsOnlyOnceTheHelpersLastItemIsDone) {
  HelperThread helper;
  // Items of 3 ms: the caller, done with its own, waits for the helper's past its spin, asleep.
  for (int share = 0; share < 50 && helper.joined() == 0; ++share) {
    std::vector<std::atomic<int>> taken_by(4);
    ShareItems(helper, taken_by, std::chrono::milliseconds(3));
    for (size_t k = 0; k < taken_by.size(); ++k) {
      ASSERT_NE(taken_by[k], 0) << "item " << k << " unfinished when Share returned";
    }
  }
  EXPECT_GT(helper.joined(), 0u);
}

TEST(HelperThreadTest, AnExceptionFromTheCallersPartLeavesTheHelperUsable) {
  HelperThread helper;
  EXPECT_THROW(helper.Share([](size_t worker) {
    if (worker == 0) throw std::runtime_error("caller's part failed");
  }),
               std::runtime_error);
  std::vector<std::atomic<int>> taken_by(50);
  ShareItems(helper, taken_by, std::chrono::microseconds(0));
  for (size_t k = 0; k < taken_by.size(); ++k) EXPECT_NE(taken_by[k], 0) << "item " << k;
}

TEST(HelperThreadTest, DestroyingAnIdleHelperStopsIt) {
  for (int k = 0; k < 50; ++k) {
    HelperThread helper;  // never shares: its destructor must still wake and join the thread
  }
  // (A hang there is the failure, ended by the test's timeout.) One that shared stops too.
  auto used = std::make_unique<HelperThread>();
  std::vector<std::atomic<int>> taken_by(10);
  ShareItems(*used, taken_by, std::chrono::microseconds(0));
  used.reset();
  for (size_t k = 0; k < taken_by.size(); ++k) EXPECT_NE(taken_by[k], 0) << "item " << k;
}

}  // namespace
}  // namespace crossforce
