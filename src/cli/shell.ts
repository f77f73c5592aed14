// The command language: operational mode (`show …`, `configure`, `setup`)
// and configure mode (`set`, `delete`, `show`, `show | compare`, `commit`,
// `confirm`, `rollback`, `discard`, `save`, `load`, `run`, `exit`). Every
// command is one or a few API calls over the local socket; the shell keeps
// only the mode and a copy of the candidate for completion.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { SbcdClient } from './client.js';
import { applyDelete, applySet, NeedsSecret } from './edit.js';
import { CliError, refused } from './errors.js';
import type { Io } from './io.js';
import { helpFor, nextWords, walk } from './schema-tree.js';
import { showOperational, SHOW_TOPICS, type Output } from './show.js';
import { table } from './table.js';
import { runWizard } from './wizard.js';
import { parseLines, splitWords, type Line } from './words.js';

type Obj = Record<string, unknown>;

export type Mode = 'operational' | 'configure';

// Commands and their one-line help, per mode: the source of `help` and of
// the first word's completion.
export const OPERATIONAL_COMMANDS: Record<string, string> = {
  show: 'show calls|trunks|routes|bans|system|log|configuration|history',
  configure: 'enter configure mode (edit the candidate config)',
  setup: 'the first-boot wizard: LAN address, admin password, Vonage trunk',
  help: 'this list; "WORDS ?" explains what may follow WORDS',
  exit: 'leave the CLI',
};

export const CONFIGURE_COMMANDS: Record<string, string> = {
  set: 'set PATH VALUE [FIELD VALUE…]: change the candidate (set trunks vonage region eu)',
  delete: 'delete PATH: remove an item, or reset a field to its default',
  show: 'show [PATH] the candidate; show | compare: what commit would change',
  commit: 'commit [confirmed MINUTES] [comment TEXT…]: make the candidate running',
  confirm: 'keep a "commit confirmed" (else it rolls back by itself)',
  rollback: 'rollback N: make commit N (see show history) running again',
  discard: 'throw the candidate away (it becomes the running config again)',
  save: 'save FILE: write the candidate as YAML (secrets masked)',
  load: 'load FILE: replace the candidate with a YAML or JSON document',
  run: 'run COMMAND: an operational command (run show calls)',
  help: 'this list; "WORDS ?" explains what may follow WORDS',
  exit: 'back to operational mode',
};

interface CommitInfo {
  id: number;
  at: string;
  user: string;
  comment: string;
  kind: string;
  confirmBy?: string;
  confirmState?: string;
}

export interface ShellOptions {
  json: boolean;
  // Scripts may run configuration commands without `configure` first.
  implicitConfigure: boolean;
}

export class Shell {
  mode: Mode = 'operational';
  done = false;
  private candidateCache: Obj | undefined;

  constructor(
    readonly client: SbcdClient,
    readonly io: Io,
    readonly opts: ShellOptions,
  ) {}

  get prompt(): string {
    return `${this.client.me?.user.name ?? 'sbc'}@${hostname()}${this.mode === 'configure' ? '# ' : '> '}`;
  }

  // Runs one input line (possibly several commands separated by ";").
  async runText(text: string): Promise<void> {
    for (const line of parseLines(text)) {
      if (this.done) return;
      await this.runLine(line);
    }
  }

  private print(out: Output): void {
    if (this.opts.json) this.io.out(JSON.stringify(out.data, null, 2));
    else if (out.text) this.io.out(out.text);
  }

  private async candidate(): Promise<Obj> {
    this.candidateCache = await this.client.get<Obj>('/config/candidate');
    return this.candidateCache;
  }

  private isConfigCommand(w: string): boolean {
    return w in CONFIGURE_COMMANDS && !(w in OPERATIONAL_COMMANDS);
  }

  async runLine(line: Line): Promise<void> {
    const [cmd, ...args] = line.words;
    if (line.help) return this.help(line.words);
    if (cmd === undefined) {
      if (line.pipe) throw refused('nothing before |');
      return;
    }
    if (line.pipe && !(cmd === 'show' && line.pipe.join(' ') === 'compare')) throw refused(`| ${line.pipe.join(' ')}: only "show | compare" exists`);
    if (this.mode === 'operational') {
      if (this.isConfigCommand(cmd) && this.opts.implicitConfigure) return this.configureCommand(cmd, args, line);
      if (cmd === 'show' && line.pipe) return this.showCompare();
      return this.operational(cmd, args);
    }
    return this.configureCommand(cmd, args, line);
  }

  private async operational(cmd: string, args: string[]): Promise<void> {
    switch (cmd) {
      case 'show':
        return this.showOperational(args);
      case 'configure':
        this.mode = 'configure';
        if (!this.opts.json && this.io.interactive) {
          const st = await this.client.get<{ changes: number }>('/config/status');
          this.io.out(`Entering configuration mode${st.changes ? ` (the candidate holds ${st.changes} uncommitted change(s): show | compare)` : ''}`);
        }
        return;
      case 'setup':
        await runWizard(this.client, this.io, { json: this.opts.json });
        return;
      case 'help':
        return this.help([]);
      case 'exit':
      case 'quit':
        this.done = true;
        return;
      default:
        if (this.isConfigCommand(cmd)) throw refused(`${cmd}: enter configure mode first (configure)`);
        throw refused(`unknown command "${cmd}": ${Object.keys(OPERATIONAL_COMMANDS).join(', ')}`);
    }
  }

  private async showOperational(args: string[]): Promise<void> {
    const [topic, ...rest] = args;
    if (topic === 'configuration') return this.showDocument('/config/running', rest);
    if (topic === 'history') return this.showHistory(rest);
    if (topic !== 'log' && rest.length > 0) throw refused(`show ${topic} takes no more words (a config path? show configuration ${topic} ${rest.join(' ')})`);
    this.print(await showOperational(this.client, topic, rest));
  }

  private async showDocument(route: string, path: string[]): Promise<void> {
    const doc = await this.client.get<Obj>(route);
    let value: unknown = doc;
    if (path.length > 0) {
      let leafValue: unknown;
      let isLeaf = false;
      const r = walk(doc, path, {
        create: false,
        onLeaf: (leaf, rest) => {
          if (rest.length > 0) throw refused(`${leaf.ptr} is a single value: nothing after ${leaf.key}`);
          isLeaf = true;
          leafValue = leaf.parent[leaf.key];
          return 0;
        },
      });
      value = isLeaf ? leafValue : r.place.at === 'container' ? r.place.value : undefined;
      if (value === undefined) throw refused(`${r.place.ptr}: does not exist`);
    }
    this.print({ data: value, text: typeof value === 'object' && value !== null ? toYaml(value).trimEnd() : String(value) });
  }

  private async showHistory(args: string[]): Promise<void> {
    const n = args[0] && /^\d+$/.test(args[0]) ? Number(args[0]) : 20;
    const list = await this.client.get<CommitInfo[]>(`/config/history?limit=${Math.min(Math.max(n, 1), 1000)}`);
    const text = table(
      ['ID', 'TIME', 'USER', 'KIND', 'COMMENT'],
      list.map((c) => [c.id, c.at, c.user, c.kind + (c.confirmState ? ` (${c.confirmState})` : ''), c.comment]),
    );
    this.print({ data: list, text });
  }

  private async showCompare(): Promise<void> {
    const r = await this.client.get<{ changes: Array<{ path: string; op: string; from?: unknown; to?: unknown }> }>('/config/diff');
    const show = (v: unknown): string => JSON.stringify(v);
    const text =
      r.changes.length === 0
        ? 'no changes: the candidate is the running config'
        : r.changes
            .map((c) => (c.op === 'add' ? `+ ${c.path}: ${show(c.to)}` : c.op === 'remove' ? `- ${c.path}: ${show(c.from)}` : `~ ${c.path}: ${show(c.from)} -> ${show(c.to)}`))
            .join('\n');
    this.print({ data: r.changes, text });
  }

  private async configureCommand(cmd: string, args: string[], line: Line): Promise<void> {
    switch (cmd) {
      case 'set':
      case 'delete':
        return this.edit(cmd, args);
      case 'show':
        if (line.pipe) return this.showCompare();
        return this.showDocument('/config/candidate', args);
      case 'commit':
        return this.commit(args);
      case 'confirm': {
        if (args.length) throw refused('confirm takes no arguments');
        const c = await this.client.call<CommitInfo>('POST', '/config/confirm', {});
        this.print({ data: c, text: `commit ${c.id} confirmed` });
        return;
      }
      case 'rollback': {
        if (args.length < 1 || !/^\d+$/.test(args[0]!)) throw refused('rollback N: N is a commit id from "show history"');
        const comment = args.slice(1).join(' ');
        const c = await this.client.call<CommitInfo>('POST', '/config/rollback', { n: Number(args[0]), ...(comment ? { comment } : {}) });
        this.print({ data: c, text: `commit ${c.id}: the config of commit ${args[0]} is running again` });
        return;
      }
      case 'discard':
        await this.client.call('POST', '/config/discard', {});
        this.print({ data: { ok: true }, text: 'candidate discarded: it is the running config again' });
        return;
      case 'save':
        return this.save(args);
      case 'load':
        return this.load(args);
      case 'run': {
        if (args.length === 0) throw refused('run what? e.g. run show calls');
        const saved = this.mode;
        this.mode = 'operational';
        try {
          await this.operational(args[0]!, args.slice(1));
        } finally {
          if (this.mode === 'operational' && !this.done) this.mode = saved;
        }
        return;
      }
      case 'help':
        return this.help([]);
      case 'exit':
      case 'quit': {
        if (this.mode === 'operational') {
          this.done = true;
          return;
        }
        const st = await this.client.get<{ changes: number }>('/config/status');
        if (st.changes && !this.opts.json) this.io.out(`The candidate keeps ${st.changes} uncommitted change(s) (commit, or discard).`);
        this.mode = 'operational';
        if (cmd === 'quit') this.done = true;
        return;
      }
      default:
        if (cmd in OPERATIONAL_COMMANDS) return this.operational(cmd, args);
        throw refused(`unknown command "${cmd}": ${Object.keys(CONFIGURE_COMMANDS).join(', ')}`);
    }
  }

  private async edit(cmd: 'set' | 'delete', words: string[]): Promise<void> {
    const doc = await this.candidate();
    let result;
    try {
      result = cmd === 'set' ? applySet(doc, words) : applyDelete(doc, words);
    } catch (err) {
      if (!(err instanceof NeedsSecret)) throw err;
      const secret = await this.io.readSecret(`${err.field} (not shown): `);
      if (secret === undefined) throw refused(`${err.ptr}: no value given`);
      result = applySet(doc, [...words, secret]);
    }
    this.candidateCache = await this.client.call<Obj>('PUT', '/config/candidate', result.doc);
    if (this.opts.json) this.io.out(JSON.stringify({ changed: result.paths }));
  }

  private async commit(args: string[]): Promise<void> {
    const body: { confirmMinutes?: number; comment?: string } = {};
    let i = 0;
    while (i < args.length) {
      const w = args[i]!;
      if (w === 'confirmed') {
        const n = args[i + 1];
        if (n === undefined || !/^\d+$/.test(n)) throw refused('commit confirmed MINUTES: the minutes (1..1440) before the automatic rollback');
        body.confirmMinutes = Number(n);
        i += 2;
      } else if (w === 'comment') {
        body.comment = args.slice(i + 1).join(' ');
        if (!body.comment) throw refused('commit comment TEXT: the text is missing');
        break;
      } else {
        throw refused(`commit: "${w}"? commit [confirmed MINUTES] [comment TEXT…]`);
      }
    }
    const c = await this.client.call<CommitInfo>('POST', '/config/commit', body);
    const text = c.confirmBy ? `commit ${c.id} done; it rolls back at ${c.confirmBy} unless you "confirm"` : `commit ${c.id} done`;
    this.print({ data: c, text });
  }

  private async save(args: string[]): Promise<void> {
    if (args.length !== 1) throw refused('save FILE');
    const res = await this.client.get<string>('/config/export?layer=candidate&format=yaml');
    try {
      writeFileSync(args[0]!, res, { mode: 0o600 });
    } catch (err) {
      throw refused(`cannot write ${args[0]}: ${(err as Error).message}`);
    }
    this.print({ data: { saved: args[0] }, text: `candidate written to ${args[0]} (secrets masked: loading it back keeps the stored ones)` });
  }

  private async load(args: string[]): Promise<void> {
    if (args.length !== 1) throw refused('load FILE');
    let text: string;
    try {
      text = readFileSync(args[0]!, 'utf8');
    } catch (err) {
      throw refused(`cannot read ${args[0]}: ${(err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = /\.json$/i.test(args[0]!) ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw refused(`${args[0]} is not valid ${/\.json$/i.test(args[0]!) ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
    }
    this.candidateCache = await this.client.call<Obj>('PUT', '/config/candidate', doc);
    this.print({ data: { loaded: args[0] }, text: `candidate replaced by ${args[0]}: show | compare, then commit` });
  }

  private async help(words: string[]): Promise<void> {
    const cmds = this.mode === 'configure' ? CONFIGURE_COMMANDS : OPERATIONAL_COMMANDS;
    const [cmd, ...rest] = words;
    let lines: string[];
    if (cmd === undefined) {
      const width = Math.max(...Object.keys(cmds).map((k) => k.length));
      lines = Object.entries(cmds).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
    } else if (cmd === 'set' || cmd === 'delete' || (cmd === 'show' && this.mode === 'configure')) {
      lines = helpFor(this.candidateCache ?? (await this.candidate()), rest);
    } else if (cmd === 'show') {
      lines = Object.entries(SHOW_TOPICS).map(([k, v]) => `  ${k.padEnd(13)}  ${v}`);
    } else {
      lines = [cmds[cmd] ?? `unknown command "${cmd}"`];
    }
    this.print({ data: lines, text: lines.join('\n') });
  }

  // Tab completion: command words, then the schema tree's next words.
  async complete(lineText: string): Promise<[string[], string]> {
    let split;
    try {
      split = splitWords(lineText);
    } catch {
      return [[], ''];
    }
    const words = split.words.slice();
    const partial = split.open ? (words.pop() ?? '') : '';
    const options = words.includes('\u0000|') ? ['compare'] : await this.candidatesAfter(words.filter((w) => !w.startsWith('\u0000')));
    const hits = options.filter((o) => o.startsWith(partial));
    return [hits.length === 1 ? [`${hits[0]} `] : hits, partial];
  }

  private async candidatesAfter(words: string[]): Promise<string[]> {
    let mode = this.mode;
    let [cmd, ...rest] = words;
    if (cmd === 'run' && mode === 'configure') {
      mode = 'operational';
      [cmd, ...rest] = rest;
    }
    if (cmd === undefined) return Object.keys(mode === 'configure' ? CONFIGURE_COMMANDS : OPERATIONAL_COMMANDS);
    if (cmd === 'set' || cmd === 'delete' || (cmd === 'show' && mode === 'configure')) {
      const doc = this.candidateCache ?? (await this.candidate().catch(() => ({})));
      return nextWords(doc, rest, { forDelete: cmd !== 'set' });
    }
    if (cmd === 'show') {
      if (rest.length === 0) return Object.keys(SHOW_TOPICS);
      return rest[0] === 'log' && rest.length === 1 ? ['sbcd'] : [];
    }
    if (cmd === 'commit') return rest.includes('comment') ? [] : ['confirmed', 'comment'];
    return [];
  }
}

export { CliError };
