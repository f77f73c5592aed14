// systemd notifications (sd_notify) for sbcd under sbcd.service (Type=notify,
// WatchdogSec): READY=1 once it listens, WATCHDOG=1 from the event loop so a
// stuck loop gets sbcd restarted, STOPPING=1 on the way out.
//
// Node has no AF_UNIX datagram sockets, so one long-lived socat child carries
// the lines to $NOTIFY_SOCKET. It lives as long as sbcd (a short-lived sender
// per message may exit before systemd reads its cgroup and have the message
// dropped); NotifyAccess=all lets systemd take them from the child.
import { spawn, type ChildProcess } from 'node:child_process';

export interface SystemdNotifier {
  ready(): void;
  stopping(): void;
  close(): void;
}

const NONE: SystemdNotifier = { ready() {}, stopping() {}, close() {} };

// Watchdog period from $WATCHDOG_USEC (set by systemd with WatchdogSec=);
// undefined when there is none or it is meant for another process.
export function watchdogIntervalMs(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(500, Math.floor(usec / 1000 / 3));
}

export function systemdNotifier(onError: (err: Error) => void, env: NodeJS.ProcessEnv = process.env): SystemdNotifier {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return NONE;
  // An abstract socket name starts with "@"; socat spells it ABSTRACT-SENDTO.
  const address = socket.startsWith('@') ? `ABSTRACT-SENDTO:${socket.slice(1)}` : `UNIX-SENDTO:${socket}`;
  let child: ChildProcess | undefined = spawn('socat', ['-u', 'STDIN', address], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('error', (err) => {
    onError(err);
    child = undefined;
  });
  child.on('exit', () => {
    child = undefined;
  });
  child.stdin?.on('error', () => {});
  const send = (line: string): void => {
    child?.stdin?.write(`${line}\n`);
  };
  const period = watchdogIntervalMs(env);
  const timer = period === undefined ? undefined : setInterval(() => send('WATCHDOG=1'), period);
  timer?.unref();
  return {
    ready: () => send(`READY=1\nMAINPID=${process.pid}`),
    stopping: () => send('STOPPING=1'),
    close: () => {
      if (timer) clearInterval(timer);
      child?.stdin?.end();
      child = undefined;
    },
  };
}
