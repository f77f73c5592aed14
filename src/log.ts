// One pino logger for the daemon; modules take a child with their own `mod`
// so a log line says which layer wrote it. Secrets are redacted by path so a
// careless `log.info({trunk})` can't leak a digest secret or a password.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { app: 'sbcd' },
    redact: {
      paths: [
        '*.secret', '*.password', '*.*.secret', '*.*.password', 'secret', 'password', 'authorization',
        'api_secret', '*.api_secret', '*.*.api_secret',
      ],
      censor: '********',
    },
  });
}
