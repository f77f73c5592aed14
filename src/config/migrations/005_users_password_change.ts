// Migration 5: admin API (issue 8). An account can be made to change its
// password at its next login: the first-boot admin (whose generated password
// sat in a file) and accounts an admin created or reset.
export const version = 5;
export const name = 'users_password_change';

export const sql = `
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
`;
