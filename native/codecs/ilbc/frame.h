// The parameters one iLBC frame carries (RFC 3951 section 3.8, table 3.2),
// the two modes' dimensions (section 3 intro: 20 ms = 4 sub-blocks, 30 ms = 6),
// and the bit packing of a frame (section 3.8: three ULP classes, MSB first).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace edgesbc::codecs::ilbc {

constexpr int kOrder = 10;        // LPC order
constexpr int kSubl = 40;         // sub-block length
constexpr int kStateLen = 80;     // two sub-blocks hold the start state
constexpr int kStages = 3;        // codebook stages
constexpr int kCbMem = 147;       // codebook memory for 40-sample sub-blocks
constexpr int kExtraCbMem = 85;   // codebook memory for the 22/23-sample part of the state sub-blocks
constexpr int kMaxBlock = 240;
constexpr int kMaxNsub = 6;

struct Mode {
  int ms;             // 20 or 30
  int block;          // 160 or 240 samples
  int nsub;           // 4 or 6 sub-blocks
  int nasub;          // 2 or 4 sub-blocks coded by the adaptive codebook
  int lpc_n;          // 1 or 2 LSF sets per frame
  int state_short;    // 57 or 58 scalar-quantised start-state samples
  int bytes;          // 38 or 50
};
constexpr Mode kMode20{20, 160, 4, 2, 1, 57, 38};
constexpr Mode kMode30{30, 240, 6, 4, 2, 58, 50};
inline const Mode* mode_for(int ms) { return ms == 20 ? &kMode20 : ms == 30 ? &kMode30 : nullptr; }

struct FrameParams {
  std::array<int, 6> lsf{};             // split VQ indices (3 per LSF set)
  int start = 1;                        // 1..nsub-1: start state is sub-blocks start-1, start
  int state_first = 0;                  // 1: scalar-coded part at the beginning of the 80 samples
  int scale = 0;                        // index into kStateFrgq
  std::array<int, 58> state{};          // 3-bit sample indices
  std::array<int, kStages> extra_cb{};  // codebook for the 22/23 remaining state samples
  std::array<int, kStages> extra_gain{};
  std::array<int, 4 * kStages> cb{};    // per adaptive sub-block, as sent (first sub-block stages 2, 3: 7-bit form)
  std::array<int, 4 * kStages> gain{};
  bool operator==(const FrameParams&) const = default;
};

// Writes mode.bytes bytes. Values out of their field's range are masked.
void pack(const Mode& mode, const FrameParams& p, uint8_t* out);
// Reads mode.bytes bytes. Returns false for a frame the decoder must not
// decode: the "empty frame" bit (last bit) set, or a start index out of range.
bool unpack(const Mode& mode, const uint8_t* in, FrameParams& p);

// Section 3.6.4.1 (first adaptive sub-block, stages 2 and 3): the 7-bit
// transmitted index <-> the codebook index (0..43, 108..171, 236..255).
int cb_index_from_wire(int v);
int cb_index_to_wire(int idx);  // -1 if idx is not reachable in 7 bits

}  // namespace edgesbc::codecs::ilbc
