import type { RecipientStatus } from '../collections/campaignStatuses.js'
import type { StorePrimitives, UnitPrimitives } from './primitives.js'
import type { RetryTransient } from './transientErrors.js'
import type {
  CampaignStore,
  CounterDelta,
  Id,
  MessagingLimit,
  PendingStatusEvent,
  ReplyEvent,
  StatusEvent,
  TimelinePoint,
  WebhookEventRecord,
} from './types.js'

import { foldStatuses } from './foldStatuses.js'
import { groupCommit } from './groupCommit.js'
import { opId } from './opId.js'
import {
  latestPricing,
  outcomeCounter,
  outcomeFields,
  outcomesByKind,
  replyFields,
  unknownOutcomeMessage,
} from './recipientChanges.js'
import { counterDelta, countersFrom, statusCounts } from './statusRank.js'

/** Most webhook events logged in one insert. */
const eventsPerInsert = 1000

/** Phones per query of countRecentSends. */
const recentSendsPage = 1000

/**
 * The engine's rules, written once over one database's primitives: every call is retried while
 * the database is unreachable, and every write is made safe to run again after a lost answer
 * (its first try may have been applied unanswered).
 */
export const createCampaignStore = (p: StorePrimitives, retry: RetryTransient): CampaignStore => {
  /** Retries `call`, telling it whether an earlier try may have been applied. */
  const retryKnowingRerun = <T>(call: (rerun: boolean) => Promise<T>) => {
    let rerun = false
    return retry(
      () => call(rerun),
      () => (rerun = true),
    )
  }

  /**
   * Runs a unit of stamped writes until it has applied once. A rerun either finds the unit
   * landed (`landed`, when units are atomic) or runs again, each step being safe to repeat.
   */
  const writeOnce = <T>(
    work: (tx: UnitPrimitives, rerun: boolean) => Promise<T>,
    landed: () => Promise<T | undefined>,
  ) =>
    retryKnowingRerun(async (rerun) => {
      if (rerun && p.atomicUnits) {
        const earlier = await landed()
        if (earlier !== undefined) {
          return earlier
        }
      }
      return p.unit((tx) => work(tx, rerun))
    })

  /** Recipients a unit moved: its own count, or after a rerun the ones stamped by its op. */
  const moved = (
    tx: UnitPrimitives,
    rerun: boolean,
    modified: number,
    op: string,
    ids?: string[],
  ) => (rerun ? tx.countStamped(op, ids) : modified)

  const campaignStatus = (campaignId: string) => retry(() => p.campaignStatus(campaignId))

  const countByStatus = async (campaignId: string) =>
    statusCounts(await retry(() => p.countStatuses(campaignId)))

  const recount = async (campaignId: string) => {
    const counts = await countByStatus(campaignId)
    const sent = await retry(() => p.countSent(campaignId))
    const replied = await retry(() => p.countReplied(campaignId))
    await retry(() => p.setCampaign(campaignId, countersFrom(counts, sent, replied)))
  }

  /**
   * Applies one reply: true when settled (counted as its recipient's first reply, or found
   * later than the one recorded), false when no recipient has the message id yet.
   */
  const applyReply = async (reply: ReplyEvent): Promise<boolean> => {
    const fields = replyFields(reply)
    // A send result recorded between the try and the look is tried again, or the reply would
    // be settled without ever being applied.
    for (let round = 0; round < 2; round++) {
      const op = opId()
      const campaignId = await writeOnce(
        async (tx, rerun) => {
          const first =
            (await tx.markReplied(reply.messageId, fields, op)) ??
            (rerun ? await tx.statusStamped(reply.messageId, op) : undefined)
          if (first !== undefined) {
            await tx.addCounters(first, { repliedCount: 1 }, op)
          }
          return first
        },
        () => p.statusStamped(reply.messageId, op),
      )
      if (campaignId !== undefined) {
        return true
      }
      if ((await retry(() => p.recipientStatus(reply.messageId))) === undefined) {
        return false
      }
    }
    // Replied already: a reply that arrived late but was sent first takes its place, uncounted.
    await retry(() => p.lowerReply(reply.messageId, fields))
    return true
  }

  /** Pricing rides on statuses but never moves them: written apart, latest wins, any order. */
  const recordPricing = async (events: StatusEvent[]) => {
    const rows = latestPricing(events)
    if (rows.length > 0) {
      await retry(() => p.setPricing(rows))
    }
  }

  /** Adds up what moves made, per campaign. */
  const deltasOf = (
    moves: Array<{ campaignId: Id; from: RecipientStatus; to: RecipientStatus }>,
  ) => {
    const deltas = new Map<Id, CounterDelta>()
    for (const move of moves) {
      const delta = deltas.get(move.campaignId) ?? {}
      for (const [counter, n] of Object.entries(counterDelta(move.from, move.to))) {
        const key = counter as keyof CounterDelta
        delta[key] = (delta[key] ?? 0) + n
      }
      deltas.set(move.campaignId, delta)
    }
    return [...deltas].map(([campaignId, delta]) => ({ campaignId, delta }))
  }

  /**
   * Events just set waiting whose send was recorded meanwhile are woken again: that send's
   * recording woke its events before these were set (see recordOutcomes).
   */
  const wakeRecorded = async (messageIds: string[]) => {
    if (messageIds.length === 0) {
      return
    }
    const recorded = await retry(() => p.recipientsByMessageId(messageIds))
    if (recorded.length > 0) {
      await retry(() => p.wakeWaiting(recorded.map((r) => r.messageId)))
    }
  }

  const applyStatusEvents = async (events: PendingStatusEvent[]) => {
    if (events.length === 0) {
      return { applied: 0, moved: 0, waiting: 0 }
    }
    const messageIds = [...new Set(events.map((e) => e.messageId))]
    const recipients = await retry(() => p.recipientsByMessageId(messageIds))
    // A batch cut short (MongoDB: a process killed between its writes) left its op on its
    // events and on the recipients it moved: its counters are added now, once.
    for (const earlier of new Set(events.flatMap((e) => (e.applyOp ? [e.applyOp] : [])))) {
      const moved = recipients.flatMap((r) =>
        r.moves
          .filter((m) => m.op === earlier)
          .map((m) => ({ campaignId: r.campaignId, from: m.from, to: m.to })),
      )
      if (moved.length > 0) {
        await retry(() => p.addBatchCounters(deltasOf(moved), earlier))
      }
    }
    const fold = foldStatuses(events, recipients)
    // Before the events are settled: a settled event's pricing has landed.
    await recordPricing(events)
    const op = opId()
    // Every step repeats safely under the same op: moves are compare-and-set and found again
    // by their stamp, counters are added once per op, and marking is idempotent.
    const result = await retry(() =>
      p.unit(async (tx) => {
        await tx.stampEvents(
          events.map((e) => e.id),
          op,
        )
        const moved = await tx.moveStatuses(fold.moves, op)
        await tx.addBatchCounters(deltasOf(moved), op)
        // A recipient another writer moved first is read again by the next batch.
        const done = new Set(moved.map((m) => m.id))
        const applied = [
          ...fold.moot,
          ...fold.moves.filter((m) => done.has(m.id)).flatMap((m) => m.eventIds),
        ]
        await tx.settleEvents(applied, fold.waiting)
        return { applied: applied.length, moved: moved.length, waiting: fold.waiting.length }
      }),
    )
    const waiting = new Set(fold.waiting)
    await wakeRecorded(events.filter((e) => waiting.has(e.id)).map((e) => e.messageId))
    return result
  }
  // Concurrent webhooks' events are logged together: one insert for many requests.
  const logEvents = groupCommit(async (records: WebhookEventRecord[]) => {
    if (records.length === 0) {
      return []
    }
    // Ids chosen before the insert: a rerun after a lost answer inserts none twice.
    const ids = await retry(() => p.newIds('events', records.length))
    const now = new Date()
    await retryKnowingRerun((rerun) =>
      p.insertEvents(
        records.map((record, i) => ({ ...record, id: ids[i] })),
        now,
        rerun,
      ),
    )
    return ids
  }, eventsPerInsert)
  const limitUsage = (portfolio: string, { limit, now, windowMs }: MessagingLimit) =>
    retry(() => p.limitUsage(portfolio, limit, new Date(now.getTime() - windowMs)))

  return {
    applyReplies: async (events) => {
      const applied: Id[] = []
      const waiting: Array<{ id: Id; messageId: string }> = []
      for (const { id, ...reply } of events) {
        if (await applyReply(reply)) {
          applied.push(id)
        } else {
          waiting.push({ id, messageId: reply.messageId })
        }
      }
      await retry(() =>
        p.settleEvents(
          applied,
          waiting.map((w) => w.id),
        ),
      )
      await wakeRecorded(waiting.map((w) => w.messageId))
      return { applied: applied.length, waiting: waiting.length }
    },

    applyStatusEvents,

    backlog: () => retry(() => p.countPending()),

    billableGroups: async (campaignIds) => {
      const groups = []
      // Pages of campaigns keep each query's parameter list small.
      for (let start = 0; start < campaignIds.length; start += recentSendsPage) {
        const page = campaignIds.slice(start, start + recentSendsPage)
        groups.push(...(await retry(() => p.billableGroups(page))))
      }
      return groups
    },

    campaignStatus,

    claimBatch: (campaignId, limit) => {
      // One token across retries: a claim applied without an answer is found by it.
      const token = opId()
      return retryKnowingRerun(async (rerun) => {
        const earlier = rerun ? await p.claimedBy(token) : []
        return earlier.length > 0 ? earlier : p.claim(campaignId, limit, token)
      })
    },

    countByStatus,

    countRecentSends: async ({ phones, ...query }) => {
      const counts = new Map<string, number>()
      // Pages of phones keep each query's parameter list small.
      for (let start = 0; start < phones.length; start += recentSendsPage) {
        const page = phones.slice(start, start + recentSendsPage)
        for (const { n, phone } of await retry(() =>
          p.countRecentSends({ ...query, phones: page }),
        )) {
          counts.set(phone, n)
        }
      }
      return counts
    },

    deleteRecipients: (campaignId) => retry(() => p.deleteRecipients(campaignId)),

    failuresByCode: (campaignId, limit) => retry(() => p.failureGroups(campaignId, limit)),

    insertRecipients: async (campaignId, rows) => {
      if (rows.length === 0) {
        return
      }
      const ids = await retry(() => p.newIds('recipients', rows.length))
      const now = new Date()
      await retryKnowingRerun((rerun) =>
        p.insertRecipients(
          campaignId,
          rows.map((row, i) => ({ ...row, id: ids[i] })),
          now,
          rerun,
        ),
      )
    },

    logEvents,

    limitUsage,

    markEventsApplied: async (ids) => {
      if (ids.length > 0) {
        await retry(() => p.markEventsApplied(ids))
      }
    },

    markStaleClaimsUnknown: (campaignId, claimedBefore) => {
      const op = opId()
      return writeOnce(
        async (tx, rerun) => {
          const modified = await tx.markUnknown(
            campaignId,
            claimedBefore,
            unknownOutcomeMessage,
            op,
          )
          const unknownCount = await moved(tx, rerun, modified, op)
          await tx.addCounters(campaignId, { unknownCount }, op)
          return unknownCount
        },
        async () => {
          const n = await p.countStamped(op)
          return n > 0 ? n : undefined
        },
      )
    },

    pendingEvents: (limit) => retry(() => p.pendingEvents(limit)),

    pruneEvents: (before) => retry(() => p.pruneEvents(before)),

    recordOutcomes: async (campaignId, outcomes) => {
      const now = new Date()
      const op = opId()
      const groups = outcomesByKind(outcomes)
      const sentIds = outcomes.flatMap((o) => (o.kind === 'sent' ? [o.messageId] : []))
      await writeOnce(
        async (tx, rerun) => {
          const delta: CounterDelta = {}
          for (const { kind, outcomes: group } of groups) {
            const moves = group.map((o) => ({ id: o.id, fields: outcomeFields(o, now) }))
            // Only recipients still in 'sending' move, so a counter never counts one twice.
            const modified = await tx.moveOutcomes(moves, op, kind === 'released')
            const counter = outcomeCounter[kind]
            const n = await moved(
              tx,
              rerun,
              modified,
              op,
              group.map((o) => o.id),
            )
            if (counter) {
              delta[counter] = n
            }
          }
          await tx.addCounters(campaignId, delta, op)
          // Events that beat the send (waiting for it in the log) go back to the applier in
          // the same write: were this process to die right after, none would wait forever.
          if (sentIds.length > 0) {
            await tx.wakeWaiting(sentIds)
          }
          return true
        },
        async () => ((await p.countStamped(op)) > 0 ? true : undefined),
      )

      // Once more after it has landed, for events an applier set waiting after the write above
      // woke them: that applier looks at the recipients again (wakeRecorded), and if it looked
      // before this write was visible (on Postgres, committed), this wake comes after.
      if (sentIds.length > 0) {
        await retry(() => p.wakeWaiting(sentIds))
      }
    },

    recipientByMessageId: async (messageId) => {
      const [recipient] = await retry(() => p.recipientsByMessageId([messageId]))
      return recipient && { id: recipient.id, campaignId: recipient.campaignId }
    },

    recount,

    reserveRecipients: async (portfolio, phones, messagingLimit) => {
      const { limit, now, windowMs } = messagingLimit
      const wanted = [...new Set(phones)]
      const op = opId()
      if (wanted.length === 0) {
        return { allowed: [], fresh: [], resumeAt: null, token: op }
      }
      // The window is `limit` slots: a recipient holds one while messaged within the window,
      // so no more than `limit` can ever be counted, whoever takes them.
      const since = new Date(now.getTime() - windowMs)
      await retry(() => p.ensureLimitSlots(portfolio, limit))
      const counted = new Set(
        await retry(() => p.refreshLimitSlots(portfolio, wanted, since, now, op)),
      )
      let allowed = new Set<string>()
      // A slot lost to another worker leaves its phone for the next try, while room is left.
      for (let tries = 0; tries < 20; tries++) {
        const before = allowed.size
        allowed = new Set(
          await retry(() => p.takeLimitSlots(portfolio, wanted, limit, since, now, op)),
        )
        if (
          allowed.size === wanted.length ||
          (allowed.size === before && (await limitUsage(portfolio, messagingLimit)).used >= limit)
        ) {
          break
        }
      }
      const reservation = {
        allowed: [...allowed],
        fresh: [...allowed].filter((phone) => !counted.has(phone)),
        token: op,
      }
      if (allowed.size === wanted.length) {
        return { ...reservation, resumeAt: null }
      }
      const { oldest } = await limitUsage(portfolio, messagingLimit)
      // Room comes back when the oldest counted recipient leaves the window.
      return { ...reservation, resumeAt: new Date((oldest ?? now).getTime() + windowMs) }
    },

    releaseLease: (name, holder) => retry(() => p.releaseLease(name, holder)),

    releaseRecipients: async (portfolio, reservation, phones) => {
      const fresh = new Set(reservation.fresh)
      const unsent = phones.filter((phone) => fresh.has(phone))
      if (unsent.length > 0) {
        await retry(() => p.releaseLimitSlots(portfolio, unsent, reservation.token))
      }
    },

    replyButtons: (campaignId) => retry(() => p.replyButtons(campaignId)),

    reserveSlots: (key, count, intervalMs) => retry(() => p.reserveSlots(key, count, intervalMs)),

    requeue: async (campaignId, which) => {
      if (!which.failedRetryable && !which.unknown) {
        return 0
      }
      const op = opId()
      // One instant for every try, so a rerun moves the same recipients.
      const now = which.now ?? new Date()
      const requeued = await retryKnowingRerun(async (rerun) => {
        const modified = await p.requeue(campaignId, which, now, op)
        return rerun ? p.countStamped(op) : modified
      })
      // Requeued recipients leave counters that a fresh count sets right.
      await recount(campaignId)
      return requeued
    },

    sentSince: (campaignId, since) => retry(() => p.sentSince(campaignId, since)),

    takeLease: (name, holder, ms) => retry(() => p.takeLease(name, holder, ms)),

    timeline: async (campaignId) => {
      const series = (['sentAt', 'deliveredAt', 'readAt'] as const).map((field) =>
        retry(() => p.minuteCounts(campaignId, field)),
      )
      const [sent, delivered, read] = await Promise.all(series)
      const points = new Map<string, TimelinePoint>()
      const point = (at: string) => {
        const existing = points.get(at) ?? { at, delivered: 0, read: 0, sent: 0 }
        points.set(at, existing)
        return existing
      }
      sent.forEach((row) => (point(row.at).sent = row.n))
      delivered.forEach((row) => (point(row.at).delivered = row.n))
      read.forEach((row) => (point(row.at).read = row.n))
      return [...points.values()].sort((a, b) => a.at.localeCompare(b.at))
    },

    transition: async (campaignId, from, patch) => {
      let rerun = false
      const done = await retry(
        () => p.setCampaign(campaignId, patch, from),
        () => (rerun = true),
      )
      // After a retry the first try may have made the move; the status tells.
      return done || (rerun && (await campaignStatus(campaignId)) === patch.status)
    },

    updateCampaign: async (campaignId, patch) => {
      await retry(() => p.setCampaign(campaignId, patch))
    },
  }
}
