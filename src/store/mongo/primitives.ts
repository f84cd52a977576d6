import type { MongooseAdapter } from '@payloadcms/db-mongodb'
import type { Collection, Document, Filter } from 'mongodb'
import type { Payload } from 'payload'

import { ObjectId } from 'mongodb'
import { createHash } from 'node:crypto'

import type { CampaignStatus, RecipientStatus } from '../../collections/campaignStatuses.js'
import type { ResolvedOptions } from '../../options.js'
import type { StatusMove, StorePrimitives, UnitPrimitives } from '../primitives.js'
import type { ClaimedRecipient, Id, PendingEvent } from '../types.js'

const oid = (id: Id) => new ObjectId(id)

/** Driver-level collection (not a Payload collection) holding each phone number's send schedule. */
const rateLimitCollection = 'whatsapp_send_schedule'

/** Driver-level collection holding each business portfolio's messaging-limit slots. */
const limitSlotsCollection = 'whatsapp_messaging_limit_slots'

/** One slot of a portfolio's window; its id is derived from portfolio and slot, so it exists once. */
type LimitSlot = {
  _id: ObjectId
  at: Date
  key: string
  op?: string
  phone: null | string
  slot: number
}

const slotId = (key: string, slot: number) =>
  new ObjectId(createHash('sha256').update(`${key}#${slot}`).digest().subarray(0, 12))

/** Slots created per bulk write. */
const slotChunk = 1000

/** How many recent counter updates a campaign remembers, so a rerun one is not applied twice. */
const counterOpsKept = 50

/** Status writes per recipient remembered, more than the events that can race on one message. */
const statusOpsKept = 5

/** Driver-level collection of leases (the webhook applier's). */
const leaseCollection = 'whatsapp_leases'

/**
 * Batch counter updates a campaign remembers. Only the applier (one at a time) adds them, and a
 * batch cut short is finished by the next one, so a few suffice.
 */
const applierOpsKept = 20

const pendingFilter = { applied: false, waiting: { $ne: true } }

const optionalNumber = (value: unknown) => (typeof value === 'number' ? value : undefined)
const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined)

const claimedRecipient = (doc: Document): ClaimedRecipient => ({
  id: String(doc._id),
  name: typeof doc.name === 'string' ? doc.name : undefined,
  attempts: Number(doc.attempts ?? 1),
  parameters: (doc.parameters as Record<string, string> | undefined) ?? {},
  phoneNumber: String(doc.phoneNumber),
})

/** Inserts documents with ids chosen beforehand; a rerun upserts, so none is doubled. */
const insertOnce = async (collection: Collection<Document>, docs: Document[], rerun: boolean) => {
  if (!rerun) {
    await collection.insertMany(docs, { ordered: false })
    return
  }
  await collection.bulkWrite(
    docs.map((doc) => ({
      updateOne: { filter: { _id: doc._id }, update: { $setOnInsert: doc }, upsert: true },
    })),
    { ordered: false },
  )
}

/**
 * The store's primitives on Payload's MongoDB adapter, on the driver directly. A unit runs step
 * by step (no transactions), so every step is safe to repeat by its op: counter updates are
 * remembered by the campaign, moves by the op they stamp.
 */
export const createMongoPrimitives = (
  payload: Payload,
  options: ResolvedOptions,
): StorePrimitives => {
  const adapter = payload.db as unknown as MongooseAdapter
  const native = <T extends Document = Document>(slug: string): Collection<T> => {
    const model = adapter.collections[slug]
    if (!model) {
      throw new Error(`whatsapp-campaigns: collection "${slug}" is not registered`)
    }
    return adapter.connection.db!.collection<T>(model.collection.collectionName)
  }
  const recipients = () => native(options.slugs.recipients)
  const campaigns = () =>
    native<{ counterOps?: string[]; status?: CampaignStatus }>(options.slugs.campaigns)
  const events = () => native(options.slugs.webhookEvents)
  /** Schedules and leases whose document and unique index were made. */
  const knownSchedules = new Set<string>()
  const limitSlots = () => adapter.connection.db!.collection<LimitSlot>(limitSlotsCollection)
  /** Slots this process knows exist, per portfolio. */
  const knownSlots = new Map<string, number>()
  const stampedPhones = async (key: string, op: string) =>
    (
      await limitSlots()
        .find({ key, op }, { projection: { phone: 1 } })
        .toArray()
    ).map((doc) => String(doc.phone))

  const countStatuses = async (match: Filter<Document>) =>
    (
      await recipients()
        .aggregate<{ _id: RecipientStatus; n: number }>([
          { $match: match },
          { $group: { _id: '$status', n: { $sum: 1 } } },
        ])
        .toArray()
    ).map((row) => ({ n: row.n, status: row._id }))

  const claimedBy = async (token: string) =>
    (
      await recipients()
        .find(
          { claimToken: token, status: 'sending' },
          { projection: { name: 1, attempts: 1, parameters: 1, phoneNumber: 1 } },
        )
        .toArray()
    ).map(claimedRecipient)

  const unit: UnitPrimitives = {
    addBatchCounters: async (deltas, op) => {
      const updates = deltas.flatMap(({ campaignId, delta }) => {
        const inc = Object.fromEntries(Object.entries(delta).filter(([, n]) => n !== 0))
        return Object.keys(inc).length === 0
          ? []
          : [
              {
                updateOne: {
                  filter: { _id: oid(campaignId), applierOps: { $ne: op } },
                  update: {
                    $inc: inc,
                    $push: { applierOps: { $each: [op], $slice: -applierOpsKept } },
                    $set: { updatedAt: new Date() },
                  } as Document,
                },
              },
            ]
      })
      if (updates.length > 0) {
        await campaigns().bulkWrite(updates, { ordered: false })
      }
    },

    addCounters: async (campaignId, delta, op) => {
      const inc = Object.fromEntries(Object.entries(delta).filter(([, n]) => n !== 0))
      if (Object.keys(inc).length === 0) {
        return
      }
      await campaigns().updateOne(
        { _id: oid(campaignId), counterOps: { $ne: op } },
        {
          $inc: inc,
          $push: { counterOps: { $each: [op], $slice: -counterOpsKept } },
          $set: { updatedAt: new Date() },
        },
      )
    },

    countStamped: (op, ids) =>
      recipients().countDocuments({
        outcomeOp: op,
        ...(ids ? { _id: { $in: ids.map(oid) } } : {}),
      }),

    markUnknown: async (campaignId, claimedBefore, errorMessage, op) =>
      (
        await recipients().updateMany(
          { campaign: oid(campaignId), claimedAt: { $lt: claimedBefore }, status: 'sending' },
          { $set: { errorMessage, outcomeOp: op, status: 'unknown', updatedAt: new Date() } },
        )
      ).modifiedCount,

    moveOutcomes: async (moves, op, release) => {
      if (moves.length === 0) {
        return 0
      }
      const now = new Date()
      const result = await recipients().bulkWrite(
        moves.map(({ id, fields }) => ({
          updateOne: {
            filter: { _id: oid(id), status: 'sending' },
            update: {
              ...(release ? { $inc: { attempts: -1 } } : {}),
              $set: { ...fields, outcomeOp: op, updatedAt: now },
            },
          },
        })),
        { ordered: false },
      )
      return result.modifiedCount
    },

    markReplied: async (messageId, fields, op) => {
      const marked = await recipients().findOneAndUpdate(
        { messageId, repliedAt: null },
        {
          $push: { statusOps: { $each: [op], $slice: -statusOpsKept } } as Document,
          $set: { ...fields, updatedAt: new Date() },
        },
        { projection: { campaign: 1 }, returnDocument: 'before' },
      )
      return marked ? String(marked.campaign) : undefined
    },

    moveStatuses: async (moves, op) => {
      if (moves.length === 0) {
        return []
      }
      const now = new Date()
      // Moves making the same change (statuses at the same second, mostly) share one updateMany:
      // the same compare-and-set per recipient, in far fewer operations.
      const alike = new Map<string, { ids: ObjectId[]; move: (typeof moves)[number] }>()
      for (const move of moves) {
        const key = JSON.stringify([move.from, move.to, move.change])
        const group = alike.get(key) ?? { ids: [], move }
        group.ids.push(oid(move.id))
        alike.set(key, group)
      }
      await recipients().bulkWrite(
        [...alike.values()].map(({ ids, move: { change, from, to } }) => ({
          updateMany: {
            filter: { _id: { $in: ids }, status: from },
            update: {
              ...(change.deliveredAtMost ? { $min: { deliveredAt: change.deliveredAtMost } } : {}),
              $push: { statusMoves: { $each: [{ from, op, to }], $slice: -statusOpsKept } },
              $set: { ...change.fields, updatedAt: now },
            } as Document,
          },
        })),
        { ordered: false },
      )
      // What this op moved, an earlier try's moves included, as its stamps say.
      const stamped = await recipients()
        .find(
          { _id: { $in: moves.map((m) => oid(m.id)) }, 'statusMoves.op': op },
          { projection: { campaign: 1, statusMoves: 1 } },
        )
        .toArray()
      return stamped.flatMap((doc) =>
        ((doc.statusMoves ?? []) as StatusMove[])
          .filter((m) => m.op === op)
          .map((m) => ({
            id: String(doc._id),
            campaignId: String(doc.campaign),
            from: m.from,
            to: m.to,
          })),
      )
    },

    settleEvents: async (applied, waiting) => {
      if (applied.length > 0) {
        await events().updateMany({ _id: { $in: applied.map(oid) } }, { $set: { applied: true } })
      }
      if (waiting.length > 0) {
        await events().updateMany(
          { _id: { $in: waiting.map(oid) }, applied: false },
          { $set: { waiting: true } },
        )
      }
    },

    stampEvents: async (ids, op) => {
      await events().updateMany({ _id: { $in: ids.map(oid) } }, { $set: { applyOp: op } })
    },

    statusStamped: async (messageId, op) => {
      const doc = await recipients().findOne(
        { messageId, statusOps: op },
        { projection: { campaign: 1 } },
      )
      return doc ? String(doc.campaign) : undefined
    },

    wakeWaiting: async (messageIds) => {
      await events().updateMany(
        { applied: false, messageId: { $in: messageIds }, waiting: true },
        { $set: { waiting: false } },
      )
    },
  }

  return {
    ...unit,

    atomicUnits: false,

    campaignStatus: async (campaignId) =>
      (await campaigns().findOne({ _id: oid(campaignId) }, { projection: { status: 1 } }))?.status,

    claim: async (campaignId, limit, token) => {
      const candidates = await recipients()
        .find(
          { campaign: oid(campaignId), status: 'pending' },
          { limit, projection: { _id: 1 }, sort: { _id: 1 } },
        )
        .toArray()
      if (candidates.length === 0) {
        return []
      }
      // The status guard makes each recipient's claim atomic: of two workers, one wins it.
      await recipients().updateMany(
        { _id: { $in: candidates.map((c) => c._id) }, status: 'pending' },
        {
          $inc: { attempts: 1 },
          $set: { claimedAt: new Date(), claimToken: token, status: 'sending' },
        },
      )
      return claimedBy(token)
    },

    claimedBy,

    countSent: (campaignId) =>
      recipients().countDocuments({ campaign: oid(campaignId), messageId: { $nin: [null, ''] } }),

    countPending: () => events().countDocuments(pendingFilter),

    countStatuses: (campaignId) => countStatuses({ campaign: oid(campaignId) }),

    countRecentSends: async ({ category, exceptCampaign, phones, since }) =>
      (
        await recipients()
          .aggregate<{ _id: string; n: number }>([
            {
              $match: {
                $or: [
                  { sentAt: { $gte: since } },
                  {
                    createdAt: { $gte: since },
                    status: { $in: ['pending', 'sending', 'unknown'] },
                  },
                ],
                campaign: { $ne: oid(exceptCampaign) },
                phoneNumber: { $in: phones },
                templateCategory: category,
              },
            },
            { $group: { _id: '$phoneNumber', n: { $sum: 1 } } },
          ])
          .toArray()
      ).map((row) => ({ n: row.n, phone: row._id })),

    deleteRecipients: async (campaignId) => {
      await recipients().deleteMany({ campaign: oid(campaignId) })
    },

    ensureLimitSlots: async (key, count) => {
      if ((knownSlots.get(key) ?? 0) >= count) {
        return
      }
      if ((await limitSlots().countDocuments({ key, slot: { $lt: count } })) < count) {
        await limitSlots().createIndex({ key: 1, phone: 1 })
        await limitSlots().createIndex({ at: 1, key: 1, slot: 1 })
        const free = new Date(0)
        for (let start = 0; start < count; start += slotChunk) {
          const slots = Array.from(
            { length: Math.min(slotChunk, count - start) },
            (_, i) => start + i,
          )
          await limitSlots().bulkWrite(
            slots.map((slot) => ({
              updateOne: {
                filter: { _id: slotId(key, slot) },
                update: { $setOnInsert: { at: free, key, phone: null, slot } },
                upsert: true,
              },
            })),
            { ordered: false },
          )
        }
      }
      knownSlots.set(key, count)
    },

    countReplied: (campaignId) =>
      recipients().countDocuments({ campaign: oid(campaignId), repliedAt: { $type: 'date' } }),

    failureGroups: async (campaignId, limit) =>
      (
        await recipients()
          .aggregate<{ _id: null | number; count: number; message: null | string }>([
            { $match: { campaign: oid(campaignId), status: 'failed' } },
            {
              $group: { _id: '$errorCode', count: { $sum: 1 }, message: { $min: '$errorMessage' } },
            },
            // Key order is sort order: largest groups first, then by code.
            // eslint-disable-next-line perfectionist/sort-objects
            { $sort: { count: -1, _id: 1 } },
            { $limit: limit },
          ])
          .toArray()
      ).map((row) => ({
        count: row.count,
        errorCode: row._id ?? null,
        errorMessage: row.message ?? '',
      })),

    insertEvents: (records, now, rerun) =>
      insertOnce(
        events(),
        records.map(({ id, ...record }) => ({
          _id: oid(id),
          applied: false,
          createdAt: now,
          receivedAt: now,
          updatedAt: now,
          waiting: false,
          ...record,
        })),
        rerun,
      ),

    insertRecipients: (campaignId, rows, now, rerun) =>
      insertOnce(
        recipients(),
        rows.map((row) => ({
          _id: oid(row.id),
          attempts: 0,
          campaign: oid(campaignId),
          createdAt: now,
          ...(row.errorCode === undefined ? {} : { errorCode: row.errorCode }),
          ...(row.errorMessage === undefined ? {} : { errorMessage: row.errorMessage }),
          ...(row.status === 'failed' ? { failedAt: now } : {}),
          name: row.name ?? null,
          parameters: row.parameters ?? {},
          phoneNumber: row.phoneNumber,
          status: row.status,
          ...(row.templateCategory === undefined ? {} : { templateCategory: row.templateCategory }),
          updatedAt: now,
        })),
        rerun,
      ),

    limitUsage: async (key, count, since) => {
      const recent = { at: { $gt: since }, key, slot: { $lt: count } }
      const [used, oldest] = await Promise.all([
        limitSlots().countDocuments(recent),
        limitSlots().findOne(recent, { projection: { at: 1 }, sort: { at: 1 } }),
      ])
      return { oldest: oldest ? new Date(oldest.at) : null, used }
    },

    billableGroups: async (campaignIds) =>
      (
        await recipients()
          .aggregate<{
            _id: { campaign: ObjectId; category: null | string; prefix: string }
            count: number
          }>([
            { $match: { billable: true, campaign: { $in: campaignIds.map(oid) } } },
            {
              $group: {
                _id: {
                  campaign: '$campaign',
                  category: { $ifNull: ['$pricingCategory', null] },
                  prefix: { $substrCP: ['$phoneNumber', 0, 3] },
                },
                count: { $sum: 1 },
              },
            },
          ])
          .toArray()
      ).map((row) => ({
        campaignId: String(row._id.campaign),
        category: row._id.category,
        count: row.count,
        prefix: row._id.prefix,
      })),

    lowerReply: async (messageId, fields) => {
      await recipients().updateOne(
        { messageId, repliedAt: { $gt: fields.repliedAt } },
        { $set: { ...fields, updatedAt: new Date() } },
      )
    },

    markEventsApplied: async (ids) => {
      await events().updateMany({ _id: { $in: ids.map(oid) } }, { $set: { applied: true } })
    },

    minuteCounts: async (campaignId, field) =>
      (
        await recipients()
          .aggregate<{ _id: string; n: number }>([
            { $match: { campaign: oid(campaignId), [field]: { $type: 'date' } } },
            {
              $group: {
                _id: { $dateToString: { date: `$${field}`, format: '%Y-%m-%dT%H:%M' } },
                n: { $sum: 1 },
              },
            },
          ])
          .toArray()
      ).map((row) => ({ at: row._id, n: row.n })),

    newIds: (_into, n) =>
      Promise.resolve(Array.from({ length: n }, () => new ObjectId().toHexString())),

    pendingEvents: async (limit) =>
      (await events().find(pendingFilter).sort({ _id: 1 }).limit(limit).toArray()).map(
        (doc): PendingEvent => ({
          id: String(doc._id),
          applyOp: optionalString(doc.applyOp),
          errorCode: optionalNumber(doc.errorCode),
          errorMessage: optionalString(doc.errorMessage),
          kind: doc.kind as PendingEvent['kind'],
          messageId: optionalString(doc.messageId),
          payload: doc.payload,
          phoneNumberId: optionalString(doc.phoneNumberId),
          status: optionalString(doc.status),
          timestamp: doc.timestamp instanceof Date ? doc.timestamp : undefined,
        }),
      ),

    pruneEvents: async (before) =>
      (
        await events().deleteMany({
          $or: [{ applied: true }, { kind: { $ne: 'status' } }],
          receivedAt: { $lt: before },
        })
      ).deletedCount,

    recipientsByMessageId: async (messageIds) =>
      (
        await recipients()
          .find(
            { messageId: { $in: messageIds } },
            { projection: { campaign: 1, messageId: 1, status: 1, statusMoves: 1 } },
          )
          .toArray()
      ).map((doc) => ({
        id: String(doc._id),
        campaignId: String(doc.campaign),
        messageId: String(doc.messageId),
        moves: (doc.statusMoves ?? []) as StatusMove[],
        status: doc.status as RecipientStatus,
      })),

    recipientStatus: async (messageId) =>
      (await recipients().findOne({ messageId }, { projection: { status: 1 } }))?.status as
        RecipientStatus | undefined,

    refreshLimitSlots: async (key, phones, since, now, op) => {
      await limitSlots().updateMany(
        { at: { $gt: since }, key, phone: { $in: phones } },
        { $set: { at: now, op } },
      )
      return stampedPhones(key, op)
    },

    replyButtons: async (campaignId) =>
      (
        await recipients()
          .aggregate<{ _id: string; count: number }>([
            { $match: { campaign: oid(campaignId), replyButton: { $type: 'string' } } },
            { $group: { _id: '$replyButton', count: { $sum: 1 } } },
            // Key order is sort order: most tapped first, then by button.
            // eslint-disable-next-line perfectionist/sort-objects
            { $sort: { count: -1, _id: 1 } },
          ])
          .toArray()
      ).map((row) => ({ button: row._id, count: row.count })),

    releaseLease: async (name, holder) => {
      await adapter.connection
        .db!.collection(leaseCollection)
        .updateOne({ name, holder }, { $set: { until: new Date(0) } })
    },

    releaseLimitSlots: async (key, phones, op) => {
      await limitSlots().updateMany(
        { key, op, phone: { $in: phones } },
        { $set: { at: new Date(0), phone: null }, $unset: { op: '' } },
      )
    },

    requeue: async (campaignId, which, now, op) => {
      const or: Document[] = []
      if (which.failedRetryable) {
        or.push({
          $or: [{ retryNotBefore: null }, { retryNotBefore: { $lte: now } }],
          retryable: true,
          status: 'failed',
        })
      }
      if (which.unknown) {
        or.push({ status: 'unknown' })
      }
      const result = await recipients().updateMany(
        { $or: or, campaign: oid(campaignId) },
        {
          $set: { outcomeOp: op, status: 'pending', updatedAt: new Date() },
          $unset: {
            errorCode: '',
            errorMessage: '',
            failedAt: '',
            retryable: '',
            retryNotBefore: '',
          },
        },
      )
      return result.modifiedCount
    },

    reserveSlots: async (key, count, intervalMs) => {
      const limits = adapter.connection.db!.collection<{ key: string; next: number }>(
        rateLimitCollection,
      )
      if (!knownSchedules.has(key)) {
        await limits.createIndex({ key: 1 }, { unique: true })
        await limits
          .updateOne({ key }, { $setOnInsert: { next: 0 } }, { upsert: true })
          .catch((error: { code?: number } & Error) => {
            // Another process created it first.
            if (error.code !== 11000) {
              throw error
            }
          })
        knownSchedules.add(key)
      }
      // Compare-and-set on the schedule's end, so concurrent reservations never overlap. Matched,
      // not modified: a reservation of no length leaves the end as it was, and MongoDB counts
      // that update unmodified (retrying it would spin until the end has passed).
      for (;;) {
        const current = await limits.findOne({ key })
        const start = Math.max(Date.now(), current?.next ?? 0)
        const { matchedCount } = await limits.updateOne(
          { key, next: current?.next ?? 0 },
          { $set: { next: start + count * intervalMs } },
        )
        if (matchedCount === 1) {
          return start
        }
      }
    },

    sentSince: (campaignId, since) =>
      recipients().countDocuments({ campaign: oid(campaignId), sentAt: { $gte: since } }),

    setCampaign: async (campaignId, fields, from) => {
      const result = await campaigns().updateOne(
        { _id: oid(campaignId), ...(from ? { status: { $in: from } } : {}) },
        { $set: { ...fields, updatedAt: new Date() } },
      )
      return result.modifiedCount === 1
    },

    // The clock is this machine's: holders on other machines need clocks in step within a lease.
    setPricing: async (rows) => {
      const now = new Date()
      await recipients().bulkWrite(
        rows.map(({ at, billable, category, messageId }) => ({
          updateOne: {
            filter: { $or: [{ pricingAt: null }, { pricingAt: { $lte: at } }], messageId },
            update: {
              $set: { billable, pricingAt: at, pricingCategory: category, updatedAt: now },
            },
          },
        })),
        { ordered: false },
      )
    },

    takeLease: async (name, holder, ms) => {
      const leases = adapter.connection.db!.collection<{
        holder: string
        name: string
        until: Date
      }>(leaseCollection)
      // Created free first, then taken by compare-and-set: no upsert races another holder's.
      if (!knownSchedules.has(`lease:${name}`)) {
        await leases.createIndex({ name: 1 }, { unique: true })
        knownSchedules.add(`lease:${name}`)
      }
      await leases
        .updateOne({ name }, { $setOnInsert: { holder: '', until: new Date(0) } }, { upsert: true })
        .catch((error: { code?: number } & Error) => {
          // Another process created it first.
          if (error.code !== 11000) {
            throw error
          }
        })
      const now = new Date()
      const result = await leases.updateOne(
        { name, $or: [{ holder }, { until: { $lt: now } }] },
        { $set: { holder, until: new Date(now.getTime() + ms) } },
      )
      return result.matchedCount === 1
    },

    takeLimitSlots: async (key, phones, count, since, now, op) => {
      const stamped = new Set(await stampedPhones(key, op))
      const wanted = phones.filter((phone) => !stamped.has(phone))
      const free =
        wanted.length === 0
          ? []
          : await limitSlots()
              .find(
                { at: { $lte: since }, key, slot: { $lt: count } },
                { limit: wanted.length, projection: { at: 1 }, sort: { slot: 1 } },
              )
              .toArray()
      if (free.length > 0) {
        // Compare-and-set on each slot's time: of two callers, one takes it.
        await limitSlots().bulkWrite(
          free.map((slot, i) => ({
            updateOne: {
              filter: { _id: slot._id, at: slot.at },
              update: { $set: { at: now, op, phone: wanted[i] } },
            },
          })),
          { ordered: false },
        )
      }
      return stampedPhones(key, op)
    },

    unit: (work) => work(unit),
  }
}
