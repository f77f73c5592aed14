// Every migration, in order. Add a file NNN_name.ts and list it here;
// never edit one that has shipped.
import * as m001 from './001_initial.js';
import * as m002 from './002_media.js';
import * as m003 from './003_firewall.js';
import * as m004 from './004_trunks.js';
import * as m005 from './005_users_password_change.js';
import * as m006 from './006_trunk_session_timer.js';
import * as m007 from './007_side_interface.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007];
