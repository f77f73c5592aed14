// Live updates for the web UI, sent as Server-Sent Events (routes/events.ts):
// one hub, many subscribers (open /events streams).
export const EVENT_NAMES = ['calls', 'trunk-health', 'bans', 'commit', 'candidate', 'cdr'] as const;
export type ApiEventName = (typeof EVENT_NAMES)[number];

export type EventListener = (name: ApiEventName, data: unknown) => void;

export class ApiEvents {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  emit(name: ApiEventName, data: unknown): void {
    for (const l of this.listeners) {
      try {
        l(name, data);
      } catch {
        // a broken stream is dropped by its own close handler
      }
    }
  }
}
