// The error model and the byte-stream primitives.
#include <catch2/catch.hpp>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "envelope/buffered_source.h"

using namespace sealstate;

namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  SEALSTATE_ASSIGN_OR_RETURN(int half, Half(x));
  SEALSTATE_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

// Yields its data a few bytes at a time, then optionally fails.
class TrickleSource final : public ByteSource {
 public:
  TrickleSource(std::string data, std::size_t step, bool fail_at_end)
      : data_(std::move(data)), step_(step), fail_(fail_at_end) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    if (pos_ == data_.size() && fail_) return Status::Integrity("boom");
    const std::size_t n = std::min({capacity, step_, data_.size() - pos_});
    data_.copy(buffer, n, pos_);
    pos_ += n;
    return n;
  }

 private:
  std::string data_;
  std::size_t step_, pos_ = 0;
  bool fail_;
};

}  // namespace

TEST_CASE("Status carries code, message, errno and path") {
  const Status io = Status::IoError("open", "/x/current", ENOENT);
  CHECK(io.code() == Code::kIoError);
  CHECK(io.error_number() == ENOENT);
  CHECK(io.path() == "/x/current");
  CHECK(io.message() == "open /x/current: No such file or directory");
  CHECK(Status::NoCurrent().message() == "no current snapshot");
  CHECK(Status::OK().ok());
  CHECK(Status::OK().ToString() == "ok");
  CHECK(Status::WrongKey("k").ToString() == "wrong-key: k");
}

TEST_CASE("WithPrefix and WithSuffix keep the code, errno and path") {
  const Status s = Status::IoError("read", "/p", EIO).WithPrefix("local store: ").WithSuffix(" (hint)");
  CHECK(s.code() == Code::kIoError);
  CHECK(s.error_number() == EIO);
  CHECK(s.path() == "/p");
  CHECK(s.message() == "local store: read /p: Input/output error (hint)");
}

TEST_CASE("every code has a distinct, non-empty name") {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(Code::kIncomplete); ++c) {
    const std::string_view name = CodeName(static_cast<Code>(c));
    CHECK_FALSE(name.empty());
    names.insert(name);
  }
  CHECK(names.size() == static_cast<std::size_t>(Code::kIncomplete) + 1);
}

TEST_CASE("every code's name is the one sealstate(1) documents, and the page lists them all") {
  const std::map<Code, std::string_view> documented = {
      {Code::kOk, "ok"},
      {Code::kInvalidArgument, "invalid-argument"},
      {Code::kNotFound, "not-found"},
      {Code::kNoCurrent, "no-current"},
      {Code::kAlreadyExists, "already-exists"},
      {Code::kLocked, "locked"},
      {Code::kCancelled, "cancelled"},
      {Code::kConflict, "conflict"},
      {Code::kWrongKey, "wrong-key"},
      {Code::kIntegrity, "integrity"},
      {Code::kFormat, "format"},
      {Code::kIoError, "io-error"},
      {Code::kUnsupported, "unsupported"},
      {Code::kInternal, "internal"},
      {Code::kIncomplete, "incomplete"},
  };
  REQUIRE(documented.size() == static_cast<std::size_t>(Code::kIncomplete) + 1);
  std::ifstream page(std::string(SEALSTATE_TEST_DATA) + "/../../man/sealstate.1.scd");
  REQUIRE(page.good());
  const std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  for (const auto& [code, name] : documented) {
    CAPTURE(name);
    CHECK(CodeName(code) == name);
    // The OUTPUT section's table has one row per code: "|  *name*".
    if (code != Code::kOk) CHECK(text.find("|  *" + std::string(name) + "*\n") != std::string::npos);
  }
}

TEST_CASE("Result holds a value or an error, and ASSIGN_OR_RETURN propagates the error") {
  CHECK(*Quarter(8) == 2);
  const Result<int> odd = Quarter(6);
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.status().message() == "odd: 3");
  const Result<int> from_ok_status(Status::OK());
  CHECK(from_ok_status.status().code() == Code::kInternal);
}

TEST_CASE("StringSource yields its bytes then end of stream") {
  StringSource source("abcdef");
  char buf[4];
  CHECK(*source.Read(buf, 4) == 4);
  CHECK(*source.Read(buf, 4) == 2);
  CHECK(*source.Read(buf, 4) == 0);
}

TEST_CASE("BufferedSource peeks a line without consuming it, across small reads") {
  TrickleSource trickle("header line\nbody bytes", 3, false);
  internal::BufferedSource in(trickle, 4);
  Result<std::string_view> line = in.PeekLine(100);
  REQUIRE(line.ok());
  CHECK(*line == "header line");
  std::string all(22, '\0');
  CHECK(*in.ReadFull(all.data(), all.size()) == 22);
  CHECK(all == "header line\nbody bytes");
}

TEST_CASE("BufferedSource refuses a line longer than the limit and reports truncation") {
  const std::string fifty_x(50, 'x');
  StringSource long_line(fifty_x);
  internal::BufferedSource in(long_line, 8);
  CHECK(in.PeekLine(10).status().code() == Code::kIntegrity);
  StringSource short_data("abc");
  internal::BufferedSource in2(short_data);
  Result<std::string> exact = in2.ReadExact(5, "wrapped key");
  REQUIRE(exact.status().code() == Code::kIntegrity);
  CHECK(exact.status().message().find("wrapped key") != std::string::npos);
}

TEST_CASE("BufferedSource passes a source error through unchanged") {
  TrickleSource failing("abc", 2, true);
  internal::BufferedSource in(failing);
  char buf[10];
  Result<std::size_t> n = in.ReadFull(buf, sizeof buf);
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message() == "boom");
}
