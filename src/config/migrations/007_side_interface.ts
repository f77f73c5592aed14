// Migration 7: a side may follow a network interface (issue 7 item 5):
// its SIP listeners and media use the interface's address, re-read when it
// changes. '' = the side's configured addresses, as before.
export const version = 7;
export const name = 'side_interface';

export const sql = `
ALTER TABLE sides ADD COLUMN interface TEXT NOT NULL DEFAULT '';
`;
