import type {
  CollectionAfterChangeHook,
  CollectionAfterDeleteHook,
  CollectionBeforeDeleteHook,
} from 'payload'

import { APIError } from 'payload'

import { getQueue } from '../jobs/index.js'
import { getStore } from '../store/index.js'

/** Editing scheduledAt of a scheduled campaign moves its start; clearing it returns it to draft. */
export const rescheduleOnEdit: CollectionAfterChangeHook = async ({ doc, previousDoc, req }) => {
  if (doc.status !== 'scheduled' || doc.scheduledAt === previousDoc?.scheduledAt) {
    return doc
  }
  const queue = await getQueue(req.payload)
  const id = String(doc.id)
  if (doc.scheduledAt && new Date(doc.scheduledAt as string).getTime() > Date.now()) {
    await queue.schedule(id, new Date(doc.scheduledAt as string))
    return doc
  }
  await queue.unschedule(id)
  if (
    !doc.scheduledAt &&
    (await getStore(req.payload).transition(id, ['scheduled'], { status: 'draft' }))
  ) {
    return { ...doc, status: 'draft' }
  }
  // A date now in the past: start at once.
  await queue.schedule(id, new Date())
  return doc
}

/** A running campaign must be paused or cancelled before it can be deleted. */
export const refuseDeletingRunning: CollectionBeforeDeleteHook = async ({ id, req }) => {
  const status = await getStore(req.payload).campaignStatus(String(id))
  if (status === 'running') {
    throw new APIError('Pause or cancel the campaign before deleting it: it is sending.', 409)
  }
}

/** Recipients belong to their campaign. */
export const deleteRecipientsWithCampaign: CollectionAfterDeleteHook = async ({ id, req }) => {
  const store = getStore(req.payload)
  await store.deleteRecipients(String(id))
  await (await getQueue(req.payload)).unschedule(String(id))
}
