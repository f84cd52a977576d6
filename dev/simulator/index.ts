export { demoTemplates } from './demoTemplates.js'
export { type CloudApiSimulator, startCloudApiSimulator } from './server.js'
export type { RequestLog, SentMessage, SimulatedAccount, SimulatorOptions } from './types.js'
