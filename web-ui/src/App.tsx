// The shell: login (and the forced password change) until there is a usable
// session, then the header, the navigation, the pending-changes bar and the
// page the hash names.
import { useEffect, useRef } from 'preact/hooks';
import { connected } from './api/events.js';
import { PendingBar } from './components/PendingBar.js';
import { Toast } from './components/Toast.js';
import { Nav } from './components/Nav.js';
import { route } from './router.js';
import { loadSession, logout, session } from './state/session.js';
import { LoginPage } from './pages/LoginPage.js';
import { PasswordPage } from './pages/PasswordPage.js';
import { pageFor } from './pages/index.js';

export function App() {
  useEffect(() => {
    void loadSession();
  }, []);
  // After a navigation, focus moves to the page (as a page load would), so
  // keyboard and screen-reader users start at its heading, not in the menu.
  const path = route.value.join('/');
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [path]);

  const s = session.value;
  if (s === undefined) return <p class="loading">Loading…</p>;
  if (s === null) return <LoginPage />;
  if (s.mustChangePassword) return <PasswordPage forced />;

  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">EdgeSBC</span>
        <span class={`live ${connected.value ? 'on' : 'off'}`} role="status" title="Live updates (server-sent events)">
          {connected.value ? 'Live' : 'Not live'}
        </span>
        <span class="spacer" />
        <span class="who">
          {s.user.name} ({s.user.role})
        </span>
        <a href="#/password">Change password</a>
        <button type="button" class="link" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <Nav />
      <PendingBar />
      <main id="main" tabIndex={-1}>
        {pageFor(route.value)}
      </main>
      <Toast />
    </div>
  );
}
