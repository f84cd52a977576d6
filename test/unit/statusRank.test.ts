import { describe, expect, test } from 'vitest'

import type { RecipientStatus } from '../../src/collections/campaignStatuses.js'

import { counterDelta, statusRank } from '../../src/store/statusRank.js'

const sum = (deltas: Array<Record<string, number | undefined>>) => {
  const total: Record<string, number> = {}
  for (const delta of deltas) {
    for (const [key, value] of Object.entries(delta)) {
      total[key] = (total[key] ?? 0) + (value ?? 0)
    }
  }
  return Object.fromEntries(Object.entries(total).filter(([, v]) => v !== 0))
}

const statusesBelow = (status: RecipientStatus) =>
  (Object.keys(statusRank) as RecipientStatus[]).filter((s) => statusRank[s] < statusRank[status])

/** Applies events forward-only, as the store does, and sums the counter moves. */
const apply = (events: RecipientStatus[]) => {
  let status: RecipientStatus = 'sent'
  const deltas = []
  for (const event of events) {
    if (statusesBelow(event).includes(status)) {
      deltas.push(counterDelta(status, event))
      status = event
    }
  }
  return { counters: sum(deltas), status }
}

describe('status order', () => {
  test('status only moves forward; failed is terminal', () => {
    expect(statusesBelow('delivered')).toEqual(expect.arrayContaining(['sent', 'pending']))
    expect(statusesBelow('delivered')).not.toContain('read')
    expect(statusesBelow('read')).toContain('delivered')
    for (const status of ['sent', 'delivered', 'read'] as const) {
      expect(statusesBelow(status)).not.toContain('failed')
    }
    expect(statusRank.failed).toBeGreaterThan(statusRank.read)
  })

  test('any order and any repetition of the same events ends in the same status and counters', () => {
    const events: RecipientStatus[] = ['delivered', 'read', 'delivered', 'read']
    const orders = [
      events,
      [...events].reverse(),
      ['read', 'read', 'delivered', 'delivered'] as RecipientStatus[],
    ]
    const results = orders.map(apply)
    for (const result of results) {
      expect(result).toEqual({ counters: { deliveredCount: 1, readCount: 1 }, status: 'read' })
    }
  })

  test('a read that overtakes its delivered counts as delivered too', () => {
    expect(apply(['read'])).toEqual({
      counters: { deliveredCount: 1, readCount: 1 },
      status: 'read',
    })
  })

  test('failed after delivered moves the delivered count to failed', () => {
    expect(apply(['delivered', 'failed'])).toEqual({
      counters: { failedCount: 1 },
      status: 'failed',
    })
    expect(apply(['failed', 'delivered'])).toEqual({
      counters: { failedCount: 1 },
      status: 'failed',
    })
  })
})
