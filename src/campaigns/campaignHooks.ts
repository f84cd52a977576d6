import type { CollectionAfterChangeHook, CollectionBeforeDeleteHook } from 'payload'

import { APIError } from 'payload'

import { getStore } from '../store/index.js'
import { campaignQueue } from './campaignQueue.js'
import { canTransition, transitions } from './transitions.js'

/** Editing scheduledAt of a scheduled campaign moves its start; clearing it returns it to draft. */
export const rescheduleOnEdit: CollectionAfterChangeHook = async ({
  collection,
  doc,
  previousDoc,
  req,
}) => {
  // Only a campaign the table can unschedule (a scheduled one) has a start to move.
  if (!canTransition('unschedule', doc.status) || doc.scheduledAt === previousDoc?.scheduledAt) {
    return doc
  }
  const queue = await campaignQueue(req.payload)
  const id = String(doc.id)
  if (doc.scheduledAt && new Date(doc.scheduledAt as string).getTime() > Date.now()) {
    await queue.schedule(id, new Date(doc.scheduledAt as string))
    return doc
  }
  await queue.unschedule(id)
  if (!doc.scheduledAt) {
    const status = transitions.unschedule.to
    // Inside this update's transaction, which holds the campaign's row: a write from outside it
    // (the store's compare-and-set) would wait for the commit, and the commit for this hook.
    await req.payload.update({
      id: doc.id,
      collection: collection.slug,
      data: { status },
      overrideAccess: true,
      req,
    })
    return { ...doc, status }
  }
  // A date now in the past: start at once.
  await queue.schedule(id, new Date())
  return doc
}

/**
 * A running campaign must be paused or cancelled before it can be deleted. Its recipients go
 * first: on SQL databases they reference the campaign's row, which cannot go while they remain.
 */
export const deleteRecipientsWithCampaign: CollectionBeforeDeleteHook = async ({ id, req }) => {
  const store = getStore(req.payload)
  if ((await store.campaignStatus(String(id))) === 'running') {
    throw new APIError('Pause or cancel the campaign before deleting it: it is sending.', 409)
  }
  await (await campaignQueue(req.payload)).unschedule(String(id))
  await store.deleteRecipients(String(id))
}
