import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { EntryMeta } from './webhookValues.js'

import { campaignQueue } from '../campaigns/campaignQueue.js'
import { pauseCampaignsBySignal, resumeHeldCampaigns } from '../campaigns/guardrails.js'
import { restrictsSending } from '../campaigns/holds.js'
import { updateIfNewer } from './updateIfNewer.js'
import { list, metaTime, object, text } from './webhookValues.js'

/** Something happened to a WhatsApp Business Account (field "account_update"). */
export type ParsedAccountUpdate = {
  /** DISABLED_UPDATE's `ban_info.waba_ban_state`: DISABLE, REINSTATE, SCHEDULE_FOR_DISABLE. */
  banState?: string
  /** ACCOUNT_RESTRICTION, ACCOUNT_VIOLATION, DISABLED_UPDATE, ACCOUNT_BANNED, ACCOUNT_DELETED, ... */
  event: string
  raw: Record<string, unknown>
  /** ACCOUNT_RESTRICTION's `restriction_info`: each restriction and when it lifts. */
  restrictions: Array<{ expiresAt?: Date; type: string }>
  timestamp: Date
  violationType?: string
  wabaId: string
}

export const parseAccountUpdate = (
  value: Record<string, unknown>,
  { time, wabaId }: EntryMeta,
): ParsedAccountUpdate => ({
  banState: text(object(value.ban_info)?.waba_ban_state)?.toUpperCase(),
  event: String(text(value.event) ?? '').toUpperCase(),
  raw: value,
  restrictions: list(value.restriction_info).flatMap((item) => {
    const type = text(object(item)?.restriction_type)
    return type ? [{ type: type.toUpperCase(), expiresAt: metaTime(object(item)?.expiration) }] : []
  }),
  timestamp: time,
  violationType: text(object(value.violation_info)?.violation_type),
  wabaId,
})

/** The events that take the account away, and the ban state each stands for. */
const banEvents: Record<string, string> = { ACCOUNT_BANNED: 'DISABLE', ACCOUNT_DELETED: 'DELETED' }

export const isBanned = (banState: null | string | undefined): boolean =>
  banState === 'DISABLE' || banState === 'DELETED'

/**
 * A restriction of business-initiated messaging (or of an unknown kind) pauses every running
 * and scheduled campaign of the WABA's numbers until it expires: a job at the expiry resumes
 * them. An ACCOUNT_RESTRICTION without such a restriction lifts it, resuming them at once. A
 * ban (DISABLED_UPDATE with DISABLE, ACCOUNT_BANNED, ACCOUNT_DELETED) pauses them until a
 * manual Resume. Violations are recorded. Each kind is applied only when newer than the last
 * one of its kind applied, so reordered webhooks never undo a newer signal.
 */
export const applyAccountUpdates = async (
  payload: Payload,
  options: ResolvedOptions,
  updates: ParsedAccountUpdate[],
  accounts: WebhookAccount[],
) => {
  for (const update of updates) {
    const inWaba = accounts.filter((a) => a.wabaId === update.wabaId)
    const ids = inWaba.map((a) => a.id)
    const store = async (clock: string, data: Record<string, unknown>) => {
      let applied = false
      for (const id of ids) {
        const one = await updateIfNewer(payload, {
          id,
          clock,
          collection: options.slugs.accounts,
          data,
          time: update.timestamp,
        })
        applied ||= one
      }
      return applied
    }
    const where = { account: { in: ids } }
    if (update.event === 'ACCOUNT_RESTRICTION') {
      const types = update.restrictions.map((r) => r.type)
      const stopping = update.restrictions.filter((r) => restrictsSending(r.type))
      const expiries = stopping.map((r) => r.expiresAt)
      // One restriction without an expiry holds until lifted.
      const until = expiries.every(Boolean)
        ? expiries.reduce<Date | undefined>((a, b) => (a && b && a > b ? a : b), undefined)
        : undefined
      const applied = await store('restrictionUpdatedAt', {
        restrictedUntil: until?.toISOString() ?? null,
        restriction: types.length > 0 ? types.join(', ') : null,
      })
      if (!applied) {
        continue
      }
      const queue = await campaignQueue(payload)
      if (stopping.length > 0 && (!until || until.getTime() > Date.now())) {
        await pauseCampaignsBySignal(payload, queue, {
          error: `Paused: Meta restricted the WhatsApp Business Account ${update.wabaId} (${stopping.map((r) => r.type).join(', ')})${until ? ` until ${until.toISOString()}; its campaigns resume on their own then` : ''}. Resume with force sends before.`,
          pausedBy: 'restriction',
          resumeAt: until,
          where,
        })
      } else {
        await resumeHeldCampaigns(payload, queue, { ...where, pausedBy: { equals: 'restriction' } })
      }
      continue
    }
    const banState =
      banEvents[update.event] ?? (update.event === 'DISABLED_UPDATE' ? update.banState : undefined)
    if (banState) {
      const applied = await store('banUpdatedAt', { banState })
      if (applied && isBanned(banState)) {
        await pauseCampaignsBySignal(payload, await campaignQueue(payload), {
          error: `Paused: Meta disabled the WhatsApp Business Account ${update.wabaId} (${update.event}${update.banState ? ` ${update.banState}` : ''}). Once Meta reinstates it, Resume.`,
          pausedBy: 'ban',
          where,
        })
      }
      continue
    }
    if (update.event === 'ACCOUNT_VIOLATION') {
      await store('violationUpdatedAt', { violationType: update.violationType ?? 'UNKNOWN' })
    }
  }
}
