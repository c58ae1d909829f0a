#include <sealstate/names.h>

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

namespace sealstate {
namespace {

std::string Rejection(std::string_view kind, std::string_view name) {
  const Status status = ValidateName(kind, name);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == Code::kInvalidArgument);
  return status.message();
}

bool HasControlByte(const std::string& text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

TEST_CASE("names: ordinary names are accepted", "[names]") {
  for (const char* name : {"prod", "my-stack_1", "a.b", "x..y", "trailing.", "caf\xc3\xa9"}) {
    INFO(name);
    CHECK(ValidateName("stack", name).ok());
  }
}

TEST_CASE("names: revision names with ':' and '_' are accepted", "[names]") {
  CHECK(ValidateName("revision", "2026-05-12T15:30:00Z").ok());
  CHECK(ValidateName("revision", "2026-05-12T15:30:00.123456789Z_99").ok());
  CHECK(ValidateName("revision", "2026-05-12T15:30:00+02:00_1").ok());
}

TEST_CASE("names: an empty name is rejected", "[names]") {
  CHECK(Rejection("factory", "") == "factory name is empty");
  CHECK(Rejection("stack", "") == "stack name is empty");
}

TEST_CASE("names: 128 bytes are accepted and 129 rejected", "[names]") {
  CHECK(ValidateName("revision", std::string(kMaxNameBytes, 'a')).ok());
  const std::string too_long(kMaxNameBytes + 1, 'a');
  CHECK(Rejection("revision", too_long) ==
        "revision name \"" + too_long + "\" is not allowed: it is longer than 128 bytes");
}

TEST_CASE("names: '/' is rejected", "[names]") {
  CHECK(Rejection("stack", "../x") == "stack name \"../x\" is not allowed: it must not contain '/'");
  CHECK(Rejection("stack", "a/b").find("must not contain '/'") != std::string::npos);
  CHECK(Rejection("stack", "/").find("must not contain '/'") != std::string::npos);
}

TEST_CASE("names: '\\' is rejected", "[names]") {
  CHECK(Rejection("factory", "a\\b") == "factory name \"a\\\\b\" is not allowed: it must not contain '\\'");
}

TEST_CASE("names: NUL inside a string_view is rejected", "[names]") {
  const std::string_view with_nul("ab\0cd", 5);
  CHECK(Rejection("stack", with_nul) ==
        "stack name \"ab\\x00cd\" is not allowed: it must not contain a control character");
}

TEST_CASE("names: control characters 0x01, 0x1f, newline and 0x7f are rejected", "[names]") {
  CHECK(Rejection("stack", "a\x01") == "stack name \"a\\x01\" is not allowed: it must not contain a control character");
  CHECK(Rejection("stack", "a\x7f") == "stack name \"a\\x7f\" is not allowed: it must not contain a control character");
  CHECK(Rejection("stack", "a\x1f").find("must not contain a control character") != std::string::npos);
  CHECK(Rejection("stack", "a\nb") == "stack name \"a\\nb\" is not allowed: it must not contain a control character");
}

TEST_CASE("names: '.' and '..' are rejected", "[names]") {
  CHECK(Rejection("stack", ".") == "stack name \".\" is not allowed: it must not be \".\" or \"..\"");
  CHECK(Rejection("stack", "..") == "stack name \"..\" is not allowed: it must not be \".\" or \"..\"");
}

TEST_CASE("names: a leading '.' is rejected", "[names]") {
  CHECK(Rejection("revision", ".hidden") == "revision name \".hidden\" is not allowed: it must not start with '.'");
  CHECK(Rejection("stack", "...").find("must not start with '.'") != std::string::npos);
}

TEST_CASE("names: the message names the kind and the value", "[names]") {
  const std::string message = Rejection("factory", ".secret");
  CHECK(message.rfind("factory name ", 0) == 0);
  CHECK(message.find("\".secret\"") != std::string::npos);
}

TEST_CASE("names: messages never contain raw control bytes", "[names]") {
  const std::string message = Rejection("stack", std::string("\x00\x01\t\r\x1b\x7f\"", 7));
  CHECK_FALSE(HasControlByte(message));
  CHECK(message ==
        "stack name \"\\x00\\x01\\t\\r\\x1b\\x7f\\\"\" is not allowed: it must not contain a control character");
}

TEST_CASE("names: ill-formed UTF-8 is escaped in messages and well-formed UTF-8 kept", "[names]") {
  CHECK(Rejection("stack", "/\xff\xc3") == "stack name \"/\\xff\\xc3\" is not allowed: it must not contain '/'");
  CHECK(Rejection("stack", "/caf\xc3\xa9") == "stack name \"/caf\xc3\xa9\" is not allowed: it must not contain '/'");
}

// Names go into JSON (envelope headers, snapshots), which cannot carry invalid UTF-8: a stack
// named so could never open its own snapshots (found by the hostile-input test).
TEST_CASE("names: invalid UTF-8 is rejected; look-alikes are ordinary names", "[names]") {
  CHECK(Rejection("stack",
                  "a\xff\xfe"
                  "b")
            .find("must be valid UTF-8") != std::string::npos);
  CHECK(Rejection("stack", "\xc0\xae\xc0\xae").find("must be valid UTF-8") != std::string::npos);  // overlong ".."
  CHECK(Rejection("stack", "\xed\xa0\x80").find("must be valid UTF-8") != std::string::npos);      // a surrogate
  CHECK(Rejection("stack", "ab\xe2\x88").find("must be valid UTF-8") != std::string::npos);        // truncated
  CHECK(ValidateName("stack", "\xef\xbc\x8e\xef\xbc\x8e").ok());                                   // fullwidth dots
  CHECK(ValidateName("stack",
                     "a\xe2\x88\x95"
                     "b")
            .ok());                             // division slash
  CHECK(ValidateName("stack", "stack ").ok());  // a trailing space
}

}  // namespace
}  // namespace sealstate
