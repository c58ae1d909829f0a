// Conformance: threads and processes committing to one stack, each through its own Backend
// (backend.h: "operations on one stack from several processes are safe").
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

constexpr int kWriters = 4;
constexpr int kCommitsEach = 3;

// A committed revision and the mark of the snapshot it holds.
struct Acknowledged {
  std::string rev;
  std::string mark;
};

LockOptions PatientLock() {
  LockOptions options;
  options.timeout = std::chrono::seconds(60);
  options.operation = "conformance";
  return options;
}

// Every acknowledged revision is listed once and reads back as committed; current is one of
// them; the journal has exactly one write and one set-current of each.
void CheckAllPresent(Fixture& f, const std::vector<Acknowledged>& acknowledged) {
  REQUIRE(acknowledged.size() == static_cast<std::size_t>(kWriters * kCommitsEach));
  Result<StackContents> contents = ReadBack(*f.Open());
  INFO(contents.status().ToString());
  REQUIRE(contents.ok());
  std::set<std::string> revs;
  for (const Acknowledged& ack : acknowledged) {
    INFO("revision " << ack.rev);
    revs.insert(ack.rev);
    REQUIRE(contents->snapshots.count(ack.rev) == 1);
    CHECK(contents->snapshots.at(ack.rev) == f.Snap(ack.mark));
    CHECK(CountEvents(contents->journal, "write", ack.rev) == 1);
    CHECK(CountEvents(contents->journal, "set-current", ack.rev) == 1);
  }
  CHECK(revs.size() == acknowledged.size());  // no revision acknowledged twice
  REQUIRE(contents->current.has_value());
  CHECK(revs.count(*contents->current) == 1);
  CHECK(contents->lock.state == LockState::kFree);
  for (std::size_t i = 0; i < contents->journal.size(); ++i) CHECK(contents->journal[i].seq == i + 1);
}

// Writers with an even number use the backend's own Commit, the others Backend::Commit's default,
// so both are checked against each other under contention.
Result<std::string> CommitAs(int writer, Backend& backend, const Snapshot& snapshot) {
  if (writer % 2 == 0) return backend.Commit(snapshot, PatientLock(), WriteOptions{});
  return backend.Backend::Commit(snapshot, PatientLock(), WriteOptions{});
}

std::string Mark(int writer, int commit) { return "w" + std::to_string(writer) + "c" + std::to_string(commit); }

// A child process's work: open the stack through the target, commit, report "REV MARK\n" lines
// on `out`. Returns the exit status; never touches Catch.
int CommitInChild(const Fixture& f, int writer, int out) {
  Result<std::unique_ptr<Backend>> backend = f.target.open(f.Context(f.key_a));
  if (!backend.ok()) return 2;
  for (int c = 0; c < kCommitsEach; ++c) {
    Result<std::string> rev = CommitAs(writer, **backend, f.Snap(Mark(writer, c)));
    if (!rev.ok()) {
      std::fprintf(stderr, "child %d: %s\n", writer, rev.status().ToString().c_str());
      return 1;
    }
    std::string line = *rev + " " + Mark(writer, c) + "\n";
    if (::write(out, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 3;
  }
  return 0;
}

std::string ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

}  // namespace

void CheckConcurrency(Fixture& f) {
  SECTION(
      "threads committing through their own backends: every acknowledged revision is present and readable, "
      "current is one of them, the journal has one write and one set-current each") {
    std::vector<std::unique_ptr<Backend>> backends;
    for (int w = 0; w < kWriters; ++w) backends.push_back(f.Open());
    std::mutex mutex;
    std::vector<Acknowledged> acknowledged;
    std::vector<std::string> failures;
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        for (int c = 0; c < kCommitsEach; ++c) {
          Result<std::string> rev = CommitAs(w, *backends[w], f.Snap(Mark(w, c)));
          std::lock_guard<std::mutex> guard(mutex);
          if (rev.ok()) {
            acknowledged.push_back({*rev, Mark(w, c)});
          } else {
            failures.push_back(rev.status().ToString());
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    CHECK(failures.empty());
    CheckAllPresent(f, acknowledged);
  }

  if (!f.target.shared_between_processes) return;
  SECTION(
      "processes committing, each opening the stack itself: every acknowledged revision is present and "
      "readable, current is one of them, the journal has one write and one set-current each") {
    std::vector<std::pair<pid_t, int>> children;  // pid, read end of its pipe
    for (int w = 0; w < kWriters; ++w) {
      int fds[2];
      REQUIRE(::pipe(fds) == 0);
      pid_t pid = ::fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        ::close(fds[0]);
        ::_exit(CommitInChild(f, w, fds[1]));
      }
      ::close(fds[1]);
      children.emplace_back(pid, fds[0]);
    }
    std::vector<Acknowledged> acknowledged;
    for (auto [pid, fd] : children) {
      std::string lines = ReadAll(fd);
      ::close(fd);
      int status = 0;
      REQUIRE(::waitpid(pid, &status, 0) == pid);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
      for (std::size_t at = 0, end; (end = lines.find('\n', at)) != std::string::npos; at = end + 1) {
        std::string line = lines.substr(at, end - at);
        std::size_t space = line.find(' ');
        REQUIRE(space != std::string::npos);
        acknowledged.push_back({line.substr(0, space), line.substr(space + 1)});
      }
    }
    CheckAllPresent(f, acknowledged);
  }
}

}  // namespace sealstate::testing::conformance
