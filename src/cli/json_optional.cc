#include "cli/json_optional.h"

namespace sealstate::cli {

void WriteStringOrNull(internal::GoJsonWriter& w, std::string_view text) {
  if (text.empty()) {
    w.Null();
  } else {
    w.String(text);
  }
}

void WriteCountOrNull(internal::GoJsonWriter& w, std::int64_t count) {
  if (count < 0) {
    w.Null();
  } else {
    w.Int(count);
  }
}

}  // namespace sealstate::cli
