import type { Payload } from 'payload'

import type { ClaimedRecipient } from '../../src/store/index.js'

import { getStore } from '../../src/store/index.js'
import { createCampaign } from './fixtures.js'

const chunk = 1000

/** A campaign of n recipients claimed for sending, as the engine leaves them mid-send. */
export const claimedCampaign = async (
  payload: Payload,
  args: { accountId: number | string; n: number; templateId: number | string },
) => {
  const campaign = await createCampaign(payload, {
    account: args.accountId,
    audienceType: 'contacts',
    template: args.templateId,
  })
  const id = String(campaign.id)
  const store = getStore(payload)
  await store.insertRecipients(
    id,
    Array.from({ length: args.n }, (_, i) => ({
      phoneNumber: `9198${String(i).padStart(8, '0')}`,
      status: 'pending' as const,
    })),
  )
  await store.recount(id)
  // In engine-sized batches: one huge claim would keep the embedded server busy for longer than
  // the driver's monitor waits.
  const claimed: ClaimedRecipient[] = []
  while (claimed.length < args.n) {
    const batch = await store.claimBatch(id, Math.min(chunk, args.n - claimed.length))
    if (batch.length === 0) {
      break
    }
    claimed.push(...batch)
  }
  return { id, claimed, store }
}

/** Records claimed recipients as sent, with message ids wamid.<prefix><index>. */
export const recordSent = async (
  payload: Payload,
  id: string,
  claimed: ClaimedRecipient[],
  prefix: string,
  firstIndex = 0,
) => {
  for (let start = 0; start < claimed.length; start += chunk) {
    await getStore(payload).recordOutcomes(
      id,
      claimed.slice(start, start + chunk).map((r, i) => ({
        id: r.id,
        kind: 'sent',
        messageId: `wamid.${prefix}${firstIndex + start + i}`,
        sentAt: new Date(),
      })),
    )
  }
}

/** Fisher–Yates: every order equally likely. */
export const shuffled = <T>(items: T[]) => {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}
