// rtpengine's ng control protocol (bencode over UDP: "<cookie> <bencoded dict>"
// both ways), enough to drive offer/answer/delete from the benchmark.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';

export function bencode(v) {
  const parts = [];
  const walk = (x) => {
    if (typeof x === 'number') {
      if (!Number.isInteger(x)) throw new TypeError(`bencode: not an integer: ${x}`);
      parts.push(Buffer.from(`i${x}e`));
    } else if (typeof x === 'string' || Buffer.isBuffer(x)) {
      const b = Buffer.isBuffer(x) ? x : Buffer.from(x, 'utf8');
      parts.push(Buffer.from(`${b.length}:`), b);
    } else if (Array.isArray(x)) {
      parts.push(Buffer.from('l'));
      x.forEach(walk);
      parts.push(Buffer.from('e'));
    } else if (x && typeof x === 'object') {
      parts.push(Buffer.from('d'));
      // Keys sorted as raw byte strings (the bencode rule).
      for (const k of Object.keys(x).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
        if (x[k] === undefined) continue;
        walk(k);
        walk(x[k]);
      }
      parts.push(Buffer.from('e'));
    } else {
      throw new TypeError(`bencode: cannot encode ${typeof x}`);
    }
  };
  walk(v);
  return Buffer.concat(parts);
}

/** Decodes one bencoded value from `buf` at `at`; strings come back as UTF-8 strings. */
export function bdecode(buf, at = 0) {
  const fail = (why) => {
    throw new Error(`bdecode: ${why} at byte ${at}`);
  };
  const value = () => {
    if (at >= buf.length) fail('truncated');
    const c = buf[at];
    if (c === 0x69 /* i */) {
      const end = buf.indexOf(0x65, at);
      if (end < 0) fail('unterminated integer');
      const n = Number(buf.subarray(at + 1, end).toString('latin1'));
      if (!Number.isInteger(n)) fail('bad integer');
      at = end + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      at++;
      const out = [];
      while (buf[at] !== 0x65) out.push(value());
      at++;
      return out;
    }
    if (c === 0x64 /* d */) {
      at++;
      const out = {};
      while (buf[at] !== 0x65) {
        const k = value();
        if (typeof k !== 'string') fail('dict key is not a string');
        out[k] = value();
      }
      at++;
      return out;
    }
    if (c >= 0x30 && c <= 0x39) {
      const colon = buf.indexOf(0x3a, at);
      if (colon < 0) fail('bad string length');
      const len = Number(buf.subarray(at, colon).toString('latin1'));
      if (!Number.isInteger(len) || colon + 1 + len > buf.length) fail('bad string length');
      const s = buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
      at = colon + 1 + len;
      return s;
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };
  const v = value();
  return { value: v, end: at };
}

/** One UDP ng client; requests may be in flight together (each has its cookie). */
export class NgClient {
  #sock;
  #pending = new Map();
  #host;
  #port;

  constructor(host, port) {
    this.#host = host;
    this.#port = port;
    this.#sock = createSocket('udp4');
    this.#sock.on('message', (msg) => {
      const sp = msg.indexOf(0x20);
      if (sp < 0) return;
      const cookie = msg.subarray(0, sp).toString('latin1');
      const p = this.#pending.get(cookie);
      if (!p) return;
      this.#pending.delete(cookie);
      clearTimeout(p.timer);
      try {
        p.resolve(bdecode(msg, sp + 1).value);
      } catch (e) {
        p.reject(e);
      }
    });
    this.#sock.bind(0, '127.0.0.1');
    this.#sock.unref();
  }

  /** Sends `dict`, resolves with the reply dict; retransmits twice, then rejects. */
  request(dict, timeoutMs = 2000) {
    const cookie = randomBytes(8).toString('hex');
    const payload = Buffer.concat([Buffer.from(`${cookie} `), bencode(dict)]);
    return new Promise((resolve, reject) => {
      let tries = 0;
      const send = () => {
        tries++;
        this.#sock.send(payload, this.#port, this.#host);
        const timer = setTimeout(() => {
          if (tries < 3) return send();
          this.#pending.delete(cookie);
          reject(new Error(`ng ${dict.command}: no answer from ${this.#host}:${this.#port}`));
        }, timeoutMs);
        this.#pending.set(cookie, { resolve, reject, timer });
      };
      send();
    });
  }

  /** Like request() but a result other than "ok" is an error. */
  async command(dict) {
    const r = await this.request(dict);
    if (r.result !== 'ok') throw new Error(`ng ${dict.command}: ${r.result} ${r['error-reason'] ?? r['warning'] ?? ''}`.trim());
    return r;
  }

  close() {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
    this.#sock.close();
  }
}
