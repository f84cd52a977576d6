import type { ResolvedOptions } from '../options.js'
import type { AccountDoc } from './campaignContext.js'
import type { SendTemplate } from './types.js'

import { createGraphClient } from '../meta/graphClient.js'
import { fetchAt } from '../meta/sendThread.js'

/** The send loop's view of Meta: one template message to one number, never throwing. */
export const createGraphSender = (options: ResolvedOptions, account: AccountDoc): SendTemplate => {
  const client = createGraphClient({
    accessToken: account.accessToken ?? '',
    apiVersion: options.graphApiVersion,
    baseUrl: options.graphApiUrl,
    fetchAt,
    timeoutMs: options.graphTimeoutMs,
  })
  return async (message, slot) => {
    const result = await client.sendTemplate({
      ...message,
      phoneNumberId: account.phoneNumberId,
      slot,
    })
    if (result.ok || 'missed' in result) {
      return result
    }
    const { error } = result
    return {
      error: {
        code: error.code,
        kind: error.kind,
        message: error.message,
        outcomeUnknown: error.outcomeUnknown,
      },
      ok: false,
    }
  }
}
