import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { ParsedTemplateUpdate } from './parseWebhook.js'

import { pauseRunningCampaigns } from '../campaigns/guardrails.js'
import { templateStatuses } from '../collections/templates.js'

/**
 * Meta approved, rejected, paused or disabled a template: mirror it on whatsapp-templates, and
 * pause the running campaigns using a paused or disabled one.
 */
export const applyTemplateUpdates = async (
  payload: Payload,
  options: ResolvedOptions,
  updates: ParsedTemplateUpdate[],
  accounts: WebhookAccount[],
) => {
  for (const update of updates) {
    const account = accounts.find((a) => a.wabaId === update.wabaId)
    const status = update.event.toUpperCase()
    if (!account || !(templateStatuses as readonly string[]).includes(status)) {
      continue
    }
    const { docs } = await payload.update({
      collection: options.slugs.templates,
      data: {
        rejectedReason: status === 'REJECTED' ? (update.reason ?? null) : null,
        status,
      },
      where: {
        and: [
          { account: { equals: account.id } },
          {
            or: [
              ...(update.metaId ? [{ metaId: { equals: update.metaId } }] : []),
              {
                and: [
                  { name: { equals: update.name ?? '' } },
                  { language: { equals: update.language ?? '' } },
                ],
              },
            ],
          },
        ],
      },
    })
    if (status === 'PAUSED' || status === 'DISABLED') {
      // Every further send would be refused (132015 / 132016): stop before spending any.
      await pauseRunningCampaigns(
        payload,
        { template: { in: docs.map((doc) => doc.id) } },
        `Paused: Meta ${status.toLowerCase()} the template "${update.name ?? update.metaId}"${update.reason && update.reason !== 'NONE' ? ` (${update.reason})` : ''}. Once Meta approves it again, Resume.`,
      )
    }
  }
}
