import type { Access, PayloadRequest } from 'payload'

/**
 * Evaluates a plugin access rule for one document: true, or a query the document must match,
 * as Payload's own access functions may return.
 */
export const hasAccess = async (
  access: Access,
  req: PayloadRequest,
  doc?: { collection: string; id: string },
): Promise<boolean> => {
  const result = await access({ id: doc?.id, req })
  if (typeof result === 'boolean') {
    return result
  }
  if (!result || !doc) {
    return Boolean(result)
  }
  const { totalDocs } = await req.payload.count({
    collection: doc.collection,
    where: { and: [{ id: { equals: doc.id } }, result] },
  })
  return totalDocs === 1
}
