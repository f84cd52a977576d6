import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

export type WebhookAccount = {
  appSecret?: null | string
  displayPhoneNumber?: null | string
  id: number | string
  name?: string
  phoneNumberId: string
  verifyToken?: null | string
  wabaId: string
}

/** The accounts a webhook names, with their app secrets (server-side only). */
export const findWebhookAccounts = async (
  payload: Payload,
  options: ResolvedOptions,
  { phoneNumberIds, wabaIds }: { phoneNumberIds: string[]; wabaIds: string[] },
): Promise<WebhookAccount[]> => {
  if (phoneNumberIds.length === 0 && wabaIds.length === 0) {
    return []
  }
  const { docs } = await payload.find({
    collection: options.slugs.accounts,
    depth: 0,
    pagination: false,
    showHiddenFields: true,
    where: {
      or: [
        ...(phoneNumberIds.length > 0 ? [{ phoneNumberId: { in: phoneNumberIds } }] : []),
        ...(wabaIds.length > 0 ? [{ wabaId: { in: wabaIds } }] : []),
      ],
    },
  })
  return docs as unknown as WebhookAccount[]
}
