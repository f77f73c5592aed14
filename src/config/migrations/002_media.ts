// Migration 2: media policy (issue 4). Each side, trunk and PBX gets a JSON
// column for its `media` object; '{}' means "all defaults", which the
// schema fills in when the layer is read.
export const version = 2;
export const name = 'media';

export const sql = `
ALTER TABLE sides ADD COLUMN media TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(media));
ALTER TABLE trunks ADD COLUMN media TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(media));
ALTER TABLE pbxs ADD COLUMN media TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(media));
`;
