// A UDP endpoint that runs as its own process inside a network namespace
// (`ip netns exec <ns> node netns-udp-peer.js <ip> <port>`): a test in the
// root namespace cannot open sockets in another one, so it drives this child
// over stdin/stdout, one JSON object per line (see UdpPeer in netns.ts).
//
// stdout: {"ev":"bound","ip","port"}, {"ev":"rx","ip","port","data"(base64)}
//         for each datagram, {"ev":"sent","id","sent","errors","error"?} when
//         a send job is done, {"ev":"fatal","error"} before exiting on failure.
// stdin:  {"op":"send","id","ip","port","packets":[base64...],"intervalMs"}
//         (packets go out one per interval, in order), {"op":"close"}.
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';

// Bounds, so that a flood aimed at the peer cannot make it (or the test
// reading it) grow without limit: past this many datagrams only a count goes on.
const MAX_REPORTED = 20_000;
const MAX_PACKETS_PER_JOB = 10_000;

const [ip = '', portArg = '0'] = process.argv.slice(2);
const port = Number(portArg);

function emit(o: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(o) + '\n');
}

function fatal(error: string): never {
  emit({ ev: 'fatal', error });
  process.exit(1);
}

if (!ip || !Number.isInteger(port) || port < 0 || port > 65535) fatal(`usage: netns-udp-peer <ip> <port>; got "${ip}" "${portArg}"`);

const sock = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
let reported = 0;
let closing = false;

function closeAndExit(): void {
  if (closing) return;
  closing = true;
  sock.close(() => process.exit(0));
}

sock.on('error', (e) => fatal(`socket error: ${e.message}`));
sock.on('message', (data, rinfo) => {
  reported++;
  if (reported <= MAX_REPORTED) emit({ ev: 'rx', ip: rinfo.address, port: rinfo.port, data: data.toString('base64') });
  else if (reported === MAX_REPORTED + 1) emit({ ev: 'overflow' });
});

interface SendJob {
  op: 'send';
  id: number;
  ip: string;
  port: number;
  packets: string[];
  intervalMs?: number;
}

async function runSend(job: SendJob): Promise<void> {
  const packets = job.packets.slice(0, MAX_PACKETS_PER_JOB).map((p) => Buffer.from(p, 'base64'));
  const interval = Math.max(0, Math.min(1000, job.intervalMs ?? 0));
  let sent = 0;
  let errors = 0;
  let lastError: string | undefined;
  const start = Date.now();
  for (let i = 0; i < packets.length; i++) {
    // Paced against the start time, not the previous packet, so that timer
    // lateness does not add up over a stream.
    const due = start + i * interval;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (closing) break;
    await new Promise<void>((resolve) => {
      const done = (err: Error | null): void => {
        if (err) {
          errors++;
          lastError = err.message;
        } else sent++;
        resolve();
      };
      try {
        sock.send(packets[i]!, job.port, job.ip, done);
      } catch (e) {
        done(e as Error);
      }
    });
  }
  emit({ ev: 'sent', id: job.id, sent, errors, ...(lastError ? { error: lastError } : {}) });
}

sock.bind({ address: ip, port, exclusive: true }, () => {
  emit({ ev: 'bound', ip, port: sock.address().port });
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    let cmd: { op?: string };
    try {
      cmd = JSON.parse(line) as { op?: string };
    } catch {
      fatal(`bad command line: ${line.slice(0, 200)}`);
    }
    if (closing) return;
    if (cmd.op === 'send') void runSend(cmd as SendJob);
    else if (cmd.op === 'close') closeAndExit();
    else fatal(`unknown command: ${line.slice(0, 200)}`);
  });
  // The test went away: do not linger in the namespace.
  rl.on('close', closeAndExit);
});
