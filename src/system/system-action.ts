// Runs the appliance's privileged helper (/usr/lib/edgesbc/system-action):
// directly as root, through `sudo -n` otherwise (the admin's console; the
// sudoers rule allows that one program). Output lines are passed on as they come.
import { spawn } from 'node:child_process';

export const SYSTEM_ACTION = '/usr/lib/edgesbc/system-action';

export interface ActionResult {
  code: number;
  output: string;
}

export interface ActionOptions {
  // Each line of output (stdout and stderr) as it arrives.
  onLine?: (line: string) => void;
  // Tests point this at a stand-in.
  helper?: string;
  asRoot?: boolean;
}

export function runSystemAction(args: string[], opts: ActionOptions = {}): Promise<ActionResult> {
  const helper = opts.helper ?? SYSTEM_ACTION;
  const asRoot = opts.asRoot ?? process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? [helper, args] : ['sudo', ['-n', helper, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let partial = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output += text;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onLine?.(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial) opts.onLine?.(partial);
      resolve({ code: code ?? 1, output });
    });
  });
}
