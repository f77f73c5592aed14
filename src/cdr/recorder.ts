// Writes a call record for every call that ends, and keeps cdr.db within
// its retention. The media statistics of a call arrive a moment after it
// ended (the engine answers asynchronously); a record waits for them at
// most STATS_WAIT_MS and is written without them after that.
import type { CallWatcher, EndedCall } from '../calls/call-controller.js';
import type { CdrConfig } from '../config/document.js';
import type { Logger } from '../log.js';
import { recordOf, type CallRecord } from './record.js';
import type { CdrStore } from './store.js';

const STATS_WAIT_MS = 2000;
const PRUNE_EVERY_MS = 3600_000;
const DAY_MS = 86_400_000;

export interface CallSource {
  watch(watcher: CallWatcher): () => void;
}

export class CdrRecorder {
  private config: CdrConfig;
  private readonly unwatch: () => void;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly listeners = new Set<(r: CallRecord) => void>();

  constructor(
    calls: CallSource,
    private readonly store: CdrStore,
    config: CdrConfig,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.config = config;
    this.unwatch = calls.watch({ ended: (c) => void this.onEnded(c) });
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    this.prune();
  }

  applyConfig(config: CdrConfig): void {
    const shorter = config.retention_days < this.config.retention_days;
    this.config = config;
    if (shorter) this.prune();
  }

  // Told of every record written (the admin API's live events).
  onRecord(listener: (r: CallRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  prune(): number {
    try {
      const n = this.store.prune(this.clock() - this.config.retention_days * DAY_MS);
      if (n > 0) this.log.info({ deleted: n, retentionDays: this.config.retention_days }, 'old call records deleted');
      return n;
    } catch (err) {
      this.log.error({ err }, 'call record pruning failed');
      return 0;
    }
  }

  close(): void {
    this.unwatch();
    clearInterval(this.pruneTimer);
    this.listeners.clear();
  }

  private async onEnded(call: EndedCall): Promise<void> {
    if (!this.config.enabled) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<unknown[]>((resolve) => {
      timer = setTimeout(() => resolve([]), STATS_WAIT_MS);
      timer.unref();
    });
    const media = await Promise.race([call.media.catch(() => []), late]);
    clearTimeout(timer);
    const record = recordOf(call, media);
    try {
      this.store.add(record);
    } catch (err) {
      this.log.error({ err, call: call.id }, 'call record not written');
      return;
    }
    for (const l of this.listeners) l(record);
  }
}
