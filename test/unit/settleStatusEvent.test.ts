import { describe, expect, test } from 'vitest'

import type { RecipientStatus } from '../../src/collections/campaignStatuses.js'

import { settleStatusEvent } from '../../src/store/settleStatusEvent.js'

const read = { messageId: 'wamid.1', status: 'read' as const, timestamp: new Date() }

/** An apply that succeeds from the given attempt on (1-based), counting its calls. */
const applyFrom = (succeedsAt: number) => {
  const calls = { n: 0 }
  return { apply: () => Promise.resolve(++calls.n >= succeedsAt), calls }
}
const statusIs = (status: RecipientStatus | undefined) => () => Promise.resolve(status)

describe('settleStatusEvent', () => {
  test('a send recorded between the apply and the look is applied, not taken as settled', async () => {
    const { apply, calls } = applyFrom(2)
    expect(await settleStatusEvent(read, apply, statusIs('sent'))).toBe(true)
    expect(calls.n).toBe(2)
  })

  test('no recipient with the message id yet: not settled, the event waits', async () => {
    const { apply, calls } = applyFrom(99)
    expect(await settleStatusEvent(read, apply, statusIs(undefined))).toBe(false)
    expect(calls.n).toBe(1)
  })

  test('a status already as high, or one no event moves, settles it at once', async () => {
    for (const status of ['read', 'failed', 'pending'] as const) {
      const { apply, calls } = applyFrom(99)
      expect(await settleStatusEvent(read, apply, statusIs(status))).toBe(true)
      expect(calls.n).toBe(1)
    }
  })
})
