import type { Payload, Where } from 'payload'

import type { AudienceRow } from '../options.js'

const pageSize = 1000

/**
 * The campaign account's contacts that may be messaged, narrowed by the campaign's filters,
 * read a page at a time by ascending id so memory stays flat however many there are.
 */
export async function* contactsSource(args: {
  accountId: string
  filters?: unknown
  payload: Payload
  slug: string
}): AsyncGenerator<AudienceRow> {
  const { slug, accountId, filters, payload } = args
  const base: Where[] = [
    { account: { equals: accountId } },
    { optedOut: { not_equals: true } },
    { isBlocked: { not_equals: true } },
    ...(filters && typeof filters === 'object' && Object.keys(filters).length > 0
      ? [filters as Where]
      : []),
  ]
  let after: number | string | undefined
  for (;;) {
    const { docs } = await payload.find({
      collection: slug,
      depth: 0,
      limit: pageSize,
      pagination: false,
      sort: 'id',
      where: { and: [...base, ...(after === undefined ? [] : [{ id: { greater_than: after } }])] },
    })
    for (const doc of docs) {
      const attributes =
        doc.attributes && typeof doc.attributes === 'object' && !Array.isArray(doc.attributes)
          ? (doc.attributes as Record<string, unknown>)
          : {}
      // Attributes are reachable both flat ("city") and nested ("attributes.city").
      yield { ...attributes, ...doc, name: doc.displayName, phone: doc.normalizedPhone }
    }
    if (docs.length < pageSize) {
      return
    }
    after = docs[docs.length - 1].id
  }
}
