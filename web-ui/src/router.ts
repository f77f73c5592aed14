// Hash routing (#/config/trunks/vonage): the server only ever serves
// index.html, reloads and bookmarks land on the same page, and no server-side
// fallback is needed.
import { signal } from '@preact/signals';

function current(): string[] {
  const h = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  return h ? h.split('/').filter(Boolean) : [];
}

/** The path segments after `#/`: `#/config/trunks/vonage` → ['config', 'trunks', 'vonage']. */
export const route = signal<string[]>(current());

addEventListener('hashchange', () => {
  route.value = current();
});

export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(...segments: string[]): void {
  location.hash = href(...segments).slice(1);
}
