// Who is logged in. `undefined` while the first /auth/me is on its way, `null`
// when nobody is: the app shows the login form then.
import { computed, signal } from '@preact/signals';
import { api, onSessionTrouble, setCsrfToken } from '../api/client.js';
import { startEvents, stopEvents } from '../api/events.js';

export type Role = 'admin' | 'operator' | 'viewer';

export interface Session {
  user: { name: string; role: Role };
  mustChangePassword: boolean;
  csrfToken: string;
}

export const session = signal<Session | null | undefined>(undefined);

export const role = computed<Role | undefined>(() => session.value?.user.role);
/** Operators and admins edit the candidate and commit; viewers only look. */
export const canEdit = computed(() => role.value === 'admin' || role.value === 'operator');
export const isAdmin = computed(() => role.value === 'admin');

function adopt(s: Session | null): void {
  session.value = s;
  setCsrfToken(s?.csrfToken ?? '');
  if (s && !s.mustChangePassword) startEvents();
  else stopEvents();
}

onSessionTrouble({
  unauthorized: () => adopt(null),
  passwordChangeRequired: () => {
    if (session.value) adopt({ ...session.value, mustChangePassword: true });
  },
});

export async function loadSession(): Promise<void> {
  try {
    adopt(await api.get<Session>('/auth/me'));
  } catch {
    adopt(null);
  }
}

export async function login(name: string, password: string): Promise<Session> {
  const s = await api.post<Session>('/auth/login', { name, password }, { quiet401: true });
  adopt(s);
  return s;
}

export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout');
  } finally {
    adopt(null);
    // The next person to log in starts at the dashboard, not on this one's page.
    location.hash = '#/';
  }
}

export async function changePassword(current: string, next: string): Promise<void> {
  const r = await api.post<Partial<Session> | undefined>('/auth/password', { current, next }, { quiet401: true });
  const s = session.value;
  if (r && r.user && r.csrfToken) adopt(r as Session);
  else if (s) adopt({ ...s, mustChangePassword: false });
}
