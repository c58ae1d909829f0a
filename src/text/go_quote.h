// Go's %q quoting (strconv.Quote) for names and values in messages, as unobin writes them.
#pragma once

#include <string>
#include <string_view>

namespace sealstate::internal {

// Go's %q of a string as used in unobin's messages (double-quoted, Go escapes:
// \a \b \f \n \r \t \v \\ \", other control and invalid bytes as \xNN, non-printable runes as
// \uXXXX). Printable UTF-8 passes through.
std::string GoQuote(std::string_view s);

// GoQuote's escapes without the quotes, for text shown on a terminal: control characters (\n,
// \x1b), DEL, C1 controls (\u009b), invalid UTF-8 bytes (\xff) and the invisible or
// direction-changing runes GoQuote escapes (\u202e) are escaped as GoQuote does; everything else
// passes through, `"` and `\` included (so a message that already GoQuotes a name is not escaped
// twice). The result holds no byte that moves the cursor or starts a terminal sequence.
std::string GoEscapeForDisplay(std::string_view s);

}  // namespace sealstate::internal
