// Admin accounts. Hashes never leave this file: listUsers() returns names
// and roles only.
import type Database from 'better-sqlite3';
import { Ajv, type ValidateFunction } from 'ajv';
import type { UserInfo, UserInput, UserRole } from './document.js';
import { ConfigError, ConfigStateError } from './errors.js';
import { burnPasswordCheck, checkPassword, hashPassword } from './password.js';
import { userSchema } from './schema/index.js';

type DB = Database.Database;

let compiled: ValidateFunction<UserInput> | undefined;

export function validateUser(input: unknown): UserInput {
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(userSchema);
  const copy: unknown = structuredClone(input);
  if (!compiled(copy)) {
    throw new ConfigError(
      (compiled.errors ?? []).map((e) => ({
        path: e.keyword === 'required' ? `${e.instancePath}/${String(e.params.missingProperty)}` : e.instancePath,
        // never echo the password back, even in an error
        message: e.keyword === 'additionalProperties' ? `unknown field ${String(e.params.additionalProperty)}` : (e.message ?? e.keyword),
      })),
    );
  }
  return copy;
}

// An account as the admin API sees it: the info plus whether the password
// must be changed at the next login (first-boot default, admin-set).
export interface UserAccount extends UserInfo {
  must_change_password: boolean;
}

export interface PasswordOptions {
  // The user must change this password before doing anything else (default false).
  mustChangePassword?: boolean;
}

export async function addUser(db: DB, input: unknown, at: string, opts: PasswordOptions = {}): Promise<UserInfo> {
  const u = validateUser(input);
  const hash = await hashPassword(u.password);
  const exists = db.prepare('SELECT 1 FROM users WHERE name = ?').get(u.name);
  if (exists) throw new ConfigStateError('ERR_CONFIG_USER_EXISTS', `user "${u.name}" exists`);
  db.prepare(
    'INSERT INTO users (name, password_hash, role, created_at, updated_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(u.name, hash, u.role, at, at, opts.mustChangePassword ? 1 : 0);
  return { name: u.name, role: u.role, created_at: at, updated_at: at };
}

export async function setPassword(db: DB, name: string, password: string, at: string, opts: PasswordOptions = {}): Promise<void> {
  const existing = db.prepare('SELECT role FROM users WHERE name = ?').get(name) as { role: UserRole } | undefined;
  if (!existing) throw new ConfigStateError('ERR_CONFIG_NO_SUCH_USER', `no user "${name}"`);
  validateUser({ name, password, role: existing.role });
  const hash = await hashPassword(password);
  db.prepare('UPDATE users SET password_hash = ?, updated_at = ?, must_change_password = ? WHERE name = ?').run(
    hash,
    at,
    opts.mustChangePassword ? 1 : 0,
    name,
  );
}

// Returns the role the user had.
export function setRole(db: DB, name: string, role: UserRole, at: string): UserRole {
  const existing = db.prepare('SELECT role FROM users WHERE name = ?').get(name) as { role: UserRole } | undefined;
  if (!existing) throw new ConfigStateError('ERR_CONFIG_NO_SUCH_USER', `no user "${name}"`);
  validateUser({ name, password: 'placeholder-not-stored', role });
  db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE name = ?').run(role, at, name);
  return existing.role;
}

export function getUser(db: DB, name: string): UserAccount | undefined {
  const row = db
    .prepare('SELECT name, role, created_at, updated_at, must_change_password FROM users WHERE name = ?')
    .get(name) as (UserInfo & { must_change_password: number }) | undefined;
  return row ? { ...row, must_change_password: row.must_change_password === 1 } : undefined;
}

export function deleteUser(db: DB, name: string): void {
  const r = db.prepare('DELETE FROM users WHERE name = ?').run(name);
  if (r.changes === 0) throw new ConfigStateError('ERR_CONFIG_NO_SUCH_USER', `no user "${name}"`);
}

export function listUsers(db: DB): UserInfo[] {
  return db.prepare('SELECT name, role, created_at, updated_at FROM users ORDER BY name').all() as UserInfo[];
}

// The role when name/password are right, else null.
export async function verifyPassword(db: DB, name: string, password: string): Promise<UserRole | null> {
  const row = db.prepare('SELECT password_hash, role FROM users WHERE name = ?').get(name) as
    | { password_hash: string; role: UserRole }
    | undefined;
  if (!row) return burnPasswordCheck(password).then(() => null);
  return (await checkPassword(password, row.password_hash)) ? row.role : null;
}
