import type { RecipientStatus } from '../collections/campaignStatuses.js'
import type { StatusEvent } from './types.js'

import { recordedStatuses, statusesBelow } from './statusRank.js'

/**
 * Applies a status event until it is settled: applied, or made moot by a status at least as
 * high. `false` only when no recipient has the message id yet; the event then waits in the log
 * for the send result, whose recording applies it. A recipient whose send result was recorded
 * between the apply and the look (by another process) is tried again rather than taken as
 * settled, or the event would be marked applied without ever being applied.
 */
export const settleStatusEvent = async (
  event: StatusEvent,
  apply: () => Promise<boolean>,
  currentStatus: () => Promise<RecipientStatus | undefined>,
): Promise<boolean> => {
  // A status moves up at most three times, so a few rounds always settle it.
  for (let round = 0; round < 4; round++) {
    if (await apply()) {
      return true
    }
    const status = await currentStatus()
    if (status === undefined) {
      return false
    }
    if (!(recordedStatuses.includes(status) && statusesBelow(event.status).includes(status))) {
      return true
    }
  }
  return true
}
