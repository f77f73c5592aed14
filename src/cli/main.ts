#!/usr/bin/env node
// sbc: the EdgeSBC console CLI (docs/cli.md).
//
//   sbc                         interactive shell (a terminal), or commands from stdin (one a line)
//   sbc -c "show calls; …"      run these commands and exit
//   sbc show trunks             run one command and exit
//   sbc setup                   the first-boot wizard
//   options: --json, --socket PATH
//
// Exit codes: 0 ok, 1 input refused (the message names each field's path
// and the reason), 2 sbcd cannot be reached. A script stops at its first
// failing command.
import { parseArgs } from 'node:util';
import { SbcdClient } from './client.js';
import { CliError, EXIT_OK, EXIT_REFUSED } from './errors.js';
import { processIo, type Io } from './io.js';
import { Shell } from './shell.js';
import { defaultSocketPath } from './socket-path.js';
import { isEmbeddedDefault, runWizard } from './wizard.js';

const USAGE = `usage: sbc [--json] [--socket PATH] [-c "COMMAND; …" | COMMAND…]
  With no command: an interactive shell on a terminal, else commands from stdin.
  Exit codes: 0 ok, 1 input refused, 2 sbcd cannot be reached.
`;

function report(io: Io, err: unknown, json: boolean): number {
  if (!(err instanceof CliError)) {
    io.err(`sbc: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return EXIT_REFUSED;
  }
  const hint = err.code === 'ERR_PASSWORD_CHANGE_REQUIRED' ? ' (sbc setup sets it)' : '';
  if (json) {
    io.err(JSON.stringify({ error: { code: err.code ?? (err.exitCode === 2 ? 'ERR_UNREACHABLE' : 'ERR_REFUSED'), message: err.message + hint, problems: err.problems } }));
  } else {
    io.err(`error: ${err.message}${hint}`);
    for (const p of err.problems) io.err(`  ${p.path || '/'}: ${p.message}`);
  }
  return err.exitCode;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        command: { type: 'string', short: 'c' },
        json: { type: 'boolean' },
        socket: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`sbc: ${(err as Error).message}\n${USAGE}`);
    return EXIT_REFUSED;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const json = values.json ?? false;
  const client = new SbcdClient(values.socket ?? defaultSocketPath());
  let shell: Shell | undefined;
  const io = processIo({ completer: (line) => (shell ? shell.complete(line) : Promise.resolve([[], line])) });
  const script = values.command ?? (positionals.length > 0 ? positionals.map((w) => (/[\s;|"']/.test(w) ? JSON.stringify(w) : w)).join(' ') : undefined);
  const interactive = script === undefined && io.interactive;
  try {
    try {
      await client.login();
    } catch (err) {
      return report(io, err, json);
    }
    shell = new Shell(client, io, { json, implicitConfigure: !interactive });

    if (script !== undefined) {
      try {
        await shell.runText(script);
        return EXIT_OK;
      } catch (err) {
        return report(io, err, json);
      }
    }

    if (interactive) {
      const me = client.me!;
      io.out(`EdgeSBC CLI — ${me.user.name} (${me.user.role}). "help" lists the commands, "?" after words explains, Tab completes.`);
      let firstBoot = me.mustChangePassword;
      if (!firstBoot) {
        try {
          firstBoot = isEmbeddedDefault(await client.get('/config/running'));
        } catch {
          firstBoot = false;
        }
      }
      if (firstBoot && me.user.role !== 'viewer') {
        io.out('This box is not set up yet: the setup wizard starts (Ctrl-D leaves it; "setup" runs it again).');
        try {
          await runWizard(client, io, { json });
        } catch (err) {
          report(io, err, json);
        }
      }
    }

    // The command loop: on a terminal errors are shown and the loop goes on;
    // from stdin the first failure ends the run with its exit code.
    for (;;) {
      const line = await io.readLine(shell.prompt);
      if (line === undefined || shell.done) break;
      try {
        await shell.runText(line);
      } catch (err) {
        const code = report(io, err, json);
        if (!interactive) return code;
      }
      if (shell.done) break;
    }
    return EXIT_OK;
  } finally {
    await client.logout();
    client.close();
    io.close();
  }
}

// `sbc show calls | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

main().then(
  (code) => {
    process.exitCode = code;
    // stdin may stay open (a terminal, a pipe nobody closes): do not wait for it.
    setImmediate(() => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`sbc: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
