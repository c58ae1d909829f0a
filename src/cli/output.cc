#include "cli/output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <sealstate/backend_registry.h>
#include <sealstate/stream.h>

#include "cli/exit_status.h"

namespace sealstate::cli {
namespace {

void WriteStdout(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }

void WriteStderr(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

// Forwards every piece to stdout (buffered by stdio).
class StdoutSink final : public ByteSink {
 public:
  Status Append(std::string_view data) override {
    WriteStdout(data);
    return Status::OK();
  }
};

// The SGR sequence that starts `tint`'s color.
std::string_view ColorStart(Tint tint) {
  switch (tint) {
    case Tint::kAdded: return "\x1b[32m";
    case Tint::kRemoved: return "\x1b[31m";
    case Tint::kChanged: return "\x1b[33m";
  }
  return "";
}

std::string BuildCompact(const JsonBuilder& build) {
  std::string text;
  StringSink sink(text);
  internal::GoJsonWriter writer(sink, internal::GoJsonWriter::Style::kCompact);
  build(writer);
  writer.Raw("\n");
  (void)writer.Finish();  // a StringSink never fails
  return text;
}

}  // namespace

void WriteError(bool json, std::string_view code, std::string_view message) {
  if (!json) {
    WriteStderr("sealstate: " + internal::GoEscapeForDisplay(message) + "\n");
    return;
  }
  WriteStdout(BuildCompact([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("error");
    w.StartObject();
    w.Key("code");
    w.String(code);
    w.Key("message");
    w.String(message);
    w.EndObject();
    w.EndObject();
  }));
}

Status Output::TextStream(const std::function<Status(ByteSink&)>& produce) const {
  if (json_) return Status::OK();
  StdoutSink sink;
  return produce(sink);
}

void Output::Line(std::string_view line) const {
  if (json_) return;
  WriteStdout(internal::GoEscapeForDisplay(line));
  WriteStdout("\n");
}

void Output::Line(std::string_view line, Tint tint) const {
  if (!Color()) return Line(line);
  WriteStdout(ColorStart(tint));
  WriteStdout(internal::GoEscapeForDisplay(line));
  WriteStdout("\x1b[0m\n");
}

void Output::Document(const JsonBuilder& build) const {
  if (json_) WriteStdout(BuildCompact(build));
}

Status Output::Flush() const {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return Status::OK();
  return Status::IoError("write", "standard output", errno);
}

Output Output::Redacting(std::string_view spec) const {
  Output copy = *this;
  const std::string redacted = RedactSpec(spec);
  if (redacted == spec) return copy;
  copy.redactions_.emplace_back(spec, redacted);
  // The LOCATION alone ("//user:secret@host/db"), as a backend may quote it.
  const std::size_t colon = spec.find(':');
  if (colon != std::string_view::npos && colon + 1 < spec.size()) {
    const std::string_view location = spec.substr(colon + 1);
    copy.redactions_.emplace_back(location, RedactSpec(location));
  }
  return copy;
}

std::string Output::Redact(std::string_view text) const {
  std::string out(text);
  for (const auto& [secret, shown] : redactions_) {
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + shown.size())) {
      out.replace(at, secret.size(), shown);
    }
  }
  return out;
}

int Output::Fail(const Status& status) const {
  WriteError(json_, CodeName(status.code()), Redact(status.message()));
  return ExitStatusFor(status.code());
}

int Output::Usage(std::string_view message) const {
  WriteError(json_, "usage", Redact(message));
  return kExitUsage;
}

void Output::Warn(std::string_view message) const {
  WriteStderr("sealstate: " + internal::GoEscapeForDisplay(Redact(message)) + "\n");
}

bool Output::Color() const {
  const char* no_color = std::getenv("NO_COLOR");
  return !json_ && isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

bool Output::ShowProgress() const { return !json_ && isatty(STDERR_FILENO) == 1; }

ProgressLine::ProgressLine(const Output& output, std::string verb)
    : enabled_(output.ShowProgress()), verb_(std::move(verb)) {}

ProgressLine::~ProgressLine() { Finish(); }

void ProgressLine::Update(std::size_t done, std::size_t total) {
  if (!enabled_ || total == 0) return;
  const std::size_t percent = done * 100 / total;
  if (percent == last_percent_ && done != total) return;
  last_percent_ = percent;
  WriteStderr("\r" + verb_ + " " + std::to_string(done) + "/" + std::to_string(total));
  shown_ = true;
}

std::function<void(std::size_t, std::size_t)> ProgressLine::Callback() {
  if (!enabled_) return nullptr;
  return [this](std::size_t done, std::size_t total) { Update(done, total); };
}

void ProgressLine::Finish() {
  if (!shown_) return;
  WriteStderr("\n");
  shown_ = false;
}

}  // namespace sealstate::cli
