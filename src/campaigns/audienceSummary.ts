import type { Payload } from 'payload'

import { audienceEntry } from '../audience/registry.js'
import { audienceQuery, loadCampaignContext } from '../sending/campaignContext.js'
import { preflightProblems } from './preflight.js'

export type AudienceSummary = {
  /** Rows in the audience as it stands now (before dedupe and phone checks). */
  audienceSize: null | number
  problems: string[]
  templateName: null | string
}

const countRows = async (rows: AsyncIterable<unknown>) => {
  let n = 0
  for await (const _row of rows) {
    n++
  }
  return n
}

/** What an editor confirms before Run: how many rows, which template, and what would stop it. */
export const audienceSummary = async (
  payload: Payload,
  campaignId: string,
): Promise<AudienceSummary> => {
  const context = await loadCampaignContext(payload, campaignId)
  const problems = await preflightProblems(payload, context)
  let audienceSize: null | number = null
  if (problems.length === 0) {
    const rows = audienceEntry(context.options, context.campaign.audienceType).rows(
      audienceQuery(payload, context),
    )
    audienceSize = await countRows(rows).catch((error: Error) => {
      problems.push(error.message)
      return null
    })
  }
  return { audienceSize, problems, templateName: context.template?.name ?? null }
}
