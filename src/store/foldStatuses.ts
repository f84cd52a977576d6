import type { PlannedMove, RecipientState } from './primitives.js'
import type { RecipientFields, StatusChange } from './recipientChanges.js'
import type { Id, PendingStatusEvent } from './types.js'

import { statusChange } from './recipientChanges.js'
import { recordedStatuses, statusRank } from './statusRank.js'

/** A batch's plan: one move per recipient, and which events each outcome settles. */
export type StatusFold = {
  /** Events that change nothing: their recipient is already as far (or not movable). */
  moot: Id[]
  moves: Array<{ eventIds: Id[] } & PlannedMove>
  /** Events whose message id no recipient has yet: they wait for the send result. */
  waiting: Id[]
}

/** Later changes win, except deliveredAt, which a read lowers to at most its own time. */
const merge = (into: StatusChange, change: StatusChange): StatusChange => {
  const most = [into.deliveredAtMost, change.deliveredAtMost].filter((d) => d !== undefined)
  return {
    deliveredAtMost:
      most.length > 0 ? new Date(Math.min(...most.map((d) => d.getTime()))) : undefined,
    fields: { ...into.fields, ...change.fields },
  }
}

/**
 * Folds a batch of status events into one forward-only move per recipient: each event above
 * the status reached so far, lowest first, adds its change, so several events for one message
 * end at the furthest status with every timestamp the one-at-a-time path would have written.
 */
export const foldStatuses = (
  events: PendingStatusEvent[],
  recipients: RecipientState[],
): StatusFold => {
  const byMessage = new Map(recipients.map((r) => [r.messageId, r]))
  const groups = new Map<string, PendingStatusEvent[]>()
  for (const event of events) {
    groups.set(event.messageId, [...(groups.get(event.messageId) ?? []), event])
  }
  const fold: StatusFold = { moot: [], moves: [], waiting: [] }
  for (const [messageId, group] of groups) {
    const ids = group.map((e) => e.id)
    const recipient = byMessage.get(messageId)
    if (!recipient) {
      fold.waiting.push(...ids)
      continue
    }
    // Only a recorded send moves on statuses (a failed or requeued recipient stays as it is).
    if (!recordedStatuses.includes(recipient.status)) {
      fold.moot.push(...ids)
      continue
    }
    let to = recipient.status
    let change: StatusChange = { fields: { status: recipient.status as RecipientFields['status'] } }
    const ordered = [...group].sort(
      (a, b) =>
        statusRank[a.status] - statusRank[b.status] ||
        a.timestamp.getTime() - b.timestamp.getTime(),
    )
    for (const event of ordered) {
      if (statusRank[event.status] > statusRank[to]) {
        change = merge(change, statusChange(event))
        to = event.status
      }
    }
    if (to === recipient.status) {
      fold.moot.push(...ids)
    } else {
      fold.moves.push({ id: recipient.id, change, eventIds: ids, from: recipient.status, to })
    }
  }
  return fold
}
