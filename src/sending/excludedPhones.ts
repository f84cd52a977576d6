import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

/** Which of these phones belong to contacts of the account who opted out or are blocked. */
export const findExcludedPhones = async (
  payload: Payload,
  options: ResolvedOptions,
  accountId: string,
  phones?: string[],
): Promise<Set<string>> => {
  const { docs } = await payload.find({
    collection: options.slugs.contacts,
    depth: 0,
    pagination: false,
    select: { normalizedPhone: true },
    where: {
      and: [
        { account: { equals: accountId } },
        { or: [{ optedOut: { equals: true } }, { isBlocked: { equals: true } }] },
        ...(phones ? [{ normalizedPhone: { in: phones } }] : []),
      ],
    },
  })
  return new Set(docs.map((doc) => String(doc.normalizedPhone)))
}
