// Child process run inside a namespace by probes.ts: one DNS question to one
// server, answer as JSON on stdout. Node's own resolver (c-ares), so no
// dig/bind9-dnsutils package is needed.
//   node dns-probe.js <server-ip | "-" for resolv.conf> <port> <type: A|SRV|NAPTR> <name>
import { Resolver } from 'node:dns/promises';

const [server, port, type, name] = process.argv.slice(2);
const resolver = new Resolver({ timeout: 1000, tries: 2 });
if (server !== '-') resolver.setServers([`${server}:${port}`]);

async function ask(): Promise<unknown> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name!, { ttl: true });
    case 'SRV':
      return resolver.resolveSrv(name!);
    case 'NAPTR':
      return resolver.resolveNaptr(name!);
    default:
      throw Object.assign(new Error(`unsupported type ${type}`), { code: 'EBADTYPE' });
  }
}

ask().then(
  (answer) => process.stdout.write(JSON.stringify({ ok: true, answer }) + '\n'),
  (err: NodeJS.ErrnoException) => process.stdout.write(JSON.stringify({ ok: false, code: err.code ?? 'ERROR', message: err.message }) + '\n'),
);
