// The G.711 tables, computed by the compiler from g711.h's definitions.
#include "g711.h"

namespace edgesbc::codecs::g711 {

constinit const std::array<uint8_t, 65536> kLinearToUlaw = detail::encode_table<compute_ulaw>();
constinit const std::array<uint8_t, 65536> kLinearToAlaw = detail::encode_table<compute_alaw>();
constinit const std::array<int16_t, 256> kUlawToLinear = detail::decode_table<compute_ulaw_linear>();
constinit const std::array<int16_t, 256> kAlawToLinear = detail::decode_table<compute_alaw_linear>();

}  // namespace edgesbc::codecs::g711
