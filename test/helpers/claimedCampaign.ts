import type { Payload } from 'payload'

import type { ClaimedRecipient } from '../../src/store/types.js'

import { getStore } from '../../src/store/index.js'
import { createCampaign } from './fixtures.js'

/** A campaign of n recipients claimed for sending, as the engine leaves them mid-send. */
export const claimedCampaign = async (
  payload: Payload,
  args: { accountId: string; n: number; templateId: string },
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
  const claimed = await store.claimBatch(id, args.n)
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
  await getStore(payload).recordOutcomes(
    id,
    claimed.map((r, i) => ({
      id: r.id,
      kind: 'sent',
      messageId: `wamid.${prefix}${firstIndex + i}`,
      sentAt: new Date(),
    })),
  )
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
