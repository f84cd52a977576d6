import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { ParsedMessage } from './parseWebhook.js'

import { applyContactSignal, type ContactSignal } from '../audience/contactSignals.js'
import { getStore } from '../store/index.js'
import { isStopPromotionsButton, normalizeKeyword } from './optOutKeywords.js'

/** An opt-out keyword stops everything; Meta's "Stop promotions" button stops marketing only. */
const signalOf = (
  options: ResolvedOptions,
  message: ParsedMessage,
): Omit<ContactSignal, 'at'> | undefined => {
  if (message.text === undefined) {
    return undefined
  }
  if (options.optOutKeywords.includes(normalizeKeyword(message.text))) {
    return { kind: 'optOut', via: 'keyword' }
  }
  if (
    message.type === 'button' &&
    (isStopPromotionsButton(message.text) || isStopPromotionsButton(message.buttonPayload))
  ) {
    return { kind: 'marketingOptOut', via: 'stop_promotions_button' }
  }
  return undefined
}

/**
 * Opt-outs mark the sender's contact; anything else goes to onInboundMessage (replies to
 * campaign messages were marked on their recipients before, from their own log rows).
 */
export const handleInboundMessages = async (
  payload: Payload,
  options: ResolvedOptions,
  messages: ParsedMessage[],
  accounts: WebhookAccount[],
) => {
  for (const message of messages) {
    const account = accounts.find((a) => a.phoneNumberId === message.phoneNumberId)
    if (!account) {
      continue
    }
    const signal = signalOf(options, message)
    if (signal) {
      await applyContactSignal(
        payload,
        options,
        account.id,
        [{ name: message.name, phone: message.from }],
        { ...signal, at: new Date() },
      )
      continue
    }
    if (!options.onInboundMessage) {
      continue
    }
    const answered = message.contextId
      ? await getStore(payload).recipientByMessageId(message.contextId)
      : undefined
    await options.onInboundMessage({
      name: message.name,
      account: { id: account.id, name: account.name, phoneNumberId: account.phoneNumberId },
      answered: answered && { campaignId: answered.campaignId, recipientId: answered.id },
      message: message.raw,
      payload,
    })
  }
}
