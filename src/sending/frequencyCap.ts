import type { ResolvedOptions } from '../options.js'
import type { CampaignStore } from '../store/index.js'
import type { ExcludedPhones } from './excludedPhones.js'

const dayMs = 24 * 60 * 60 * 1000

/**
 * The frequency cap's check for a campaign's materialize, or undefined when none applies (no
 * cap, or not a MARKETING template): a phone whose MARKETING messages within the window, in
 * other campaigns, already reach the cap is stopped, saying why.
 */
export const frequencyCapCheck = (
  store: Pick<CampaignStore, 'countRecentSends'>,
  options: Pick<ResolvedOptions, 'frequencyCap'>,
  campaignId: string,
  category: null | string | undefined,
): ((phones: string[]) => Promise<ExcludedPhones>) | undefined => {
  const cap = options.frequencyCap
  if (!cap || category !== 'MARKETING') {
    return undefined
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  const reason = `Frequency cap: this contact already has ${plural(cap.maxMessages, 'marketing message')} sent or queued in the last ${plural(cap.perDays, 'day')}; not sent.`
  return async (phones) => {
    if (phones.length === 0) {
      return new Map()
    }
    const counts = await store.countRecentSends({
      category,
      exceptCampaign: campaignId,
      phones,
      since: new Date(Date.now() - cap.perDays * dayMs),
    })
    return new Map(
      [...counts].filter(([, n]) => n >= cap.maxMessages).map(([phone]) => [phone, reason]),
    )
  }
}
