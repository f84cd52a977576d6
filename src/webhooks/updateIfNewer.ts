import type { Payload } from 'payload'

/**
 * Applies `data` to the document unless it already holds a signal newer than `time` in its
 * `clock` field: Meta's webhooks arrive reordered, and an old "all clear" must not undo a newer
 * stop (nor an old stop a newer all clear). Returns whether it applied. Two updates racing on
 * the same document both see the older clock; the later write wins, as the webhook retry would.
 */
export const updateIfNewer = async (
  payload: Payload,
  {
    id,
    clock,
    collection,
    data,
    time,
  }: {
    clock: string
    collection: string
    data: Record<string, unknown>
    id: number | string
    time: Date
  },
): Promise<boolean> => {
  const { docs } = await payload.update({
    collection,
    data: { ...data, [clock]: time.toISOString() },
    depth: 0,
    where: {
      and: [
        { id: { equals: id } },
        {
          or: [
            { [clock]: { exists: false } },
            { [clock]: { less_than_equal: time.toISOString() } },
          ],
        },
      ],
    },
  })
  if (docs.length === 0) {
    payload.logger.info(
      `whatsapp webhook: an older ${clock.replace(/UpdatedAt$/, '')} signal (${time.toISOString()}) than the one applied was ignored`,
    )
  }
  return docs.length > 0
}
