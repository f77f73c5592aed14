// Tells the live event stream that the candidate changed (the UI's
// pending-changes bar).
import type { ApiContext } from '../context.js';

export function candidateChanged(ctx: ApiContext): void {
  if (ctx.events.subscribers === 0) return;
  ctx.events.emit('candidate', { changes: ctx.store.diff().length });
}
