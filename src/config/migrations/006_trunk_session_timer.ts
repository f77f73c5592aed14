// Migration 6: per-trunk session timer settings (issue 5, V-OUT-11): a JSON
// column like `register`; '{}' = all defaults (mode inherit, 0 = the global
// sip.session_timer values), filled in by the schema when the layer is read,
// so every existing trunk keeps behaving as before.
export const version = 6;
export const name = 'trunk_session_timer';

export const sql = `
ALTER TABLE trunks ADD COLUMN session_timer TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(session_timer));
`;
