// Short confirmations ("Committed") read out by screen readers through a
// polite live region, shown for a few seconds.
import { signal } from '@preact/signals';

const message = signal('');
let timer: ReturnType<typeof setTimeout> | undefined;

export function announce(text: string): void {
  message.value = text;
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => (message.value = ''), 5000);
}

export function Toast() {
  return (
    <div class={`toast${message.value ? ' show' : ''}`} role="status" aria-live="polite">
      {message.value}
    </div>
  );
}
