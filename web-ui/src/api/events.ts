// Live updates: one EventSource on /api/v1/events for the whole app. Pages
// subscribe to the event names they show (calls, trunk-health, bans, commit);
// the browser reconnects by itself, and `connected` tells the header whether
// what is on screen is live.
import { signal } from '@preact/signals';
import { API_BASE } from './client.js';

// src/api/events.ts EVENT_NAMES
export type EventName = 'calls' | 'trunk-health' | 'bans' | 'commit' | 'candidate' | 'cdr';
type Listener = (data: unknown) => void;

export const connected = signal(false);

const listeners = new Map<EventName, Set<Listener>>();
let source: EventSource | undefined;

function dispatch(name: EventName, ev: MessageEvent<string>): void {
  let data: unknown = ev.data;
  try {
    data = JSON.parse(ev.data);
  } catch {
    // plain-text payloads are passed as they are
  }
  for (const l of listeners.get(name) ?? []) l(data);
}

export function startEvents(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource(`${API_BASE}/events`, { withCredentials: true });
  source.onopen = () => {
    connected.value = true;
  };
  source.onerror = () => {
    connected.value = false;
  };
  for (const name of ['calls', 'trunk-health', 'bans', 'commit', 'candidate', 'cdr'] as const) {
    source.addEventListener(name, (ev) => dispatch(name, ev as MessageEvent<string>));
  }
}

export function stopEvents(): void {
  source?.close();
  source = undefined;
  connected.value = false;
}

/** Subscribe; returns the unsubscribe function (use it as an effect cleanup). */
export function onEvent(name: EventName, l: Listener): () => void {
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(l);
  return () => set.delete(l);
}
