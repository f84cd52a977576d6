import type { CampaignCounterField, RecipientStatus } from '../collections/campaignStatuses.js'
import type { CounterDelta } from './types.js'

import { recipientStatuses } from '../collections/campaignStatuses.js'

/**
 * A total order on recipient statuses, so that applying any set of events in any order ends
 * in the same status: the highest one reported. Failed ranks last because it is terminal.
 */
export const statusRank: Record<RecipientStatus, number> = {
  delivered: 2,
  failed: 4,
  pending: 0,
  read: 3,
  sending: 0,
  sent: 1,
  unknown: 0,
}

/** The statuses of a recipient whose send was recorded: the ones status events move. */
export const recordedStatuses: RecipientStatus[] = ['sent', 'delivered', 'read']

/** Counters are functions of each recipient's status, so a transition moves them by the difference. */
const counted: Array<[keyof CounterDelta, RecipientStatus[]]> = [
  ['deliveredCount', ['delivered', 'read']],
  ['readCount', ['read']],
  ['failedCount', ['failed']],
  ['unknownCount', ['unknown']],
]

export const counterDelta = (from: RecipientStatus, to: RecipientStatus): CounterDelta => {
  const delta: CounterDelta = {}
  for (const [counter, statuses] of counted) {
    const change = Number(statuses.includes(to)) - Number(statuses.includes(from))
    if (change !== 0) {
      delta[counter] = change
    }
  }
  return delta
}

/** Every status's count from grouped rows, zero for the statuses no row names. */
export const statusCounts = (rows: Array<{ n: number; status: RecipientStatus }>) => {
  const counts = Object.fromEntries(recipientStatuses.map((s) => [s, 0])) as Record<
    RecipientStatus,
    number
  >
  for (const row of rows) {
    counts[row.status] = row.n
  }
  return counts
}

/** A campaign's counters as its recipients' statuses (and how many were sent and replied) say. */
export const countersFrom = (
  counts: Record<RecipientStatus, number>,
  sent: number,
  replied: number,
): Record<CampaignCounterField, number> => ({
  deliveredCount: counts.delivered + counts.read,
  failedCount: counts.failed,
  readCount: counts.read,
  repliedCount: replied,
  sentCount: sent,
  totalCount: Object.values(counts).reduce((sum, n) => sum + n, 0),
  unknownCount: counts.unknown,
})
