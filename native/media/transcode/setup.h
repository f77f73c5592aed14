// From the engine contract (StreamCodec per leg) to a Transcoder: which
// pairs need one, the a=fmtp parameters the codec adapters take, and the
// codec registry lookups (native/codecs/). Runs on the worker at update(),
// never per packet.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "../engine.h"
#include "../../codecs/codec.h"
#include "transcoder.h"

namespace edgesbc::media::transcode {

// Both legs name a codec and they are not the same one (name, any case, and clock).
bool needs_transcoding(const StreamCodec& a, const StreamCodec& b);
bool same_stream_codec(const StreamCodec& a, const StreamCodec& b);
codecs::CodecParams parse_fmtp(std::string_view fmtp);
// What `from`'s peer sends, transcoded for `to`'s peer; nullptr when either
// codec is not one the registry knows (or its parameters are invalid).
std::unique_ptr<Transcoder> make_transcoder(const StreamCodec& from, const StreamCodec& to, uint32_t ssrc,
                                            uint32_t seed);

}  // namespace edgesbc::media::transcode
