// Admin accounts (admin only): list, add with a role, delete.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api/client.js';
import { listIn, str } from '../api/shapes.js';
import { announce } from '../components/Toast.js';
import { session } from '../state/session.js';

const ROLES = [
  { role: 'viewer', help: 'read only' },
  { role: 'operator', help: 'edit and commit config, clear bans' },
  { role: 'admin', help: 'everything, users too' },
];

export function UsersPage() {
  const [users, setUsers] = useState<Array<{ name: string; role: string; mustChange: boolean }> | undefined>(undefined);
  const [error, setError] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('viewer');
  const [mustChange, setMustChange] = useState(true);
  const load = (): void => {
    api.get<unknown>('/users').then(
      (b) => setUsers(listIn(b, 'users').map((u) => ({ name: str(u.name), role: str(u.role), mustChange: u.mustChangePassword === true }))),
      (err: unknown) => setError(messageOf(err)),
    );
  };
  useEffect(load, []);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Users</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {users ? (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.name}>
                <th scope="row">{u.name}</th>
                <td>
                  {u.role}
                  {u.mustChange ? <span class="muted"> (must change password)</span> : null}
                </td>
                <td>
                  {u.name === session.value?.user.name ? (
                    <span class="muted">you</span>
                  ) : (
                    <button
                      type="button"
                      class="small danger"
                      aria-label={`Delete user ${u.name}`}
                      onClick={async () => {
                        if (!confirm(`Delete user ${u.name}?`)) return;
                        try {
                          await api.del(`/users/${encodeURIComponent(u.name)}`);
                          announce(`User ${u.name} deleted`);
                          load();
                        } catch (err) {
                          setError(messageOf(err));
                        }
                      }}
                    >
                      Delete
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="loading">Loading…</p>
      )}
      <h2>Add a user</h2>
      <form
        class="card narrow"
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api.post('/users', { name, password, role, mustChangePassword: mustChange });
            announce(`User ${name} added`);
            setName('');
            setPassword('');
            setError('');
            load();
          } catch (err) {
            setError(messageOf(err));
          }
        }}
      >
        <label for="u-name">Name</label>
        <input id="u-name" required pattern="[a-z0-9_-]{1,32}" value={name} aria-describedby="u-name-help" onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
        <p class="help" id="u-name-help">
          a–z, 0–9, _ and -, up to 32 characters.
        </p>
        <label for="u-password">Password</label>
        <input id="u-password" type="password" autoComplete="new-password" required minLength={8} value={password} onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
        <fieldset>
          <legend>Role</legend>
          {ROLES.map((r) => (
            <label class="inline" key={r.role}>
              <input type="radio" name="u-role" value={r.role} checked={role === r.role} onChange={() => setRole(r.role)} />
              {r.role} <span class="muted">({r.help})</span>
            </label>
          ))}
        </fieldset>
        <label class="inline">
          <input type="checkbox" checked={mustChange} onChange={(e) => setMustChange((e.currentTarget as HTMLInputElement).checked)} />
          Must choose a new password at the first login
        </label>
        <button type="submit" class="primary">
          Add user
        </button>
      </form>
    </section>
  );
}
