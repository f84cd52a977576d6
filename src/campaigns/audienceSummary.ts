import type { Payload } from 'payload'

import type { CostEstimate } from '../audience/costEstimate.js'

import { estimateCost, tallyCallingCode } from '../audience/costEstimate.js'
import { normalizePhone } from '../audience/normalizePhone.js'
import { readPath } from '../audience/readPath.js'
import { audienceEntry } from '../audience/registry.js'
import { audienceQuery, loadCampaignContext } from '../sending/campaignContext.js'
import { findExcludedPhones } from '../sending/excludedPhones.js'
import { preflightProblems } from './preflight.js'

export type AudienceSummary = {
  /** Rows in the audience as it stands now (before dedupe and phone checks). */
  audienceSize: null | number
  /**
   * The rate card's price for the audience's valid, distinct phones that may get this template
   * (opt-outs and suppressions left out; the frequency cap, applied at Run, may lower it).
   * Null without a rate card.
   */
  costEstimate: CostEstimate | null
  problems: string[]
  templateName: null | string
}

/** What an editor confirms before Run: how many rows, which template, what it may cost, and what would stop it. */
export const audienceSummary = async (
  payload: Payload,
  campaignId: string,
): Promise<AudienceSummary> => {
  const context = await loadCampaignContext(payload, campaignId)
  const { account, options, template } = context
  const problems = await preflightProblems(payload, context)
  let audienceSize: null | number = null
  let costEstimate: CostEstimate | null = null
  if (problems.length === 0) {
    const entry = audienceEntry(options, context.campaign.audienceType)
    const card = options.rateCard
    // Only a rate card needs the phones: then each is normalized and kept once, as at Run.
    const excluded =
      card && account
        ? await findExcludedPhones(payload, options, {
            accountId: String(account.id),
            category: template?.category,
          })
        : undefined
    const seen = new Set<string>()
    const byCallingCode = new Map<string, number>()
    try {
      let n = 0
      for await (const row of entry.rows(audienceQuery(payload, context))) {
        n++
        if (!excluded) {
          continue
        }
        const phone = normalizePhone(readPath(row, entry.phoneField), options.defaultCountryCode)
        if (phone.ok && !seen.has(phone.phone) && !excluded.has(phone.phone)) {
          seen.add(phone.phone)
          tallyCallingCode(byCallingCode, phone.phone)
        }
      }
      audienceSize = n
      costEstimate = card ? estimateCost(card, template?.category, byCallingCode) : null
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  return {
    audienceSize,
    costEstimate,
    problems,
    templateName: template?.name ?? null,
  }
}
