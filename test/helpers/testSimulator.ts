import type { SimulatorOptions } from '../../dev/simulator/index.js'

import { demoTemplates, startCloudApiSimulator } from '../../dev/simulator/index.js'
import { testAccount } from './fixtures.js'

/** The Cloud API simulator knowing the test account and the demo templates. */
export const startTestSimulator = (options: Partial<SimulatorOptions> = {}) =>
  startCloudApiSimulator({
    accounts: [testAccount],
    templates: { [testAccount.wabaId]: demoTemplates },
    ...options,
  })
