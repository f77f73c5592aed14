// The session timer settings on the leg toward a trunk (V-OUT-11): the
// trunk's `session_timer` over the global `sip.session_timer`. mode inherit
// keeps the global on/off; 0 for expires_s / min_se_s keeps the global value.
// Config validation makes sure min_se_s <= expires_s after this merge.
import type { TrunkSessionTimerConfig } from '../config/document.js';
import type { SessionTimerSettings } from '../calls/session-timer.js';

export function trunkSessionTimer(global: SessionTimerSettings, trunk: TrunkSessionTimerConfig | undefined): SessionTimerSettings {
  if (!trunk) return global;
  const enabled = trunk.mode === 'inherit' ? global.enabled : trunk.mode === 'on';
  const expiresS = trunk.expires_s > 0 ? trunk.expires_s : global.expiresS;
  const minSeS = trunk.min_se_s > 0 ? trunk.min_se_s : global.minSeS;
  // Never ask for less than we accept, whatever a stale document says.
  return { enabled, expiresS: Math.max(expiresS, minSeS), minSeS };
}
