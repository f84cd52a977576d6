import type { MongooseAdapter } from '@payloadcms/db-mongodb'
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb'
import type { Payload } from 'payload'

import { ObjectId } from 'mongodb'

import type { CampaignStatus, RecipientStatus } from '../collections/campaignStatuses.js'
import type { ResolvedOptions } from '../options.js'
import type {
  CampaignStore,
  ClaimedRecipient,
  CounterDelta,
  Id,
  SendOutcome,
  StatusEvent,
  TimelinePoint,
} from './types.js'

import { opId } from './opId.js'
import { settleStatusEvent } from './settleStatusEvent.js'
import {
  counterDelta,
  countersFrom,
  recordedStatuses,
  statusCounts,
  statusesBelow,
} from './statusRank.js'
import { createRetryTransient } from './transientErrors.js'

const oid = (id: Id) => new ObjectId(id)

/** Driver-level collection (not a Payload collection) holding each phone number's send schedule. */
const rateLimitCollection = 'whatsapp_send_schedule'

const nonZero = (delta: CounterDelta) =>
  Object.fromEntries(Object.entries(delta).filter(([, value]) => value !== 0))

/** How many recent counter updates a campaign remembers, so a retried one is not applied twice. */
const counterOpsKept = 50

/** Status writes per recipient remembered, more than the events that can race on one message. */
const statusOpsKept = 5

/** The CampaignStore on Payload's MongoDB adapter, using the driver directly for bulk and atomic writes. */
export const createMongoStore = (payload: Payload, options: ResolvedOptions): CampaignStore => {
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
  const knownSchedules = new Set<string>()
  const retry = createRetryTransient(payload.logger, options.databaseRetryMs)

  /**
   * A write retried after a dropped connection may already have been applied, so each
   * increment carries an id the campaign remembers: applied once, however often it is sent.
   */
  const incrementCounters = async (campaignId: Id, delta: CounterDelta) => {
    const inc = nonZero(delta)
    if (Object.keys(inc).length === 0) {
      return
    }
    const op = opId()
    await retry(() =>
      campaigns().updateOne(
        { _id: oid(campaignId), counterOps: { $ne: op } },
        {
          $inc: inc,
          $push: { counterOps: { $each: [op], $slice: -counterOpsKept } },
          $set: { updatedAt: new Date() },
        },
      ),
    )
  }

  /**
   * Runs a status-guarded bulk write that stamps each document it moves with `op`. Its
   * modified count is exact unless it had to be retried (the first try may have been applied
   * without an answer); then the stamps are counted instead.
   */
  const movedBy = async (op: string, ids: ObjectId[], write: () => Promise<number>) => {
    let retried = false
    const modified = await retry(write, () => (retried = true))
    return retried
      ? retry(() => recipients().countDocuments({ _id: { $in: ids }, outcomeOp: op }))
      : modified
  }

  /** Inserts documents with ids chosen here; a retried insert upserts, so none is doubled. */
  const insertOnce = async (collection: Collection<Document>, docs: Document[]) => {
    let retried = false
    await retry(
      async () => {
        if (!retried) {
          await collection.insertMany(docs, { ordered: false })
          return
        }
        await collection.bulkWrite(
          docs.map((doc) => ({
            updateOne: { filter: { _id: doc._id }, update: { $setOnInsert: doc }, upsert: true },
          })),
          { ordered: false },
        )
      },
      () => (retried = true),
    )
  }

  const applyStatusEvent = async (event: StatusEvent): Promise<boolean> => {
    const at = event.timestamp
    const set: Document = { status: event.status, updatedAt: new Date() }
    const min: Document = {}
    if (event.status === 'delivered') {
      set.deliveredAt = at
    } else if (event.status === 'read') {
      set.readAt = at
      // A read that overtakes its delivered still means the message was delivered.
      min.deliveredAt = at
    } else if (event.status === 'failed') {
      set.failedAt = at
      set.errorCode = event.errorCode ?? null
      set.errorMessage = event.errorMessage ?? 'Meta reported the message as failed'
    }
    const minimum = Object.keys(min).length > 0 ? { $min: min } : {}
    const pushOp = (op: string): Document => ({
      statusOps: { $each: [op], $slice: -statusOpsKept },
    })
    // One status at a time, so the status moved from is known even when a retried write's first
    // try was applied unanswered: its op id, kept among the last few, then marks the recipient.
    const apply = async () => {
      for (const from of recordedStatuses.filter((s) => statusesBelow(event.status).includes(s))) {
        const op = opId()
        let retried = false
        const moved =
          (await retry(
            () =>
              recipients().findOneAndUpdate(
                { messageId: event.messageId, status: from },
                { $push: pushOp(op), $set: set, ...minimum },
                { projection: { campaign: 1 }, returnDocument: 'before' },
              ),
            () => (retried = true),
          )) ??
          (retried
            ? await retry(() =>
                recipients().findOne(
                  { messageId: event.messageId, statusOps: op },
                  { projection: { campaign: 1 } },
                ),
              )
            : null)
        if (moved) {
          await incrementCounters(String(moved.campaign), counterDelta(from, event.status))
          return true
        }
      }
      return false
    }
    return settleStatusEvent(event, apply, async () => {
      const doc = await retry(() =>
        recipients().findOne({ messageId: event.messageId }, { projection: { status: 1 } }),
      )
      return doc?.status as RecipientStatus | undefined
    })
  }

  const recount = async (campaignId: Id) => {
    const counts = await countByStatus(campaignId)
    const sent = await retry(() =>
      recipients().countDocuments({
        campaign: oid(campaignId),
        messageId: { $exists: true, $nin: [null, ''] },
      }),
    )
    await retry(() =>
      campaigns().updateOne(
        { _id: oid(campaignId) },
        { $set: { ...countersFrom(counts, sent), updatedAt: new Date() } },
      ),
    )
  }

  const countByStatus = async (campaignId: Id) => {
    const rows = await retry(() =>
      recipients()
        .aggregate<{ _id: RecipientStatus; n: number }>([
          { $match: { campaign: oid(campaignId) } },
          { $group: { _id: '$status', n: { $sum: 1 } } },
        ])
        .toArray(),
    )
    return statusCounts(rows.map((row) => ({ n: row.n, status: row._id })))
  }

  const campaignStatus = async (campaignId: Id) => {
    const doc = await retry(() =>
      campaigns().findOne({ _id: oid(campaignId) }, { projection: { status: 1 } }),
    )
    return doc?.status
  }

  return {
    applyStatusEvent,

    claimBatch: async (campaignId, limit) => {
      const candidates = await retry(() =>
        recipients()
          .find(
            { campaign: oid(campaignId), status: 'pending' },
            { limit, projection: { _id: 1 }, sort: { _id: 1 } },
          )
          .toArray(),
      )
      if (candidates.length === 0) {
        return []
      }
      // One token across retries: a claim applied without an answer is still found below.
      const claimToken = opId()
      // The status guard makes each recipient's claim atomic: of two workers, one wins it.
      await retry(() =>
        recipients().updateMany(
          { _id: { $in: candidates.map((c) => c._id) }, status: 'pending' },
          { $inc: { attempts: 1 }, $set: { claimedAt: new Date(), claimToken, status: 'sending' } },
        ),
      )
      const claimed = await retry(() =>
        recipients()
          .find(
            { claimToken, status: 'sending' },
            { projection: { name: 1, attempts: 1, parameters: 1, phoneNumber: 1 } },
          )
          .toArray(),
      )
      return claimed.map((doc): ClaimedRecipient => ({
        id: String(doc._id),
        name: typeof doc.name === 'string' ? doc.name : undefined,
        attempts: Number(doc.attempts ?? 1),
        parameters: (doc.parameters as Record<string, string> | undefined) ?? {},
        phoneNumber: String(doc.phoneNumber),
      }))
    },

    campaignStatus,

    countByStatus,

    failuresByCode: async (campaignId, limit) => {
      const rows = await retry(() =>
        recipients()
          .aggregate<{ _id: null | number; count: number; message: null | string }>([
            { $match: { campaign: oid(campaignId), status: 'failed' } },
            {
              $group: {
                _id: '$errorCode',
                count: { $sum: 1 },
                message: { $first: '$errorMessage' },
              },
            },
            { $sort: { count: -1 } },
            { $limit: limit },
          ])
          .toArray(),
      )
      return rows.map((row) => ({
        count: row.count,
        errorCode: row._id ?? null,
        errorMessage: row.message ?? '',
      }))
    },

    sentSince: (campaignId, since) =>
      retry(() =>
        recipients().countDocuments({ campaign: oid(campaignId), sentAt: { $gte: since } }),
      ),

    timeline: async (campaignId) => {
      const minute = (field: string) => ({
        $dateToString: { date: `$${field}`, format: '%Y-%m-%dT%H:%M' },
      })
      const series = async (field: 'deliveredAt' | 'readAt' | 'sentAt') =>
        retry(() =>
          recipients()
            .aggregate<{ _id: string; n: number }>([
              { $match: { campaign: oid(campaignId), [field]: { $type: 'date' } } },
              { $group: { _id: minute(field), n: { $sum: 1 } } },
            ])
            .toArray(),
        )
      const [sent, delivered, read] = await Promise.all([
        series('sentAt'),
        series('deliveredAt'),
        series('readAt'),
      ])
      const points = new Map<string, TimelinePoint>()
      const point = (at: string) => {
        const existing = points.get(at) ?? { at, delivered: 0, read: 0, sent: 0 }
        points.set(at, existing)
        return existing
      }
      sent.forEach((row) => (point(row._id).sent = row.n))
      delivered.forEach((row) => (point(row._id).delivered = row.n))
      read.forEach((row) => (point(row._id).read = row.n))
      return [...points.values()].sort((a, b) => a.at.localeCompare(b.at))
    },

    deleteRecipients: async (campaignId) => {
      await retry(() => recipients().deleteMany({ campaign: oid(campaignId) }))
    },

    insertRecipients: async (campaignId, rows) => {
      if (rows.length === 0) {
        return
      }
      const now = new Date()
      await insertOnce(
        recipients(),
        rows.map((row) => ({
          _id: new ObjectId(),
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
          updatedAt: now,
        })),
      )
    },

    logEvents: async (records) => {
      if (records.length === 0) {
        return []
      }
      const now = new Date()
      const docs = records.map((record) => ({
        _id: new ObjectId(),
        applied: false,
        createdAt: now,
        receivedAt: now,
        updatedAt: now,
        ...record,
      }))
      await insertOnce(events(), docs)
      return docs.map((doc) => String(doc._id))
    },

    markEventsApplied: async (ids) => {
      if (ids.length > 0) {
        await retry(() =>
          events().updateMany({ _id: { $in: ids.map(oid) } }, { $set: { applied: true } }),
        )
      }
    },

    pruneEvents: async (before) => {
      const result = await retry(() =>
        events().deleteMany({
          $or: [{ applied: true }, { kind: { $ne: 'status' } }],
          receivedAt: { $lt: before },
        }),
      )
      return result.deletedCount
    },

    markStaleClaimsUnknown: async (campaignId, claimedBefore) => {
      const filter = {
        campaign: oid(campaignId),
        claimedAt: { $lt: claimedBefore },
        status: 'sending',
      }
      const stale = await retry(() =>
        recipients()
          .find(filter, { projection: { _id: 1 } })
          .toArray(),
      )
      if (stale.length === 0) {
        return 0
      }
      const ids = stale.map((doc) => doc._id)
      const op = opId()
      const moved = await movedBy(op, ids, async () => {
        const result = await recipients().updateMany(
          { _id: { $in: ids }, status: 'sending' },
          {
            $set: {
              errorMessage:
                'Outcome unknown: the worker stopped while this message was being sent. It was not sent again; use "Retry unknown" to send it.',
              outcomeOp: op,
              status: 'unknown',
              updatedAt: new Date(),
            },
          },
        )
        return result.modifiedCount
      })
      if (moved > 0) {
        await incrementCounters(campaignId, { unknownCount: moved })
      }
      return moved
    },

    recordOutcomes: async (campaignId, outcomes) => {
      const now = new Date()
      const byKind = new Map<
        SendOutcome['kind'],
        { ids: ObjectId[]; op: string; ops: AnyBulkWriteOperation<Document>[] }
      >()
      for (const outcome of outcomes) {
        const update: Document = (() => {
          switch (outcome.kind) {
            case 'failed':
              return {
                $set: {
                  errorCode: outcome.errorCode ?? null,
                  errorMessage: outcome.errorMessage,
                  failedAt: now,
                  retryable: outcome.retryable,
                  status: 'failed',
                  updatedAt: now,
                },
              }
            case 'released':
              return { $inc: { attempts: -1 }, $set: { status: 'pending', updatedAt: now } }
            case 'sent':
              return {
                $set: {
                  messageId: outcome.messageId,
                  sentAt: outcome.sentAt,
                  status: 'sent',
                  updatedAt: now,
                },
              }
            case 'unknown':
              return {
                $set: { errorMessage: outcome.errorMessage, status: 'unknown', updatedAt: now },
              }
          }
        })()
        const group = byKind.get(outcome.kind) ?? { ids: [], op: opId(), ops: [] }
        const id = oid(outcome.id)
        group.ids.push(id)
        update.$set = { ...update.$set, outcomeOp: group.op }
        group.ops.push({ updateOne: { filter: { _id: id, status: 'sending' }, update } })
        byKind.set(outcome.kind, group)
      }
      const delta: CounterDelta = {}
      for (const [kind, { ids, op, ops }] of byKind) {
        // Only recipients still in 'sending' move, so a counter never counts a recipient twice.
        const moved = await movedBy(
          op,
          ids,
          async () => (await recipients().bulkWrite(ops, { ordered: false })).modifiedCount,
        )
        if (kind === 'sent') {
          delta.sentCount = moved
        } else if (kind === 'failed') {
          delta.failedCount = moved
        } else if (kind === 'unknown') {
          delta.unknownCount = moved
        }
      }
      await incrementCounters(campaignId, delta)

      // Status webhooks can beat this write; the ones that did are waiting in the event log.
      const messageIds = outcomes.flatMap((o) => (o.kind === 'sent' ? [o.messageId] : []))
      if (messageIds.length === 0) {
        return
      }
      const early = await retry(() =>
        events()
          .find({ applied: false, kind: 'status', messageId: { $in: messageIds } })
          .sort({ timestamp: 1 })
          .toArray(),
      )
      for (const event of early) {
        await applyStatusEvent({
          errorCode: typeof event.errorCode === 'number' ? event.errorCode : undefined,
          errorMessage: typeof event.errorMessage === 'string' ? event.errorMessage : undefined,
          messageId: String(event.messageId),
          status: event.status as StatusEvent['status'],
          timestamp: new Date(event.timestamp as Date),
        })
        await retry(() => events().updateOne({ _id: event._id }, { $set: { applied: true } }))
      }
    },

    recount,

    reserveSlots: async (key, count, intervalMs) => {
      const limits = adapter.connection.db!.collection<{ key: string; next: number }>(
        rateLimitCollection,
      )
      if (!knownSchedules.has(key)) {
        await retry(() => limits.createIndex({ key: 1 }, { unique: true }))
        await retry(() =>
          limits
            .updateOne({ key }, { $setOnInsert: { next: 0 } }, { upsert: true })
            .catch((error: { code?: number } & Error) => {
              // Another process created it first.
              if (error.code !== 11000) {
                throw error
              }
            }),
        )
        knownSchedules.add(key)
      }
      // Compare-and-set on the schedule's end, so concurrent reservations never overlap. A
      // reservation applied without an answer only leaves a gap in the schedule.
      for (;;) {
        const current = await retry(() => limits.findOne({ key }))
        const start = Math.max(Date.now(), current?.next ?? 0)
        const { modifiedCount } = await retry(() =>
          limits.updateOne(
            { key, next: current?.next ?? 0 },
            { $set: { next: start + count * intervalMs } },
          ),
        )
        if (modifiedCount === 1) {
          return start
        }
      }
    },

    requeue: async (campaignId, which) => {
      const or: Document[] = []
      if (which.failedRetryable) {
        or.push({ retryable: true, status: 'failed' })
      }
      if (which.unknown) {
        or.push({ status: 'unknown' })
      }
      if (or.length === 0) {
        return 0
      }
      const result = await retry(() =>
        recipients().updateMany(
          { $or: or, campaign: oid(campaignId) },
          {
            $set: { status: 'pending', updatedAt: new Date() },
            $unset: { errorCode: '', errorMessage: '', failedAt: '', retryable: '' },
          },
        ),
      )
      await recount(campaignId)
      return result.modifiedCount
    },

    transition: async (campaignId, from, patch) => {
      let retried = false
      const result = await retry(
        () =>
          campaigns().updateOne(
            { _id: oid(campaignId), status: { $in: from } },
            { $set: { ...patch, updatedAt: new Date() } },
          ),
        () => (retried = true),
      )
      if (result.modifiedCount === 1) {
        return true
      }
      // After a retry the first try may have made the move; the status tells.
      return (
        retried && patch.status !== undefined && (await campaignStatus(campaignId)) === patch.status
      )
    },

    updateCampaign: async (campaignId, patch) => {
      await retry(() =>
        campaigns().updateOne(
          { _id: oid(campaignId) },
          { $set: { ...patch, updatedAt: new Date() } },
        ),
      )
    },
  }
}
