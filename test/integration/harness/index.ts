// The integration test harness: the real daemon, real SIPp, loopback only.
// See /work/main/test/integration/harness/README.md for the addressing plan.
export { ADDR, startSbcd, defaultTestConfig, deepMerge, SbcdStartError } from './sbcd.js';
export type { Sbcd, StartSbcdOptions, ConfigDoc, PartialConfig, SideAddr, LogLine, ExitResult } from './sbcd.js';
export { runSipp, startSipp, describeSipp, parseStats } from './sipp.js';
export type { SippArgs, SippResult, SippHandle, SippStats } from './sipp.js';
export { parseMessages, header, headerValues, cseqMethod, select, param, ipPattern } from './sip-log.js';
export type { SipMessage } from './sip-log.js';
export { freePort, tmpDir } from './ports.js';
export { repoRoot, daemonPath, scenariosDir, scenarioPath } from './paths.js';
export { callThrough, ends, assertAllPassed, identityOf, assertNothingLeaks, assertReceivedNothing } from './flows.js';
export type { Direction, CallFlow, Ends, Identity } from './flows.js';
export * from './netns.js';
export { anchoredView, assertAnchoredSdp, connectionAddresses } from './sdp-compare.js';
