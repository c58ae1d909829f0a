// Retention policies (restic's `forget` rules) applied to revision names. See maintenance.h.
#include <sealstate/maintenance.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include <sealstate/revision.h>

namespace sealstate {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

// The day (UTC) an instant falls on.
std::chrono::sys_days DayOf(const Timestamp& t) {
  const std::int64_t seconds = t.unix_seconds;
  const std::int64_t days = seconds >= 0 ? seconds / kSecondsPerDay : (seconds - kSecondsPerDay + 1) / kSecondsPerDay;
  return std::chrono::sys_days(std::chrono::days(days));
}

// `value` in decimal, padded with leading zeros to `width` digits. REQUIRES: value >= 0.
std::string Padded(std::int64_t value, std::size_t width) {
  const std::string digits = std::to_string(value);
  return std::string(digits.size() < width ? width - digits.size() : 0, '0') + digits;
}

std::string DayBucket(const Timestamp& t) {
  const std::chrono::year_month_day ymd(DayOf(t));
  return Padded(static_cast<int>(ymd.year()), 4) + "-" + Padded(static_cast<unsigned>(ymd.month()), 2) + "-" +
         Padded(static_cast<unsigned>(ymd.day()), 2);
}

std::string HourBucket(const Timestamp& t) {
  const std::int64_t second_of_day = t.unix_seconds - DayOf(t).time_since_epoch().count() * kSecondsPerDay;
  return DayBucket(t) + "T" + Padded(second_of_day / 3600, 2);
}

// ISO 8601: weeks run Monday to Sunday and belong to the year of their Thursday.
std::string WeekBucket(const Timestamp& t) {
  const std::chrono::sys_days day = DayOf(t);
  const unsigned days_since_monday = std::chrono::weekday(day).iso_encoding() - 1;
  const std::chrono::sys_days thursday = day - std::chrono::days(days_since_monday) + std::chrono::days(3);
  const std::chrono::year year = std::chrono::year_month_day(thursday).year();
  const std::chrono::sys_days new_year(year / std::chrono::January / 1);
  const auto week = static_cast<unsigned>((thursday - new_year).count() / 7 + 1);
  return Padded(static_cast<int>(year), 4) + "-W" + Padded(week, 2);
}

std::string MonthBucket(const Timestamp& t) {
  const std::chrono::year_month_day ymd(DayOf(t));
  return Padded(static_cast<int>(ymd.year()), 4) + "-" + Padded(static_cast<unsigned>(ymd.month()), 2);
}

using BucketOf = std::function<std::string(const Timestamp&)>;

// A revision's parsed time, or nullopt when its name holds none.
std::optional<Timestamp> TimeOf(const std::string& rev) {
  const ParsedRevision parsed = ParseRevision(rev);
  if (!parsed.valid) return std::nullopt;
  return parsed.time;
}

// Keeps, for `rule`, the newest revision of each of the `count` newest buckets.
void KeepNewestPerBucket(std::vector<RetentionDecision>& decisions, const std::vector<std::optional<Timestamp>>& times,
                         RetentionRule rule, std::size_t count, const BucketOf& bucket_of) {
  std::optional<std::string> previous;
  std::size_t taken = 0;
  for (std::size_t i = decisions.size(); i-- > 0 && taken < count;) {
    if (!times[i]) continue;
    std::string bucket = bucket_of(*times[i]);
    if (bucket == previous) continue;
    previous = bucket;
    decisions[i].reasons.push_back({rule, std::move(bucket)});
    ++taken;
  }
}

// Keeps, for kWithin, the revisions at most `within` older than the newest dated one.
void KeepWithin(std::vector<RetentionDecision>& decisions, const std::vector<std::optional<Timestamp>>& times,
                std::chrono::milliseconds within) {
  std::optional<Timestamp> newest;
  for (const std::optional<Timestamp>& time : times) {
    if (time && (!newest || CompareInstants(*time, *newest) > 0)) newest = time;
  }
  if (!newest) return;
  // Whole milliseconds are enough: names are compared to the newest name, not to a clock.
  const auto millis = [](const Timestamp& t) { return t.unix_seconds * 1000 + t.nanos / 1'000'000; };
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    if (times[i] && millis(*newest) - millis(*times[i]) <= within.count()) {
      decisions[i].reasons.push_back({RetentionRule::kWithin, ""});
    }
  }
}

}  // namespace

std::string_view RetentionRuleName(RetentionRule rule) {
  switch (rule) {
    case RetentionRule::kCurrent: return "current";
    case RetentionRule::kDamagedCurrent: return "damaged current";
    case RetentionRule::kUndated: return "undated";
    case RetentionRule::kLast: return "last";
    case RetentionRule::kWithin: return "within";
    case RetentionRule::kHourly: return "hourly";
    case RetentionRule::kDaily: return "daily";
    case RetentionRule::kWeekly: return "weekly";
    case RetentionRule::kMonthly: return "monthly";
  }
  return "unknown";
}

std::string DescribeRetentionReason(const RetentionReason& reason, std::string_view within_text) {
  std::string text(RetentionRuleName(reason.rule));
  const std::string_view detail = reason.rule == RetentionRule::kWithin ? within_text : reason.bucket;
  if (!detail.empty()) text += " " + std::string(detail);
  return text;
}

std::vector<RetentionDecision> DecideRetention(const std::vector<std::string>& revs, std::string_view current,
                                               const RetentionPolicy& policy) {
  std::vector<RetentionDecision> decisions;
  std::vector<std::optional<Timestamp>> times;
  decisions.reserve(revs.size());
  times.reserve(revs.size());
  for (const std::string& rev : revs) {
    decisions.push_back({rev, {}});
    times.push_back(TimeOf(rev));
    if (rev == current) decisions.back().reasons.push_back({RetentionRule::kCurrent, ""});
    if (!times.back()) decisions.back().reasons.push_back({RetentionRule::kUndated, ""});
  }
  const std::size_t last_from = revs.size() > policy.keep_last ? revs.size() - policy.keep_last : 0;
  for (std::size_t i = last_from; i < revs.size(); ++i) decisions[i].reasons.push_back({RetentionRule::kLast, ""});
  if (policy.keep_within.count() > 0) KeepWithin(decisions, times, policy.keep_within);
  KeepNewestPerBucket(decisions, times, RetentionRule::kHourly, policy.keep_hourly, HourBucket);
  KeepNewestPerBucket(decisions, times, RetentionRule::kDaily, policy.keep_daily, DayBucket);
  KeepNewestPerBucket(decisions, times, RetentionRule::kWeekly, policy.keep_weekly, WeekBucket);
  KeepNewestPerBucket(decisions, times, RetentionRule::kMonthly, policy.keep_monthly, MonthBucket);
  return decisions;
}

}  // namespace sealstate
