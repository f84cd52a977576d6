import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'

/** Phones (E.164 digits) that must not get this campaign's template, each with why. */
export type ExcludedPhones = ReadonlyMap<string, string>

type ContactFlags = {
  isBlocked?: boolean | null
  marketingOptOut?: boolean | null
  normalizedPhone?: null | string
  optedOut?: boolean | null
  undeliverable?: boolean | null
}

/**
 * The account's contacts with these phones (all, when none given) that this template may not
 * reach: opted out of everything, blocked, opted out of marketing (MARKETING templates only),
 * or undeliverable (unless `skipUndeliverable` is off).
 */
export const findExcludedPhones = async (
  payload: Payload,
  options: ResolvedOptions,
  { accountId, category }: { accountId: string; category?: null | string },
  phones?: string[],
): Promise<ExcludedPhones> => {
  const marketing = category === 'MARKETING'
  const { docs } = await payload.find({
    collection: options.slugs.contacts,
    depth: 0,
    pagination: false,
    select: {
      isBlocked: true,
      marketingOptOut: true,
      normalizedPhone: true,
      optedOut: true,
      undeliverable: true,
    },
    where: {
      and: [
        { account: { equals: accountId } },
        {
          or: [
            { optedOut: { equals: true } },
            { isBlocked: { equals: true } },
            ...(marketing ? [{ marketingOptOut: { equals: true } }] : []),
            ...(options.skipUndeliverable ? [{ undeliverable: { equals: true } }] : []),
          ],
        },
        ...(phones ? [{ normalizedPhone: { in: phones } }] : []),
      ],
    },
  })
  const reasonOf = (doc: ContactFlags) =>
    doc.optedOut
      ? 'The contact opted out; not sent.'
      : doc.isBlocked
        ? 'The contact is blocked; not sent.'
        : marketing && doc.marketingOptOut
          ? 'The contact stopped marketing messages; this MARKETING template was not sent.'
          : 'Meta reported the contact undeliverable (131026); not sent.'
  return new Map(
    (docs as ContactFlags[]).map((doc) => [String(doc.normalizedPhone), reasonOf(doc)]),
  )
}
