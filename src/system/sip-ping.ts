#!/usr/bin/env node
// Does a SIP server answer OPTIONS over UDP? Sends one every second until a
// response with the same Call-ID arrives or the time is up. Used by the
// appliance's health check (edgesbc-mark-good) and the image test.
//
//   node dist/src/system/sip-ping.js HOST PORT [SECONDS]   exit 0 = answered
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { fileURLToPath } from 'node:url';

export interface SipPingResult {
  status: number;
  response: string;
}

function optionsRequest(host: string, port: number, localPort: number, callId: string): string {
  const hostPort = isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
  return [
    `OPTIONS sip:${hostPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:health@edgesbc.invalid>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${hostPort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Accept: application/sdp',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

// Resolves with the first response's status; rejects after timeoutMs.
export function sipPing(host: string, port: number, timeoutMs: number): Promise<SipPingResult> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const callId = `${randomBytes(8).toString('hex')}@edgesbc-health`;
    let timer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, result?: SipPingResult): void => {
      clearInterval(timer);
      clearTimeout(deadline);
      sock.close();
      if (err) reject(err);
      else resolve(result as SipPingResult);
    };
    sock.on('message', (msg) => {
      const text = msg.toString('latin1');
      const m = /^SIP\/2\.0 (\d{3})/.exec(text);
      if (m && text.includes(callId)) finish(undefined, { status: Number(m[1]), response: text });
    });
    sock.on('error', (err) => finish(err));
    sock.bind(0, () => {
      const send = (): void => {
        sock.send(optionsRequest(host, port, sock.address().port, callId), port, host);
      };
      send();
      timer = setInterval(send, 1000);
      deadline = setTimeout(() => finish(new Error(`no SIP answer from ${host}:${port} in ${timeoutMs} ms`)), timeoutMs);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [host = '127.0.0.1', portText = '5060', secondsText = '10'] = process.argv.slice(2);
  sipPing(host, Number(portText), Number(secondsText) * 1000).then(
    (r) => {
      process.stdout.write(`${host}:${portText} answered ${r.status}\n`);
    },
    (err: Error) => {
      process.stderr.write(`sip-ping: ${err.message}\n`);
      process.exit(1);
    },
  );
}
