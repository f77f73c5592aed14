// The SBC as registrar for PBXs in registration mode `register`.
export { Registrar, type RegistrarOptions } from './registrar.js';
export { registeredTarget } from './targets.js';
export { callerAllowed, callerDigits } from './allowed-numbers.js';
export type { Binding } from './bindings.js';
