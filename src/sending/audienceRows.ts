import type { Payload } from 'payload'

import type { AudienceRow } from '../options.js'
import type { CampaignContext } from './campaignContext.js'

import { contactsSource } from '../audience/contactsSource.js'
import { csvSource } from '../audience/csvSource.js'
import { namedSource } from '../audience/namedSource.js'
import { relationId } from '../collections/relationId.js'

export type AudienceStream = {
  nameField: string
  phoneField: string
  rows: AsyncIterable<AudienceRow>
}

/** The campaign's audience as a stream of rows, with the fields its phone and name are read from. */
export const audienceRows = (payload: Payload, context: CampaignContext): AudienceStream => {
  const { account, campaign, options } = context
  if (campaign.audienceType === 'contacts') {
    return {
      nameField: 'name',
      phoneField: 'phone',
      rows: contactsSource({
        slug: options.slugs.contacts,
        accountId: String(account?.id),
        filters: campaign.audienceFilters,
        payload,
      }),
    }
  }
  if (campaign.audienceType === 'csv') {
    return {
      nameField: 'name',
      phoneField: 'phone',
      rows: csvSource({
        slug: options.slugs.audienceFiles,
        fileId: relationId(campaign.csvFile) ?? '',
        payload,
      }),
    }
  }
  const audience = options.audiences[campaign.audienceType]
  if (!audience) {
    throw new Error(`The audience "${campaign.audienceType}" is not registered.`)
  }
  return {
    nameField: audience.nameField ?? options.nameField,
    phoneField: audience.phoneField ?? options.phoneField,
    rows: namedSource({ audience, campaign, key: campaign.audienceType, payload }),
  }
}
