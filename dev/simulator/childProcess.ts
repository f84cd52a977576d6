import type { SimulatorOptions } from './types.js'

/** The dev app's simulator in a process of its own (see startDevSimulator). */
import { serveChildService } from '../childService.js'
import { startCloudApiSimulator } from './server.js'

await serveChildService(async (options: SimulatorOptions) => {
  const simulator = await startCloudApiSimulator(options)
  return { close: () => simulator.close(), ready: simulator.url }
})
