import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { ParsedTemplateUpdate } from './parseWebhook.js'

import { campaignQueue } from '../campaigns/campaignQueue.js'
import { pauseCampaignsBySignal } from '../campaigns/guardrails.js'
import { templateStatuses } from '../collections/templates.js'
import { templatesWhere } from './categoryUpdates.js'
import { updateIfNewer } from './updateIfNewer.js'

/**
 * Meta approved, rejected, paused or disabled a template: mirror it on whatsapp-templates
 * (unless a newer status was applied already), and pause the running and scheduled campaigns
 * using a paused or disabled one.
 */
export const applyTemplateUpdates = async (
  payload: Payload,
  options: ResolvedOptions,
  updates: ParsedTemplateUpdate[],
  accounts: WebhookAccount[],
) => {
  for (const update of updates) {
    const accountIds = accounts.filter((a) => a.wabaId === update.wabaId).map((a) => a.id)
    const status = update.event.toUpperCase()
    if (accountIds.length === 0 || !(templateStatuses as readonly string[]).includes(status)) {
      continue
    }
    const { docs } = await payload.find({
      collection: options.slugs.templates,
      depth: 0,
      pagination: false,
      select: {},
      where: templatesWhere(accountIds, update),
    })
    const changed: Array<number | string> = []
    for (const doc of docs) {
      // Reordered webhooks: an older APPROVED must not undo a newer PAUSED, nor the reverse.
      const applied = await updateIfNewer(payload, {
        id: doc.id,
        clock: 'statusUpdatedAt',
        collection: options.slugs.templates,
        data: { rejectedReason: status === 'REJECTED' ? (update.reason ?? null) : null, status },
        time: update.timestamp,
      })
      if (applied) {
        changed.push(doc.id)
      }
    }
    if ((status === 'PAUSED' || status === 'DISABLED') && changed.length > 0) {
      // Every further send would be refused (132015 / 132016): stop before spending any.
      await pauseCampaignsBySignal(payload, await campaignQueue(payload), {
        error: `Paused: Meta ${status.toLowerCase()} the template "${update.name ?? update.metaId}"${update.reason && update.reason !== 'NONE' ? ` (${update.reason})` : ''}. Once Meta approves it again, Resume.`,
        pausedBy: 'template',
        where: { template: { in: changed } },
      })
    }
  }
}
