// The G.711 tables from g711.h's definitions. The 64 K-entry encode tables
// are filled at static initialisation (clang's constexpr step limit is too
// low to build them at compile time; nothing reads them before main()).
#include "g711.h"

namespace edgesbc::codecs::g711 {

const std::array<uint8_t, 65536> kLinearToUlaw = detail::encode_table<compute_ulaw>();
const std::array<uint8_t, 65536> kLinearToAlaw = detail::encode_table<compute_alaw>();
constinit const std::array<int16_t, 256> kUlawToLinear = detail::decode_table<compute_ulaw_linear>();
constinit const std::array<int16_t, 256> kAlawToLinear = detail::decode_table<compute_alaw_linear>();

}  // namespace edgesbc::codecs::g711
