// Fuzz target: any bytes into `liqd risk`'s parser; a valid document must also
// produce a report without tripping an assertion (overflow guards, BigInt width,
// the exactness asserts of the engine).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/commands/risk_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  liqd::cmd::RiskInput in;
  liqd::cmd::RiskInputError err;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (liqd::cmd::parse_risk_input(text, in, err)) {
    std::string out = liqd::cmd::risk_report_json(in);
    if (out.empty() || out.back() != '\n') __builtin_trap();
  } else if (err.field.empty() || err.reason.empty()) {
    __builtin_trap();  // every refusal names a field and a reason
  }
  return 0;
}
