// The first-boot admin account. A box with no users gets `admin` with a
// random password that must be changed at the first login; the password is
// written to a file only root (the owner) can read in the data directory and
// is never logged. Changing it deletes the file.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigStore } from '../../config/store.js';
import type { Logger } from '../../log.js';

export const FIRST_BOOT_USER = 'admin';
export const PASSWORD_FILE = 'admin-password';

export function firstBootPasswordFile(dataDir: string): string {
  return join(dataDir, PASSWORD_FILE);
}

// 144 random bits, in letters and digits people can type.
function newPassword(): string {
  return randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
}

// Creates the account when there are no users at all; returns whether it did.
export async function ensureFirstBootAdmin(store: ConfigStore, dataDir: string, log: Logger): Promise<boolean> {
  if (store.listUsers().length > 0) return false;
  const password = newPassword();
  const file = firstBootPasswordFile(dataDir);
  // The file first: an account whose password nobody can learn would lock the admin out.
  rmSync(file, { force: true });
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${password}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  await store.addUser(
    { name: FIRST_BOOT_USER, password, role: 'admin' },
    { user: 'system', source: 'first-boot' },
    { mustChangePassword: true },
  );
  log.warn({ user: FIRST_BOOT_USER, file }, 'first boot: admin account created; its password is in the file (change it at the first login)');
  return true;
}

// The first-boot password was changed: the file no longer holds a valid password.
export function forgetFirstBootPassword(dataDir: string | undefined): void {
  if (!dataDir) return;
  const file = firstBootPasswordFile(dataDir);
  if (existsSync(file)) rmSync(file, { force: true });
}
