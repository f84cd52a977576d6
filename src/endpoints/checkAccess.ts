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

/**
 * The shared guard of the plugin's endpoints: 401 for anonymous callers, 403 when the access
 * rule refuses; undefined when the caller may go on.
 */
export const refuseUnlessAllowed = async (
  req: PayloadRequest,
  access: Access,
  action: string,
  doc?: { collection: string; id: string },
): Promise<Response | undefined> => {
  if (!req.user) {
    return Response.json({ error: 'You must be logged in.' }, { status: 401 })
  }
  if (!(await hasAccess(access, req, doc))) {
    return Response.json({ error: `You are not allowed to ${action}.` }, { status: 403 })
  }
  return undefined
}
