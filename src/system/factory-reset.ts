// Factory reset: the data partition (config, call records, passwords, SSH host
// keys) is made empty by the initramfs at the next boot, which starts now.
// The box comes back as first shipped: DHCP on the LAN port, the default config.
import { runSystemAction, type ActionOptions, type ActionResult } from './system-action.js';

export function factoryReset(opts: ActionOptions = {}): Promise<ActionResult> {
  return runSystemAction(['factory-reset'], opts);
}

export function reboot(opts: ActionOptions = {}): Promise<ActionResult> {
  return runSystemAction(['reboot'], opts);
}
