export { CallController, ALLOW } from './call-controller.js';
export { Call, relayedFinal } from './call.js';
export { Router } from './router.js';
export type { RouteDecision, RouteTarget, Side, Transport } from './router.js';
export { crossingHeaders } from './header-policy.js';
