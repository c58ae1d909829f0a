// Retention policies: restic's keep-last/within/hourly/daily/weekly/monthly over revision names.
#include <catch2/catch.hpp>

#include <fstream>

#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>

#include "support/scratch_dir.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::ScratchDir;

namespace {

using Reasons = std::vector<RetentionReason>;

// The reasons of each decision, as DescribeRetentionReason words them, joined by ", ";
// "remove" for a revision no rule keeps.
std::vector<std::string> Explain(const std::vector<RetentionDecision>& decisions) {
  std::vector<std::string> lines;
  for (const RetentionDecision& decision : decisions) {
    std::string line;
    for (const RetentionReason& reason : decision.reasons) {
      line += (line.empty() ? "" : ", ") + DescribeRetentionReason(reason, "1h");
    }
    lines.push_back(decision.kept() ? line : "remove");
  }
  return lines;
}

std::vector<std::string> Explain(const std::vector<std::string>& revs, std::string_view current,
                                 const RetentionPolicy& policy) {
  return Explain(DecideRetention(revs, current, policy));
}

}  // namespace

TEST_CASE("retention keep_last keeps the N newest, all of them when N is larger, and current always") {
  const std::vector<std::string> revs{"2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z", "2026-12-03T10:00:00Z",
                                      "2026-12-03T10:00:00Z_1"};
  CHECK(Explain(revs, revs[0], {.keep_last = 2}) == std::vector<std::string>{"current", "remove", "last", "last"});
  CHECK(Explain(revs, "", {.keep_last = 99}) == std::vector<std::string>{"last", "last", "last", "last"});
  CHECK(Explain(revs, revs[3], {.keep_last = 1}) ==
        std::vector<std::string>{"remove", "remove", "remove", "current, last"});
}

TEST_CASE("retention with an empty policy keeps only current") {
  const std::vector<std::string> revs{"2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"};
  CHECK(RetentionPolicy{}.Empty());
  CHECK_FALSE(RetentionPolicy{.keep_monthly = 1}.Empty());
  CHECK(Explain(revs, revs[0], {}) == std::vector<std::string>{"current", "remove"});
  CHECK(Explain(revs, "", {}) == std::vector<std::string>{"remove", "remove"});
}

TEST_CASE("retention keep_within keeps what is at most that much older than the newest revision, bounds included") {
  const std::vector<std::string> revs{"2026-12-05T10:59:59.999Z", "2026-12-05T11:00:00Z", "2026-12-05T11:30:00Z",
                                      "2026-12-05T12:00:00Z"};
  const RetentionPolicy policy{.keep_within = std::chrono::hours(1)};
  CHECK(Explain(revs, "", policy) == std::vector<std::string>{"remove", "within 1h", "within 1h", "within 1h"});
  // Relative to the newest revision, not to the clock: a stack untouched for years keeps its last hour.
  const std::vector<std::string> old{"2001-01-01T00:00:00Z", "2001-01-01T00:30:00Z"};
  CHECK(Explain(old, "", policy) == std::vector<std::string>{"within 1h", "within 1h"});
}

TEST_CASE("retention keep_hourly keeps the newest revision of each of the N newest UTC hours that have one") {
  const std::vector<std::string> revs{"2026-12-05T08:10:00Z", "2026-12-05T10:59:59Z", "2026-12-05T11:00:00Z",
                                      "2026-12-05T11:30:00Z", "2026-12-05T11:30:00Z_1"};
  // 09:00 has no revision and does not count.
  CHECK(Explain(revs, "", {.keep_hourly = 2}) ==
        std::vector<std::string>{"remove", "hourly 2026-12-05T10", "remove", "remove", "hourly 2026-12-05T11"});
  CHECK(Explain(revs, "", {.keep_hourly = 50}) == std::vector<std::string>{"hourly 2026-12-05T08",
                                                                           "hourly 2026-12-05T10", "remove", "remove",
                                                                           "hourly 2026-12-05T11"});
}

TEST_CASE("retention keep_daily buckets by the UTC day, whatever offset a name was written with") {
  // 01:00+02:00 is 23:00 UTC the day before.
  const std::vector<std::string> revs{"2026-12-04T23:59:59Z", "2026-12-05T00:00:00Z", "2026-12-06T01:00:00+02:00",
                                      "2026-12-06T00:00:00Z"};
  CHECK(Explain(revs, "", {.keep_daily = 1}) ==
        std::vector<std::string>{"remove", "remove", "remove", "daily 2026-12-06"});
  CHECK(Explain(revs, "", {.keep_daily = 3}) ==
        std::vector<std::string>{"daily 2026-12-04", "remove", "daily 2026-12-05", "daily 2026-12-06"});
  // Before 1970 too: days and hours round down, not toward zero.
  CHECK(Explain({"1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z"}, "", {.keep_hourly = 2}) ==
        std::vector<std::string>{"hourly 1969-12-31T23", "hourly 1970-01-01T00"});
}

TEST_CASE("retention keep_weekly buckets by ISO 8601 week: Monday to Sunday, the year of its Thursday") {
  // 2026-12-06 is a Sunday, 2026-12-07 a Monday; 2027-01-01 to 03 belong to 2026-W53, 2027-01-04 starts 2027-W01.
  const std::vector<std::string> revs{"2026-12-06T23:59:59Z", "2026-12-07T00:00:00Z", "2027-01-01T12:00:00Z",
                                      "2027-01-03T23:59:59Z", "2027-01-04T00:00:00Z"};
  CHECK(Explain(revs, "", {.keep_weekly = 10}) ==
        std::vector<std::string>{"weekly 2026-W49", "weekly 2026-W50", "remove", "weekly 2026-W53", "weekly 2027-W01"});
  CHECK(Explain({"2024-12-30T00:00:00Z"}, "", {.keep_weekly = 1}) == std::vector<std::string>{"weekly 2025-W01"});
}

TEST_CASE("retention keep_monthly buckets by the UTC calendar month") {
  const std::vector<std::string> revs{"2026-10-15T00:00:00Z", "2026-11-30T23:59:59Z", "2026-12-01T00:00:00Z",
                                      "2026-12-31T23:59:59Z"};
  CHECK(Explain(revs, "", {.keep_monthly = 2}) ==
        std::vector<std::string>{"remove", "monthly 2026-11", "remove", "monthly 2026-12"});
  CHECK(Explain(revs, "", {.keep_monthly = 12}) ==
        std::vector<std::string>{"monthly 2026-10", "monthly 2026-11", "remove", "monthly 2026-12"});
}

TEST_CASE("retention combines rules: a revision kept by any rule is kept, and every rule that keeps it is named") {
  const std::vector<std::string> revs{"2026-11-20T09:00:00Z", "2026-12-04T09:00:00Z", "2026-12-05T09:00:00Z",
                                      "2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z", "2026-12-05T11:30:00Z"};
  const RetentionPolicy policy{.keep_last = 2,
                               .keep_within = std::chrono::hours(1),
                               .keep_hourly = 0,
                               .keep_daily = 2,
                               .keep_weekly = 0,
                               .keep_monthly = 2};
  CHECK(Explain(revs, revs[2], policy) ==
        std::vector<std::string>{"monthly 2026-11", "daily 2026-12-04", "current", "remove", "last, within 1h",
                                 "last, within 1h, daily 2026-12-05, monthly 2026-12"});
  const std::vector<RetentionDecision> decisions = DecideRetention(revs, "", policy);
  CHECK(decisions[4].reasons == Reasons{{RetentionRule::kLast, ""}, {RetentionRule::kWithin, ""}});
  CHECK_FALSE(decisions[3].kept());
}

TEST_CASE("retention keeps a name that holds no time and leaves it out of the time rules") {
  const std::vector<std::string> revs{"2026-12-05T10:00:00Z", "not-a-time", "2026-12-05T11:00:00Z"};
  CHECK(Explain(revs, "", {.keep_daily = 1}) == std::vector<std::string>{"remove", "undated", "daily 2026-12-05"});
}

namespace {

std::unique_ptr<Backend> OpenStore(const ScratchDir& root) { return testing::OpenNoopLocalStore(root.dir().path); }

}  // namespace

TEST_CASE("PlanRetention over a store: PlanPrune is its keep_last case; a damaged current keeps everything") {
  ScratchDir root;
  auto store = OpenStore(root);
  std::vector<std::string> r;
  for (int i = 0; i < 4; ++i) r.push_back(*store->Write(sealstate::testing::FixtureSnapshot(), {}));
  REQUIRE(store->SetCurrent(r[0], {}).ok());
  RetentionPlan plan = *PlanRetention(*store, {.keep_last = 1});
  CHECK(Explain(plan.decisions) == std::vector<std::string>{"current", "remove", "remove", "last"});
  PrunePlan prune = *PlanPrune(*store, 1);
  CHECK(plan.prune.keep == prune.keep);
  CHECK(plan.prune.remove == prune.remove);
  CHECK(plan.prune.keep == std::vector<std::string>{r[0], r[3]});
  { std::ofstream(root.dir().path + "/cluster-deploy/prod-east-alpha/current", std::ios::trunc) << "garbage\n"; }
  plan = *PlanRetention(*store, {.keep_last = 1});
  CHECK(plan.prune.damaged_current.code() == Code::kIntegrity);
  CHECK(plan.prune.remove.empty());
  CHECK(Explain(plan.decisions) ==
        std::vector<std::string>{"damaged current", "damaged current", "damaged current", "damaged current, last"});
  CHECK(ExecutePrune(*store, plan.prune, "", nullptr).code() == Code::kIntegrity);
  CHECK(*store->List() == r);
}
