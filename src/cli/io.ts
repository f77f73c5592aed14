// Terminal and script input for the shell: one readline over stdin, lines
// queued so the command loop and the wizard's questions read from the same
// stream (a script can answer the wizard on stdin). Secrets are read with
// the echo off: readline writes through a stream we mute while the secret
// is typed, and the line never enters the history.
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

export type Completer = (line: string) => Promise<[string[], string]>;

export interface Io {
  readonly interactive: boolean;
  out(text: string): void;
  err(text: string): void;
  // The next line (the prompt shown on a terminal), or undefined at the end of input.
  readLine(prompt: string): Promise<string | undefined>;
  readSecret(prompt: string): Promise<string | undefined>;
  close(): void;
}

class MutableOutput extends Writable {
  muted = false;
  constructor(private readonly target: NodeJS.WriteStream) {
    super();
  }
  get columns(): number {
    return this.target.columns ?? 80;
  }
  get rows(): number {
    return this.target.rows ?? 24;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    if (!this.muted) this.target.write(chunk);
    done();
  }
}

export function processIo(opts: { completer?: Completer } = {}): Io {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const output = new MutableOutput(process.stdout);
  const completer = opts.completer;
  const rl: Interface = createInterface({
    input: process.stdin,
    output,
    terminal: interactive,
    historySize: 200,
    ...(interactive && completer
      ? {
          completer: (line: string, cb: (err: Error | null, r: [string[], string]) => void) => {
            completer(line).then((r) => cb(null, r), () => cb(null, [[], line]));
          },
        }
      : {}),
  });
  const queue: string[] = [];
  const waiting: Array<(l: string | undefined) => void> = [];
  let ended = false;
  rl.on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else queue.push(l);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(undefined);
  });
  // Ctrl-C on a terminal drops the line being typed, as a shell does.
  rl.on('SIGINT', () => {
    output.muted = false;
    rl.write(null, { ctrl: true, name: 'u' });
    process.stdout.write('^C\n');
    rl.prompt();
  });
  const next = (): Promise<string | undefined> => {
    const l = queue.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (ended) return Promise.resolve(undefined);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const show = (prompt: string): void => {
    if (interactive) {
      rl.setPrompt(prompt);
      rl.prompt();
    } else if (prompt.trim() && !/[>#] $/.test(prompt)) {
      // A script answering questions: the question goes to the transcript, the answer does not.
      process.stdout.write(`${prompt}\n`);
    }
  };
  return {
    interactive,
    out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    readLine: async (prompt) => {
      show(prompt);
      return next();
    },
    readSecret: async (prompt) => {
      show(prompt);
      output.muted = true;
      try {
        const l = await next();
        const history = (rl as unknown as { history?: string[] }).history;
        if (interactive && history && l !== undefined && history[0] === l) history.shift();
        return l;
      } finally {
        output.muted = false;
        if (interactive) process.stdout.write('\n');
      }
    },
    close: () => rl.close(),
  };
}
