import { describe, expect, test } from 'vitest'

import type { RecipientState } from '../../src/store/primitives.js'
import type { PendingStatusEvent } from '../../src/store/types.js'

import { foldStatuses } from '../../src/store/foldStatuses.js'

const at = (seconds: number) => new Date(seconds * 1000)

const event = (
  id: string,
  messageId: string,
  status: PendingStatusEvent['status'],
  seconds: number,
  errorCode?: number,
): PendingStatusEvent => ({ id, errorCode, messageId, status, timestamp: at(seconds) })

const recipient = (id: string, messageId: string, status: RecipientState['status']) => ({
  id,
  campaignId: 'c1',
  messageId,
  moves: [],
  status,
})

describe('foldStatuses', () => {
  test('several events for one message end in one move to the furthest status, with every timestamp', () => {
    const fold = foldStatuses(
      [
        event('e1', 'm1', 'read', 5),
        event('e2', 'm1', 'delivered', 3),
        event('e3', 'm1', 'delivered', 2),
      ],
      [recipient('r1', 'm1', 'sent')],
    )
    expect(fold.moves).toEqual([
      {
        id: 'r1',
        change: {
          deliveredAtMost: at(5),
          fields: { deliveredAt: at(2), readAt: at(5), status: 'read' },
        },
        eventIds: ['e1', 'e2', 'e3'],
        from: 'sent',
        to: 'read',
      },
    ])
    expect(fold.moot).toEqual([])
    expect(fold.waiting).toEqual([])
  })

  test('a read without its delivered still lowers deliveredAt to the read time', () => {
    const [move] = foldStatuses(
      [event('e1', 'm1', 'read', 7)],
      [recipient('r1', 'm1', 'sent')],
    ).moves
    expect(move.change).toEqual({
      deliveredAtMost: at(7),
      fields: { readAt: at(7), status: 'read' },
    })
  })

  test('failed is final and carries its code; nothing moves a failed recipient', () => {
    const fold = foldStatuses(
      [event('e1', 'm1', 'failed', 4, 131026), event('e2', 'm2', 'read', 4)],
      [recipient('r1', 'm1', 'delivered'), recipient('r2', 'm2', 'failed')],
    )
    expect(fold.moves).toHaveLength(1)
    expect(fold.moves[0]).toMatchObject({
      change: { fields: { errorCode: 131026, status: 'failed' } },
      from: 'delivered',
      to: 'failed',
    })
    expect(fold.moot).toEqual(['e2'])
  })

  test('events at or below the status reached change nothing; unknown message ids wait', () => {
    const fold = foldStatuses(
      [
        event('e1', 'm1', 'delivered', 1),
        event('e2', 'm1', 'sent', 1),
        event('e3', 'm9', 'read', 1),
      ],
      [recipient('r1', 'm1', 'read')],
    )
    expect(fold.moves).toEqual([])
    expect(fold.moot).toEqual(['e1', 'e2'])
    expect(fold.waiting).toEqual(['e3'])
  })
})
