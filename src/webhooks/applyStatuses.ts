import type { Payload } from 'payload'

import type { ParsedStatus } from './parseWebhook.js'

import { getStore } from '../store/index.js'

/**
 * Logs every status, then applies it. One whose message id is not recorded yet (the webhook
 * beat our write of the send result) stays unapplied in the log; recording the send applies it.
 */
export const applyStatuses = async (payload: Payload, statuses: ParsedStatus[]) => {
  const store = getStore(payload)
  const ids = await store.logEvents(
    statuses.map((s) => ({
      errorCode: s.errorCode,
      errorMessage: s.errorMessage,
      kind: 'status' as const,
      messageId: s.messageId,
      payload: s.raw,
      phoneNumberId: s.phoneNumberId,
      status: s.status,
      timestamp: s.timestamp,
    })),
  )
  const applied: string[] = []
  for (const [index, status] of statuses.entries()) {
    if (await store.applyStatusEvent(status)) {
      applied.push(ids[index])
    }
  }
  await store.markEventsApplied(applied)
}
