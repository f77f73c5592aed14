// Software updates of the appliance: a RAUC bundle (image/build --bundle) is
// written into the root slot not booted; the next boot tries it once, and
// edgesbc-mark-good keeps it only when sbcd answers (docs/appliance.md).
// The CLI and (later) POST /system/update call these.
import { existsSync } from 'node:fs';

import { runSystemAction, type ActionOptions } from './system-action.js';

export interface UpdateResult {
  ok: boolean;
  // RAUC's own words: progress lines, then the outcome or the reason it refused.
  output: string;
}

export async function installUpdate(bundlePath: string, opts: ActionOptions = {}): Promise<UpdateResult> {
  if (!/\.raucb$/.test(bundlePath)) return { ok: false, output: `${bundlePath}: not a RAUC bundle (.raucb)` };
  if (!existsSync(bundlePath)) return { ok: false, output: `${bundlePath}: no such file` };
  const r = await runSystemAction(['update', bundlePath], opts);
  return { ok: r.code === 0, output: r.output };
}

export interface SlotStatus {
  name: string;
  bootname: string | undefined;
  state: string | undefined;
  bootStatus: string | undefined;
  version: string | undefined;
}

export interface SystemStatus {
  booted: string | undefined;
  slots: SlotStatus[];
}

interface RaucSlotJson {
  bootname?: string;
  state?: string;
  boot_status?: string;
  slot_status?: { bundle?: { version?: string } };
}

// `rauc status --detailed --output-format=json`: which slot runs, each slot's state.
export function parseRaucStatus(json: string): SystemStatus {
  const doc = JSON.parse(json) as { booted?: string; slots?: Array<Record<string, RaucSlotJson>> };
  const slots: SlotStatus[] = [];
  for (const entry of doc.slots ?? []) {
    for (const [name, s] of Object.entries(entry)) {
      slots.push({
        name,
        bootname: s.bootname,
        state: s.state,
        bootStatus: s.boot_status,
        version: s.slot_status?.bundle?.version,
      });
    }
  }
  return { booted: doc.booted, slots };
}

export async function systemStatus(opts: ActionOptions = {}): Promise<SystemStatus> {
  const r = await runSystemAction(['status'], opts);
  if (r.code !== 0) throw new Error(`rauc status failed: ${r.output.trim()}`);
  return parseRaucStatus(r.output);
}
