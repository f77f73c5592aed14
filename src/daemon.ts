#!/usr/bin/env node
// sbcd: wires the config store, the native SIP and media engines and call control.
//
//   sbcd [--data-dir DIR] [--config FILE.yaml|.json]
//
// With no arguments it runs on the embedded default (loopback addresses, a
// data directory under the checkout). --config imports and commits a whole
// document before the engine starts; an invalid one exits 2 with every
// error's path and reason.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startAdminApi, listenSettingsOf } from './api/start.js';
import { systemInfoReader } from './api/system-info.js';
import { CallController } from './calls/index.js';
import { CdrRecorder, CdrStore } from './cdr/index.js';
import type { ConfigDocument } from './config/document.js';
import { ConfigError } from './config/errors.js';
import { ConfigStore } from './config/store.js';
import { configWarnings } from './config/warnings.js';
import { Firewall, attachToStore } from './firewall/index.js';
import { createLogger, type Logger } from './log.js';
import { Registrar } from './registrar/index.js';
import { AnchoredMediaFactory } from './media/anchored-media.js';
import { anchoredSettingsOf, mediaSidesOf } from './media/media-config.js';
import { MediaEngine } from './media/media-engine.js';
import { systemdNotifier } from './system/sd-notify.js';
import { SipEngine, generateSelfSigned, type EngineOptions, type ListenerOptions } from './sip/index.js';
import { hasSideInterfaces, readInterfaces, resolveSideInterfaces, watchSideInterfaces } from './sip/side-interfaces.js';
import { endpointSets } from './trunks/endpoint-sets.js';
import { TrunkHealthMonitor } from './trunks/health-monitor.js';
import { HopSelector } from './trunks/selection.js';

const CHECKOUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Args {
  dataDir: string;
  configFile: string | undefined;
}

function parseCommandLine(): Args {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('usage: sbcd [--data-dir DIR] [--config FILE.yaml|FILE.json]\n');
    process.exit(0);
  }
  return {
    dataDir: resolve(values['data-dir'] ?? process.env.EDGESBC_DATA_DIR ?? join(CHECKOUT, 'data')),
    configFile: values.config,
  };
}

// Every listener the config asks for: each address of a side, each transport
// whose port is not 0.
export function listenersOf(doc: ConfigDocument): ListenerOptions[] {
  const out: ListenerOptions[] = [];
  for (const side of ['lan', 'wan'] as const) {
    const s = doc.sides[side];
    if (!s) continue;
    for (const ip of s.addresses) {
      for (const proto of ['udp', 'tcp', 'tls'] as const) {
        const port = s[proto];
        if (!port) continue;
        out.push({
          id: `${side}-${proto}-${ip}-${port}`,
          side,
          proto,
          ip,
          port,
          ...(s.advertised_address ? { advertisedIp: s.advertised_address } : {}),
        });
      }
    }
  }
  return out;
}

// TLS needs a certificate: the configured one, or a self-signed one made
// once in the data directory (Vonage does not validate it, V-OUT-9).
function tlsFiles(doc: ConfigDocument, dataDir: string, log: Logger): { certFile: string; keyFile: string } {
  if (doc.tls.cert_file && doc.tls.key_file) return { certFile: doc.tls.cert_file, keyFile: doc.tls.key_file };
  const dir = join(dataDir, 'tls');
  const certFile = join(dir, 'self-signed.crt');
  const keyFile = join(dir, 'self-signed.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    generateSelfSigned(certFile, keyFile, doc.system.name || 'edgesbc');
    log.info({ certFile }, 'generated a self-signed TLS certificate');
  }
  return { certFile, keyFile };
}

function engineOptions(doc: ConfigDocument, dataDir: string, log: Logger): EngineOptions {
  const listeners = listenersOf(doc);
  const needsTls = listeners.some((l) => l.proto === 'tls');
  return {
    listeners,
    tls: {
      ...(needsTls ? tlsFiles(doc, dataDir, log) : { certFile: '', keyFile: '' }),
      minVersion: doc.tls.min_version,
    },
    t1Ms: doc.sip.timers.t1_ms,
    t2Ms: doc.sip.timers.t2_ms,
    t4Ms: doc.sip.timers.t4_ms,
    userAgent: doc.sip.user_agent,
    // RFC 3263 lookups of trunk hosts; none = the system resolver.
    ...(doc.sip.dns_servers.length > 0 ? { dnsServers: doc.sip.dns_servers } : {}),
  };
}

function importConfigFile(store: ConfigStore, file: string): void {
  const text = readFileSync(file, 'utf8');
  const format = /\.json$/i.test(file) ? 'json' : 'yaml';
  store.importText(text, format);
  store.commit({ user: 'sbcd', comment: `--config ${file}` });
}

// What a valid config may still get wrong (src/config/warnings.ts): said
// at start and at every commit.
function logConfigWarnings(log: Logger, doc: ConfigDocument): void {
  for (const w of configWarnings(doc)) log.warn({ path: w.path }, `config warning: ${w.message}`);
}

async function main(): Promise<void> {
  const args = parseCommandLine();
  mkdirSync(args.dataDir, { recursive: true });
  const store = ConfigStore.open(join(args.dataDir, 'config.db'));

  if (args.configFile) {
    try {
      importConfigFile(store, args.configFile);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`sbcd: ${args.configFile} is not a valid config:\n`);
        for (const e of err.errors) process.stderr.write(`  ${e.path || '/'}: ${e.message}\n`);
        process.exit(2);
      }
      throw err;
    }
  }
  store.checkConfirmDeadline();

  let running = store.running();
  const log = createLogger(running.system.log_level);
  log.info({ dataDir: args.dataDir }, 'sbcd starting');
  // The shipped Vonage endpoint sets (data/vonage/endpoints/): a broken file
  // stops the daemon here with the file and the reason (issue 5, V-OUT-3).
  try {
    const sets = endpointSets();
    log.info({ endpointSets: [...sets.keys()] }, 'endpoint sets loaded');
  } catch (err) {
    log.fatal({ err }, 'sbcd failed: endpoint sets');
    store.close();
    process.exit(1);
  }
  logConfigWarnings(log, running);

  // The firewall goes in before SIP listens: on boot and after a crash the
  // running config's table is back in the kernel before the first packet
  // reaches a socket. A failed apply is logged and SIP starts anyway (the
  // kernel keeps whatever table it had; commit confirmed guards lock-outs).
  const firewall = new Firewall({ log: log.child({ mod: 'firewall' }) });
  try {
    await firewall.apply(running, 'start');
  } catch (err) {
    log.error({ err }, 'firewall could not be applied at start');
  }

  // Sides bound to an interface (`sides.<name>.interface`) use its address:
  // `effective` is the running document with those addresses filled in.
  const resolveInterfaces = (doc: ConfigDocument): ConfigDocument => {
    if (!hasSideInterfaces(doc)) return doc;
    try {
      return resolveSideInterfaces(doc, readInterfaces());
    } catch (err) {
      log.error({ err }, 'interfaces could not be read: sides use their configured addresses');
      return doc;
    }
  };
  let effective = resolveInterfaces(running);

  // Media first: no call may be accepted before its RTP can be anchored.
  let media: MediaEngine;
  try {
    media = MediaEngine.start({ workers: running.media.workers, sides: mediaSidesOf(effective) });
  } catch (err) {
    log.fatal({ err }, 'sbcd failed: media engine');
    store.close();
    process.exit(1);
  }
  const mediaFactory = new AnchoredMediaFactory(media, anchoredSettingsOf(effective), log.child({ mod: 'media' }));
  // signalled-peers media policy: the firewall opens what each peer's SDP names.
  mediaFactory.onPeerSignalled((side, ip, ports) => firewall.mediaPeerSignalled(side, ip, ports));

  const options = engineOptions(effective, args.dataDir, log);
  let engine: SipEngine;
  try {
    engine = await SipEngine.start(options);
  } catch (err) {
    log.fatal({ err }, 'sbcd failed');
    media.stop();
    store.close();
    process.exit(1);
  }
  // OPTIONS health checks of trunk endpoints (V-OUT-8).
  const health = new TrunkHealthMonitor({ engine, log: log.child({ mod: 'trunks' }) });
  health.apply(running);
  // New calls try the two closest healthy endpoints first (V-OUT-3).
  const hops = new HopSelector((trunk, host, port) => health.healthOf(trunk, host, port));
  // PBXs that register to the SBC; each failed digest counts toward a ban.
  const registrar = new Registrar(running, { log: log.child({ mod: 'registrar' }), onAuthFailure: (ip) => firewall.authFailed(ip) });
  const calls = new CallController(engine, running, log.child({ mod: 'calls' }), mediaFactory, (req) => firewall.admit(req), hops, registrar);

  // A side's interface got another address: new calls use it, SIP moves
  // its listeners (no restart). Calls in progress keep their sockets.
  let interfaceChain = Promise.resolve();
  const followInterfaces = (): void => {
    interfaceChain = interfaceChain.then(async () => {
      const next = resolveInterfaces(running);
      const was = JSON.stringify(listenersOf(effective));
      const now = listenersOf(next);
      const mediaWas = JSON.stringify(mediaSidesOf(effective));
      effective = next;
      if (JSON.stringify(mediaSidesOf(next)) !== mediaWas) {
        try {
          media.setSides(mediaSidesOf(next));
        } catch (err) {
          log.error({ err }, 'media sides not changed');
        }
        mediaFactory.setSettings(anchoredSettingsOf(next));
      }
      if (JSON.stringify(now) === was) return;
      const failures = await engine.setListeners(now);
      log.info(
        { listeners: now.map((l) => `${l.proto}:${l.ip}:${l.port}`), failed: failures },
        'interface address changed: SIP listeners and media follow',
      );
    });
    interfaceChain = interfaceChain.catch((err: unknown) => log.error({ err }, 'following interface addresses failed'));
  };
  const interfaceWatch = hasSideInterfaces(running) ? watchSideInterfaces(followInterfaces) : undefined;
  if (hasSideInterfaces(running) && !interfaceWatch) log.warn('interface changes cannot be followed (rtnetlink)');

  const apply = (doc: ConfigDocument, why: string): void => {
    const before = JSON.stringify(listenersOf(effective));
    const dnsBefore = JSON.stringify(running.sip.dns_servers);
    running = doc;
    effective = resolveInterfaces(doc);
    calls.applyConfig(doc);
    health.apply(doc);
    try {
      media.setSides(mediaSidesOf(effective));
    } catch (err) {
      log.error({ err }, 'media sides not changed');
    }
    mediaFactory.setSettings(anchoredSettingsOf(effective));
    cdrs.applyConfig(doc.cdr);
    admin?.server.applyConfig(doc);
    if (listenSettingsOf(doc) !== apiListen) log.warn('admin API listener settings changed: they take effect at the next restart');
    if (JSON.stringify(listenersOf(effective)) !== before) {
      log.warn('listener addresses or ports changed: they take effect at the next restart');
    }
    if (JSON.stringify(doc.sip.dns_servers) !== dnsBefore) {
      log.warn('sip.dns_servers changed: it takes effect at the next restart');
    }
    log.info({ why }, 'running config applied');
    logConfigWarnings(log, doc);
  };
  // Call records (cdr.db next to config.db).
  const cdrStore = CdrStore.open(join(args.dataDir, 'cdr.db'));
  const cdrs = new CdrRecorder(calls, cdrStore, running.cdr, log.child({ mod: 'cdr' }));
  const apiListen = listenSettingsOf(running);

  // The admin API (HTTPS on the LAN side, docs/api.md), up before "sbcd
  // ready" so that building it never stalls a call in progress. A failure to
  // start or to listen is logged: calls matter more than the admin UI.
  const admin = await startAdminApi({
    doc: running,
    deps: {
      store,
      log: log.child({ mod: 'api' }),
      calls,
      firewall,
      trunkHealth: health,
      cdrs: cdrStore,
      system: systemInfoReader(),
      dataDir: args.dataDir,
    },
    sipTls: () => tlsFiles(running, args.dataDir, log),
    webRoot: join(CHECKOUT, 'web-ui', 'dist'),
    log: log.child({ mod: 'api' }),
  }).catch((err: unknown) => {
    log.error({ err }, 'admin API failed to start');
    return undefined;
  });
  if (admin) cdrs.onRecord((r) => admin.server.ctx.events.emit('cdr', r));

  store.onRunningChange((doc) => apply(doc, 'commit'));
  attachToStore(store, firewall, log);
  const confirmTimer = setInterval(() => store.checkConfirmDeadline(), 5000);
  confirmTimer.unref();

  process.on('SIGHUP', () => {
    // Another process (CLI, tests) may have committed, or a confirm deadline passed.
    store.checkConfirmDeadline();
    const doc = store.running();
    apply(doc, 'SIGHUP');
    firewall.apply(doc, 'SIGHUP').catch((err: unknown) => log.error({ err }, 'firewall apply failed: the previous table stays'));
  });

  // Under systemd (the appliance's sbcd.service): READY=1 and watchdog pings.
  const systemd = systemdNotifier((err) => log.error({ err }, 'systemd notifications unavailable'));
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    systemd.stopping();
    const graceMs = running.sip.shutdown_grace_s * 1000;
    log.info({ signal, calls: calls.callsInProgress, graceMs }, 'sbcd stopping');
    // New calls are refused from here on (shutdown starts draining at once);
    // the admin API closes meanwhile.
    const drained = calls.shutdown(graceMs);
    const adminClosed = (admin?.close() ?? Promise.resolve()).catch((err: unknown) => log.error({ err }, 'admin API close failed'));
    await drained;
    await adminClosed;
    await new Promise((r) => setTimeout(r, 200)); // let the last BYEs leave
    await mediaFactory.settled(2000); // every call's media stats logged, relays closed
    cdrs.close();
    cdrStore.close(); // the last call records written
    health.close();
    interfaceWatch?.close();
    await engine.close();
    media.stop();
    clearInterval(confirmTimer);
    // The table stays in the kernel: the box is protected while sbcd restarts.
    firewall.close();
    store.close();
    log.info('sbcd stopped');
    systemd.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  log.info(
    { listeners: options.listeners.map((l) => `${l.proto}:${l.ip}:${l.port}`) },
    'sbcd ready',
  );
  systemd.ready();
}

main().catch((err: unknown) => {
  process.stderr.write(`sbcd: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
