// Change one's own password; `forced` is the first login with the default
// password, when the API refuses everything else until it is changed.
import { useState } from 'preact/hooks';
import { messageOf } from '../api/client.js';
import { announce } from '../components/Toast.js';
import { changePassword, logout, session } from '../state/session.js';

const MIN_LENGTH = 8; // userSchema.password.minLength

export function PasswordPage(p: { forced?: boolean }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const mismatch = again !== '' && again !== next;
  const short = next !== '' && next.length < MIN_LENGTH;
  const body = (
    <form
      class="card"
      aria-labelledby="pw-title"
      onSubmit={async (e) => {
        e.preventDefault();
        if (mismatch || short || !next) return;
        setBusy(true);
        setError('');
        try {
          await changePassword(current, next);
          setDone(true);
          setCurrent('');
          setNext('');
          setAgain('');
          announce('Password changed');
        } catch (err) {
          setError(messageOf(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h1 id="pw-title">{p.forced ? 'Choose a new password' : 'Change password'}</h1>
      {p.forced ? <p>This account still has its first-boot password. Choose your own before going on.</p> : null}
      <p class="help">Logged in as {session.value?.user.name}.</p>
      <label for="pw-current">Current password</label>
      <input id="pw-current" type="password" autoComplete="current-password" required value={current} onInput={(e) => setCurrent((e.currentTarget as HTMLInputElement).value)} />
      <label for="pw-next">New password</label>
      <input
        id="pw-next"
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_LENGTH}
        aria-describedby="pw-next-help"
        aria-invalid={short ? 'true' : undefined}
        value={next}
        onInput={(e) => setNext((e.currentTarget as HTMLInputElement).value)}
      />
      <p class="help" id="pw-next-help">
        At least {MIN_LENGTH} characters.
      </p>
      <label for="pw-again">New password again</label>
      <input
        id="pw-again"
        type="password"
        autoComplete="new-password"
        required
        aria-invalid={mismatch ? 'true' : undefined}
        aria-describedby={mismatch ? 'pw-again-err' : undefined}
        value={again}
        onInput={(e) => setAgain((e.currentTarget as HTMLInputElement).value)}
      />
      {mismatch ? (
        <p class="error" id="pw-again-err">
          The two new passwords differ.
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {done && !p.forced ? <p role="status">Password changed.</p> : null}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy || mismatch || short || !next || !current}>
          Change password
        </button>
        {p.forced ? (
          <button type="button" class="link" onClick={() => void logout()}>
            Log out
          </button>
        ) : null}
      </div>
    </form>
  );
  return p.forced ? (
    <main class="login" id="main">
      {body}
    </main>
  ) : (
    body
  );
}
