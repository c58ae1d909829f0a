// Converting the text of a JSON number (already checked against JSON's number grammar) into a
// Json value, without RapidJSON's own conversion: RapidJSON 1.1.0 (Debian 12) misreads a zero
// significand with a large exponent ("0e99" as 6.5e296) and, for a decimal exponent below about
// -348 ("880.808888888888888888e-333"), overflows an int and reads past its table of powers of
// ten (found by fuzz/snapshot_fuzzer and fuzz/envelope_v1_fuzzer; both fixed upstream after
// 1.1.0).
#pragma once

#include <string_view>

#include <sealstate/json.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// `number` is a JSON number literal (optional '-', integer part, optional fraction, optional
// exponent). Returns, as Go's encoding/json and unobin would read it, except that integers keep
// all their bits:
// - no fraction and no exponent, fits int64: kInt ("-0" is the double -0, as in Go);
// - no fraction and no exponent, fits only uint64: kUint;
// - anything else: kDouble, correctly rounded (std::from_chars); a magnitude below the smallest
//   subnormal is a zero of the number's sign (Go's strconv.ParseFloat does the same).
// Errors: kIntegrity "number <text> is too large for a double" when the magnitude is above
// DBL_MAX (Go refuses these too). REQUIRES: `number` matches the grammar.
Result<Json> JsonNumberFromText(std::string_view number);

}  // namespace sealstate::internal
