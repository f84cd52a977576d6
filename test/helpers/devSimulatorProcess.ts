/** A dev process as payload.config.ts starts it: the dev simulator, its URL sent to the parent. */
import { startDevSimulator } from '../../dev/startDevSimulator.js'

process.send?.({ url: await startDevSimulator() })
// Stays, as the dev app does, until it is stopped.
setInterval(() => undefined, 60_000)
