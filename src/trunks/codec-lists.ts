// Codec lists as data (V-OUT-6, V-OUT-7): data/vonage/codecs/<name>.json
// names the codecs a kind of trunk takes and the fmtp parameters its SDP
// must carry. The list for kind vonage is the default of `media.codecs` on a
// new Vonage trunk (src/config/dependent-defaults.ts) — a default written
// into the config, so a stored trunk keeps its list when the file changes —
// and its fmtp is applied to every SDP sent on a call with such a trunk.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CodecList {
  name: string;
  /** Encoding names as media.codecs takes them ("PCMA", "speex/16000", "telephone-event"). */
  codecs: string[];
  /** Encoding name → "param=value" its a=fmtp must carry ("G729" → "annexb=no"). */
  fmtp: Record<string, string>;
  recorded: string;
  source: string;
}

// dist/src/trunks/ -> checkout root.
export const CODEC_LIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'data', 'vonage', 'codecs');

const CODEC = /^[A-Za-z0-9_.-]{1,32}(\/[0-9]{4,6})?$/;
const PARAM = /^[A-Za-z0-9_.-]{1,32}=[A-Za-z0-9_.-]{1,32}$/;

export class CodecListError extends Error {
  readonly code = 'ERR_CODEC_LIST';
  constructor(file: string, reason: string) {
    super(`codec list ${file}: ${reason}`);
    this.name = 'CodecListError';
  }
}

function load(file: string): CodecList {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CodecListError(file, (err as Error).message);
  }
  const o = raw as Record<string, unknown>;
  const codecs = o.codecs;
  const fmtp = o.fmtp ?? {};
  if (typeof o.name !== 'string' || o.name === '') throw new CodecListError(file, 'name missing');
  if (!Array.isArray(codecs) || codecs.length === 0 || !codecs.every((c) => typeof c === 'string' && CODEC.test(c))) {
    throw new CodecListError(file, 'codecs must be a non-empty list of encoding names (as media.codecs takes them)');
  }
  if (typeof fmtp !== 'object' || fmtp === null || Array.isArray(fmtp)) throw new CodecListError(file, 'fmtp must be an object');
  for (const [k, v] of Object.entries(fmtp)) {
    if (!CODEC.test(k) || typeof v !== 'string' || !PARAM.test(v)) throw new CodecListError(file, `fmtp ${k}: "param=value" expected`);
  }
  return {
    name: o.name,
    codecs: codecs as string[],
    fmtp: fmtp as Record<string, string>,
    recorded: typeof o.recorded === 'string' ? o.recorded : '',
    source: typeof o.source === 'string' ? o.source : '',
  };
}

let vonage: CodecList | undefined;

/** The codec list of Vonage trunks (read once per process). */
export function vonageCodecList(): CodecList {
  return (vonage ??= load(join(CODEC_LIST_DIR, 'vonage.json')));
}
