// Where the CLI's results and errors go: text or one compact JSON document on stdout, error lines
// on stderr, and the progress line on a terminal.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "json/go_json_writer.h"
#include "text/go_quote.h"

namespace sealstate::cli {

// The color of a text line, shown only where Output::Color() allows: added (green), removed (red),
// changed (yellow).
enum class Tint { kAdded, kRemoved, kChanged };

// Builds one JSON value with the writer it is given.
using JsonBuilder = std::function<void(internal::GoJsonWriter&)>;

// Output for one command run. With json(), stdout receives exactly one compact JSON document
// (success or error) followed by "\n"; without, plain text. Cheap to copy.
//
// Text lines and messages (Line, Fail, Usage, Warn, WriteError) may carry names and records
// from the store or the command line, so they are shown through GoEscapeForDisplay: a control
// character in a file name or a holder record cannot forge a line or drive the terminal. This
// is the one place text output is escaped; JSON output is escaped by the JSON writer.
class Output {
 public:
  explicit Output(bool json) : json_(json) {}

  // A copy whose Fail, Usage and Warn messages show backend spec `spec` (and its LOCATION) only
  // redacted (RedactSpec): a password in a spec never reaches the output, whoever quoted it.
  Output Redacting(std::string_view spec) const;

  // True when --json was given.
  bool json() const { return json_; }

  // Text mode only (OK and a no-op with json()): runs `produce` with a sink that writes to stdout
  // as it goes, for documents too large to build in memory first. Returns produce's status.
  Status TextStream(const std::function<Status(ByteSink&)>& produce) const;
  // Writes `line`, escaped for display, and "\n" to stdout. Text mode only (a no-op with json()).
  void Line(std::string_view line) const;
  // As Line, in `tint`'s color when Color() (the escape sequences go around the escaped text).
  void Line(std::string_view line, Tint tint) const;
  // JSON mode only (a no-op without json()): writes the compact document `build` produces, then
  // "\n", to stdout.
  void Document(const JsonBuilder& build) const;

  // Reports a failed operation: "sealstate: <message>" on stderr, or with json()
  // {"error":{"code":"<CodeName>","message":"<message>"}} on stdout. Returns ExitStatusFor(code).
  // REQUIRES: !status.ok().
  int Fail(const Status& status) const;
  // Reports a command-line usage error like Fail, with the JSON code "usage". Returns kExitUsage.
  int Usage(std::string_view message) const;
  // Flushes stdout, for a command that must know its output was written before it records
  // that (log --consumer). Errors: kIoError when anything written so far could not be written
  // (a closed pipe, a full disk).
  Status Flush() const;
  // Writes "sealstate: <message>" to stderr whatever the mode (for warnings that must not
  // disturb the JSON document).
  void Warn(std::string_view message) const;

  // True when text may carry color: json() is false, stdout is a terminal and NO_COLOR is unset
  // or empty (https://no-color.org). Never when piped.
  bool Color() const;

  // True when a progress line should be shown: stderr is a terminal and json() is false.
  bool ShowProgress() const;

 private:
  // `text` with every spec given to Redacting replaced by its redacted form.
  std::string Redact(std::string_view text) const;

  bool json_;
  std::vector<std::pair<std::string, std::string>> redactions_;  // (as given, as shown)
};

// Writes the error document {"error":{"code":CODE,"message":MESSAGE}} or the line
// "sealstate: MESSAGE" (stderr), as `json` says. For main's parse errors, which happen before an
// Output exists.
void WriteError(bool json, std::string_view code, std::string_view message);

// "\r<verb> done/total" on stderr while work proceeds, "\n" when finished; silent unless
// output.ShowProgress(). Not thread-safe.
class ProgressLine {
 public:
  ProgressLine(const Output& output, std::string verb);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  // Ends the line if anything was shown.
  ~ProgressLine();

  // Shows done/total (rate-limited to whole-percent steps and the last item).
  void Update(std::size_t done, std::size_t total);
  // A callback for the maintenance functions that forwards to Update (empty when silent).
  std::function<void(std::size_t, std::size_t)> Callback();
  // Ends the line if anything was shown; idempotent.
  void Finish();

 private:
  bool enabled_;
  bool shown_ = false;
  std::size_t last_percent_ = 101;
  std::string verb_;
};

}  // namespace sealstate::cli
