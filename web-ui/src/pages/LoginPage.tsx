import { useState } from 'preact/hooks';
import { messageOf } from '../api/client.js';
import { login } from '../state/session.js';

export function LoginPage() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main class="login" id="main">
      <form
        class="card"
        aria-labelledby="login-title"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            await login(name, password);
          } catch (err) {
            setError(messageOf(err));
            setPassword('');
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1 id="login-title">EdgeSBC admin</h1>
        <label for="login-name">User name</label>
        <input id="login-name" name="username" autoComplete="username" required autoFocus value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
        />
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
