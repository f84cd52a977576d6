import { expect } from 'vitest'

import type { CloudApiSimulator, SimulatorOptions } from '../../dev/simulator/index.js'

import { demoTemplates, startCloudApiSimulator } from '../../dev/simulator/index.js'
import { testAccount } from './fixtures.js'

/** The Cloud API simulator knowing the test account and the demo templates. */
export const startTestSimulator = (options: Partial<SimulatorOptions> = {}) =>
  startCloudApiSimulator({
    accounts: [testAccount],
    templates: { [testAccount.wabaId]: demoTemplates },
    ...options,
  })

/**
 * A number's send rate held as Meta sees it: at most 2 × `perSecond` + 1 messages in any
 * 2-second window. The simulator runs in the test's process, where a busy event loop can stamp
 * one message late into the next on-time message's second; one such message is tolerated, while
 * a pacer sending even one message a second too many is not.
 */
export const expectRateHeld = (
  simulator: Pick<CloudApiSimulator, 'maxInAnyWindow'>,
  phoneNumberId: string,
  perSecond: number,
) => expect(simulator.maxInAnyWindow(phoneNumberId, 2000)).toBeLessThanOrEqual(2 * perSecond + 1)
