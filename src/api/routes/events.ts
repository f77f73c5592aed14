// GET /events: Server-Sent Events for the web UI. Event names: `calls`
// ({count, calls} when a call starts or ends, and every few seconds while
// calls are up, for fresh media statistics), `trunk-health` (the rows, when
// they change), `bans` ({bans}, when they change), `commit` (the commit's
// info: a new running config), `candidate` ({changes}), `cdr` (a record
// just written). A comment line every 15 s keeps proxies from closing it.
// The live sources are polled only while at least one stream is open.
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import type { ApiEventName } from '../events.js';
import { ERROR_RESPONSES, errorSchema } from '../schemas.js';

const KEEPALIVE_MS = 15_000;
const CALLS_REFRESH_MS = 5_000;
const POLL_MS = 5_000;
const CALLS_DEBOUNCE_MS = 300;
const MAX_STREAMS = 64;

// Feeds the hub from the live sources while anyone listens.
class LiveFeeds {
  private timer: NodeJS.Timeout | undefined;
  private callsTimer: NodeJS.Timeout | undefined;
  private lastHealth = '';
  private lastBans = '';
  private lastCallsSent = 0;
  private readonly unwatch: (() => void) | undefined;

  constructor(private readonly ctx: ApiContext) {
    this.unwatch = ctx.calls?.watch({ started: () => this.callsChanged(), ended: () => this.callsChanged() });
  }

  start(): void {
    if (this.timer) return;
    this.lastHealth = '';
    this.lastBans = '';
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
    this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    clearTimeout(this.callsTimer);
    this.unwatch?.();
  }

  private callsChanged(): void {
    if (this.ctx.events.subscribers === 0 || this.callsTimer) return;
    this.callsTimer = setTimeout(() => {
      this.callsTimer = undefined;
      void this.sendCalls();
    }, CALLS_DEBOUNCE_MS);
    this.callsTimer.unref();
  }

  private async sendCalls(): Promise<void> {
    const calls = this.ctx.calls;
    if (!calls || this.ctx.events.subscribers === 0) return;
    this.lastCallsSent = Date.now();
    const list = await calls.snapshot();
    this.ctx.events.emit('calls', { count: list.length, calls: list });
  }

  private poll(): void {
    const { ctx } = this;
    if (ctx.calls && ctx.calls.callsInProgress > 0 && Date.now() - this.lastCallsSent >= CALLS_REFRESH_MS - 100) void this.sendCalls();
    if (ctx.trunkHealth) {
      const rows = ctx.trunkHealth.trunkHealth();
      const text = JSON.stringify(rows);
      if (text !== this.lastHealth) {
        this.lastHealth = text;
        ctx.events.emit('trunk-health', rows);
      }
    }
    if (ctx.firewall) {
      const bans = ctx.firewall.listBans();
      const text = JSON.stringify(bans.map((b) => [b.ip, b.reason]));
      if (text !== this.lastBans) {
        this.lastBans = text;
        ctx.events.emit('bans', { bans });
      }
    }
  }
}

export async function eventRoutes(app: FastifyInstance, { ctx }: { ctx: ApiContext }): Promise<void> {
  const feeds = new LiveFeeds(ctx);
  const unsubscribeCommits = ctx.store.onRunningChange((_doc, commit) => ctx.events.emit('commit', commit));
  app.addHook('onClose', async () => {
    feeds.close();
    unsubscribeCommits();
  });

  app.get('/events', {
    config: { role: 'viewer' },
    schema: {
      tags: ['live'],
      summary: 'Server-Sent Events: calls, trunk-health, bans, commit, candidate, cdr',
      response: { 200: { type: 'string', description: 'text/event-stream' }, ...ERROR_RESPONSES, 503: errorSchema },
    },
  }, async (req, reply) => {
    if (ctx.events.subscribers >= MAX_STREAMS) {
      return reply.code(503).send({ error: { code: 'ERR_TOO_MANY_STREAMS', message: `at most ${MAX_STREAMS} event streams: close another tab` } });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    const session = req.caller!.session;
    const write = (text: string): void => {
      // The session ended (logout, idle expiry, password change): so does
      // the stream. Events are not use: an open dashboard still times out.
      if (!ctx.sessions.isLive(session.id)) {
        res.end();
        return;
      }
      res.write(text);
    };
    write(`retry: 3000\n: connected\n\n`);
    const unsubscribe = ctx.events.subscribe((name: ApiEventName, data: unknown) => {
      write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    feeds.start();
    const keepalive = setInterval(() => write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    const done = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      if (ctx.events.subscribers === 0) feeds.stop();
    };
    res.on('close', done);
    // The current state at once, so a fresh page needs no extra request.
    if (ctx.calls) {
      const list = await ctx.calls.snapshot();
      write(`event: calls\ndata: ${JSON.stringify({ count: list.length, calls: list })}\n\n`);
    }
  });
}
