import type { JSONSchemaType } from 'ajv';
import type { MediaConfig, PeerMediaConfig, SideMediaConfig } from '../document.js';
import { FILL_IN } from './common.js';

export const LATCH_MODES = ['off', 'until-signalled', 'same-ip'] as const;
export const SRTP_MODES = ['off', 'sdes'] as const;
export const TRANSCODE_MODES = ['when-needed', 'off', 'force'] as const;

// Global media engine settings (issue 4, docs/media.md).
export const mediaSchema: JSONSchemaType<MediaConfig> = {
  type: 'object',
  description: 'Media relay engine: every call’s RTP is anchored on the SBC.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['workers', 'timeout_s', 'hold_timeout_s'],
  properties: {
    workers: {
      type: 'integer',
      minimum: 0,
      maximum: 64,
      default: 0,
      description: 'Media worker threads; 0 = one per CPU core. Applies at start.',
    },
    timeout_s: {
      type: 'integer',
      minimum: 0,
      maximum: 86400,
      default: 60,
      description: 'A call with no RTP from either side for this long is ended (BYE on both legs); 0 = never.',
    },
    hold_timeout_s: {
      type: 'integer',
      minimum: 0,
      maximum: 86400,
      default: 0,
      description: 'The same limit while a call is on hold; 0 = held calls are exempt.',
    },
  },
};

// Where one side's media sockets live.
export const sideMediaSchema: JSONSchemaType<SideMediaConfig> = {
  type: 'object',
  description: 'Media (RTP/RTCP) addresses and ports of this side.',
  additionalProperties: false,
  default: FILL_IN,
  required: ['address', 'advertised_address', 'port_min', 'port_max'],
  properties: {
    address: {
      type: 'string',
      maxLength: 64,
      default: '',
      description: 'IP literal the media sockets bind to; "" = the side’s first address.',
    },
    advertised_address: {
      type: 'string',
      maxLength: 64,
      default: '',
      description: 'IP literal written in SDP c= lines; "" = the side’s advertised_address, else the media address.',
    },
    port_min: {
      type: 'integer',
      minimum: 1024,
      maximum: 65534,
      default: 10000,
      description: 'First RTP port (RTP even, RTCP = RTP + 1). Vonage documents 10000–20000 (V-IN-7).',
    },
    port_max: {
      type: 'integer',
      minimum: 1025,
      maximum: 65535,
      default: 20000,
      description: 'Last media port of the range.',
    },
  },
};

// Media policy towards one trunk or PBX.
export function peerMediaSchema(defaultLatch: (typeof LATCH_MODES)[number]): JSONSchemaType<PeerMediaConfig> {
  return {
    type: 'object',
    description: 'Media policy towards this peer.',
    additionalProperties: false,
    default: FILL_IN,
    required: ['srtp', 'latching', 'codecs', 'transcode'],
    properties: {
      srtp: {
        type: 'string',
        enum: [...SRTP_MODES],
        default: 'off',
        description: 'Offers we send this peer: "sdes" = RTP/SAVP with a=crypto (RFC 4568), "off" = RTP/AVP. Answers follow the peer’s offer.',
      },
      latching: {
        type: 'string',
        enum: [...LATCH_MODES],
        default: defaultLatch,
        description:
          'Learning the peer’s media address from its packets (NAT): "off" = signalled address only; "until-signalled" = the first source, until a packet from the signalled address takes it back; "same-ip" = any port of the signalled IP.',
      },
      codecs: {
        type: 'array',
        maxItems: 32,
        uniqueItems: true,
        default: [],
        items: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}(/[0-9]{4,6})?$' },
        description: 'Codecs allowed towards this peer, by encoding name (e.g. PCMA, telephone-event, or speex/16000); [] = all.',
      },
      transcode: {
        type: 'string',
        enum: [...TRANSCODE_MODES],
        default: 'when-needed',
        description:
          'Transcoding toward this peer: "when-needed" = only when the other side offers no codec in `codecs` (this peer is then offered `codecs`); "force" = always offer exactly `codecs`, in order; "off" = never (no common codec: 488).',
      },
    },
  };
}
