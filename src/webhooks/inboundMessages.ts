import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { ParsedMessage } from './parseWebhook.js'

import { getStore } from '../store/index.js'

/** STOP (or another opt-out keyword) opts the sender out; anything else goes to onInboundMessage. */
export const handleInboundMessages = async (
  payload: Payload,
  options: ResolvedOptions,
  messages: ParsedMessage[],
  accounts: WebhookAccount[],
) => {
  await getStore(payload).logEvents(
    messages.map((m) => ({
      kind: 'message' as const,
      payload: m.raw,
      phoneNumberId: m.phoneNumberId,
    })),
  )
  for (const message of messages) {
    const account = accounts.find((a) => a.phoneNumberId === message.phoneNumberId)
    if (!account) {
      continue
    }
    const keyword = message.text?.trim().toUpperCase()
    if (keyword && options.optOutKeywords.includes(keyword)) {
      await optOut(payload, options, account, message)
      continue
    }
    await options.onInboundMessage?.({
      name: message.name,
      account: { id: account.id, name: account.name, phoneNumberId: account.phoneNumberId },
      message: message.raw,
      payload,
    })
  }
}

const optOut = async (
  payload: Payload,
  options: ResolvedOptions,
  account: WebhookAccount,
  message: ParsedMessage,
) => {
  const { docs } = await payload.find({
    collection: options.slugs.contacts,
    depth: 0,
    limit: 1,
    where: {
      and: [{ account: { equals: account.id } }, { normalizedPhone: { equals: message.from } }],
    },
  })
  if (docs[0]) {
    if (!docs[0].optedOut) {
      await payload.update({
        id: docs[0].id,
        collection: options.slugs.contacts,
        data: { optedOut: true },
      })
    }
    return
  }
  await payload.create({
    collection: options.slugs.contacts,
    data: {
      account: account.id,
      displayName: message.name,
      optedOut: true,
      phone: `+${message.from}`,
    },
  })
}
