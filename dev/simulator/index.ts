export { demoTemplates } from './demoTemplates.js'
export { mostInAnyWindow } from './mostInWindow.js'
export { type CloudApiSimulator, simulatorOwnerHeader, startCloudApiSimulator } from './server.js'
export type { RequestLog, SentMessage, SimulatedAccount, SimulatorOptions } from './types.js'
