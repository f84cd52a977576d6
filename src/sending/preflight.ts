import type { Payload } from 'payload'

import type { CampaignContext } from './campaignContext.js'

import { CsvAudienceError, inspectCsv } from '../audience/csvRows.js'
import { openAudienceFile } from '../audience/csvSource.js'
import { checkParameterMappings } from '../audience/renderComponents.js'
import { relationId } from '../collections/relationId.js'

/** Fields the audience offers to mappings; undefined when any field may exist (contacts' attributes). */
const knownAudienceFields = async (
  payload: Payload,
  context: CampaignContext,
  problems: string[],
): Promise<string[] | undefined> => {
  const { campaign, options } = context
  if (campaign.audienceType === 'contacts') {
    return undefined
  }
  if (campaign.audienceType === 'csv') {
    const fileId = relationId(campaign.csvFile)
    if (!fileId) {
      problems.push('A CSV audience needs a CSV file.')
      return undefined
    }
    try {
      const { columns } = await inspectCsv(
        await openAudienceFile({ slug: options.slugs.audienceFiles, fileId, payload }),
        { previewRows: 0 },
      )
      return columns
    } catch (error) {
      problems.push(
        error instanceof CsvAudienceError ? error.message : `CSV file: ${(error as Error).message}`,
      )
      return undefined
    }
  }
  const audience = options.audiences[campaign.audienceType]
  if (!audience) {
    problems.push(
      `The audience "${campaign.audienceType}" is not registered in the plugin's audiences option.`,
    )
    return undefined
  }
  return audience.fields
}

/** Everything that would make a run fail before sending anything, in words an editor can act on. */
export const preflightProblems = async (
  payload: Payload,
  context: CampaignContext,
): Promise<string[]> => {
  const { account, campaign, template } = context
  const problems: string[] = []
  if (!account) {
    problems.push('The campaign has no account.')
  } else if (!account.accessToken) {
    problems.push(`The account "${account.name}" has no access token.`)
  }
  if (!template) {
    problems.push('The campaign has no template.')
  } else if (template.status !== 'APPROVED') {
    problems.push(
      `The template "${template.name}" is ${template.status}, not approved: Meta only sends APPROVED templates.`,
    )
  }
  const fields = await knownAudienceFields(payload, context, problems)
  if (template) {
    problems.push(
      ...checkParameterMappings(
        template.components ?? [],
        campaign.parameterMappings ?? {},
        campaign.audienceType === 'contacts' ? undefined : fields,
      ),
    )
  }
  return problems
}
