import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { ParsedStatus, ParsedUserPreference } from './parseWebhook.js'

import { applyContactSignal, applyErrorSignals } from '../audience/contactSignals.js'

const accountOf = (accounts: WebhookAccount[], phoneNumberId: string) =>
  accounts.find((a) => a.phoneNumberId === phoneNumberId)

/** Marketing messages stopped or resumed by the person (Meta's "user_preferences" field). */
export const applyUserPreferences = async (
  payload: Payload,
  options: ResolvedOptions,
  preferences: ParsedUserPreference[],
  accounts: WebhookAccount[],
) => {
  for (const preference of preferences) {
    const account = accountOf(accounts, preference.phoneNumberId)
    const value = preference.value.toLowerCase()
    if (!account || preference.category !== 'marketing_messages') {
      continue
    }
    if (value !== 'stop' && value !== 'resume') {
      payload.logger.warn(`whatsapp webhook: unknown user preference value "${preference.value}"`)
      continue
    }
    await applyContactSignal(
      payload,
      options,
      account.id,
      [{ name: preference.name, phone: preference.waId }],
      {
        at: preference.timestamp,
        kind: value === 'stop' ? 'marketingOptOut' : 'marketingResume',
        via: 'user_preferences',
      },
    )
  }
}

/** Failed statuses that say something about the person (131050, 131026) mark their contact. */
export const applyStatusSignals = async (
  payload: Payload,
  options: ResolvedOptions,
  statuses: ParsedStatus[],
  accounts: WebhookAccount[],
) => {
  for (const status of statuses) {
    const account = accountOf(accounts, status.phoneNumberId)
    if (status.status === 'failed' && account && status.recipientId) {
      await applyErrorSignals(
        payload,
        options,
        account.id,
        [{ code: status.errorCode, phone: status.recipientId }],
        status.timestamp,
      )
    }
  }
}
