import type { Payload } from 'payload'

import type { CampaignContext } from '../sending/campaignContext.js'

import { CsvAudienceError } from '../audience/csvRows.js'
import { audienceEntry, AudienceError } from '../audience/registry.js'
import { checkParameterMappings } from '../audience/renderComponents.js'
import { audienceQuery } from '../sending/campaignContext.js'

/** Fields a mapping must be one of; undefined when the audience's rows may hold any field. */
const closedAudienceFields = async (
  payload: Payload,
  context: CampaignContext,
  problems: string[],
): Promise<string[] | undefined> => {
  try {
    const entry = audienceEntry(context.options, context.campaign.audienceType)
    return entry.closedFields ? await entry.fields(audienceQuery(payload, context)) : undefined
  } catch (error) {
    if (error instanceof AudienceError || error instanceof CsvAudienceError) {
      problems.push(error.message)
    } else {
      problems.push(`CSV file: ${(error as Error).message}`)
    }
    return undefined
  }
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
  const fields = await closedAudienceFields(payload, context, problems)
  if (template) {
    problems.push(
      ...checkParameterMappings(
        template.components ?? [],
        campaign.parameterMappings ?? {},
        fields,
      ),
    )
  }
  return problems
}
