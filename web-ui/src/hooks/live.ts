// Data that changes on its own: fetched once, fetched again when its server-
// sent event arrives (the event's own list is used when it carries one), and
// polled while the page is open for what no event announces (media stats).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { onEvent, type EventName } from '../api/events.js';

export interface Live<T> {
  data: T | undefined;
  error: string;
  reload: () => void;
}

export function useLive<T>(path: string, event: EventName | undefined, pollMs: number, fromEvent?: (payload: unknown) => T | undefined): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState('');
  const seq = useRef(0);
  const load = (): void => {
    const mine = ++seq.current;
    api.get<T>(path).then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError('');
      },
      (err: unknown) => {
        if (mine === seq.current) setError(messageOf(err));
      },
    );
  };
  useEffect(() => {
    load();
    const off = event
      ? onEvent(event, (payload) => {
          const d = fromEvent?.(payload);
          if (d !== undefined) {
            seq.current++;
            setData(d);
          } else load();
        })
      : () => undefined;
    const t = pollMs > 0 ? setInterval(() => document.visibilityState === 'visible' && load(), pollMs) : undefined;
    return () => {
      off();
      if (t) clearInterval(t);
    };
  }, [path]);
  return { data, error, reload: load };
}
