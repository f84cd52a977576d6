import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type { Pool, PoolClient } from 'pg'

import type { CampaignStatus, RecipientStatus } from '../../collections/campaignStatuses.js'
import type { ResolvedOptions } from '../../options.js'
import type { CampaignFields, StorePrimitives, UnitPrimitives } from '../primitives.js'
import type { ClaimedRecipient, PendingEvent } from '../types.js'

import {
  column,
  createLeaseTable,
  createLimitSlotsTable,
  createScheduleTable,
  ensureEngineSchema,
  leaseTable,
  limitSlotsTable,
  recipientFieldTypes,
  scheduleTable,
  storeTables,
} from './schema.js'
import { inTransaction } from './transaction.js'

type Row = Record<string, unknown>

type Run = <T extends Row = Row>(
  text: string,
  values?: unknown[],
) => Promise<{ rowCount: number; rows: T[] }>

const heardPools = new WeakSet<Pool>()

/** Event ids taken from the sequence at once. */
const eventIdBlock = 500

/** Rows per INSERT: well under Postgres's 65,535 parameters. */
const insertChunk = 2000

const claimedColumns = 'id, name, attempts, parameters, phone_number'

const claimedRecipient = (row: Row): ClaimedRecipient => ({
  id: String(row.id),
  name: typeof row.name === 'string' ? row.name : undefined,
  attempts: Number(row.attempts ?? 1),
  parameters: (row.parameters as null | Record<string, string>) ?? {},
  phoneNumber: String(row.phone_number),
})

/** `column = $n` for each defined field, numbering parameters from `first`. */
const assignments = (fields: object, first: number) => {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined)
  return {
    sets: entries.map(([field], i) => `${column(field)} = $${first + i}`),
    values: entries.map(([, value]) => value),
  }
}

/**
 * The store's primitives on Payload's Postgres adapter, in SQL on the adapter's own pool. A
 * unit is one transaction, so a recipient write and the counter change it causes commit
 * together, and a unit whose commit went unanswered is recognised by the op it stamped.
 */
export const createPostgresPrimitives = (
  payload: Payload,
  options: ResolvedOptions,
): StorePrimitives => {
  const adapter = payload.db as unknown as PostgresAdapter
  // An idle connection that drops would otherwise be an uncaught error that ends the process;
  // the next query opens a new one. One listener per pool, however many stores use it.
  if (!heardPools.has(adapter.pool)) {
    heardPools.add(adapter.pool)
    adapter.pool.on('error', (error) =>
      payload.logger.warn({ err: error }, 'whatsapp-campaigns: an idle database connection closed'),
    )
  }
  const { campaigns, events, recipients } = storeTables(adapter, options.slugs)
  let scheduleReady: Promise<void> | undefined
  let leasesReady: Promise<void> | undefined
  /** Memoized once made; a failed try is forgotten, so the next call tries again. */
  const ensureOnce = (ready: Promise<void> | undefined, statement: string, forget: () => void) =>
    ready ??
    ensureEngineSchema(adapter.pool, [statement]).catch((error: unknown) => {
      forget()
      throw error
    })
  let limitSlotsReady: Promise<void> | undefined
  /** Slots this process knows exist, per portfolio. */
  const knownSlots = new Map<string, number>()
  /** The slots table, made on first use (memoized; a failed try is forgotten, and tried again). */
  const limitSlotsMade = () =>
    (limitSlotsReady ??= ensureEngineSchema(adapter.pool, createLimitSlotsTable).catch((error) => {
      limitSlotsReady = undefined
      throw error
    }))
  const stampedPhones = async (key: string, op: string) =>
    (
      await rows<{ phone: string }>(
        `SELECT phone FROM ${limitSlotsTable} WHERE key = $1 AND op = $2`,
        [key, op],
      )
    ).map((row) => row.phone)

  const runOn =
    (client: Pick<PoolClient, 'query'>): Run =>
    async <T extends Row = Row>(text: string, values: unknown[] = []) => {
      const result = await client.query<T>(text, values)
      return { rowCount: result.rowCount ?? 0, rows: result.rows }
    }
  const countOn = (run: Run) => async (text: string, values: unknown[]) =>
    (await run<{ n: number }>(text, values)).rows[0]?.n ?? 0
  const run = runOn(adapter.pool)
  const rows = async <T extends Row = Row>(text: string, values: unknown[] = []) =>
    (await run<T>(text, values)).rows
  const count = countOn(run)

  /** INSERT ... VALUES in chunks, skipping rows that conflict with any unique key (a rerun's). */
  const insertRows = async (into: string, columns: string[], values: unknown[][]) => {
    for (let start = 0; start < values.length; start += insertChunk) {
      const chunk = values.slice(start, start + insertChunk)
      const tuples = chunk.map(
        (_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
      )
      await run(
        `INSERT INTO ${into} (${columns.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
        chunk.flat(),
      )
    }
  }

  const takeIds = async (table: string, n: number) =>
    (
      await rows<{ id: string }>(
        `SELECT nextval(pg_get_serial_sequence($1, 'id'))::text AS id FROM generate_series(1, $2)`,
        [table, n],
      )
    ).map((row) => row.id)
  const spareEventIds: string[] = []

  const unitPrimitives = (run: Run): UnitPrimitives => ({
    addBatchCounters: async (deltas) => {
      const fields = [...new Set(deltas.flatMap(({ delta }) => Object.keys(delta)))]
      if (fields.length === 0) {
        return
      }
      const columns = fields.map(column)
      await run(
        `UPDATE ${campaigns} c SET ${columns.map((name) => `${name} = COALESCE(c.${name}, 0) + v.${name}`).join(', ')},
           updated_at = now()
         FROM unnest($1::int[]${columns.map((_, i) => `, $${i + 2}::int[]`).join('')})
           AS v(id${columns.map((name) => `, ${name}`).join('')})
         WHERE c.id = v.id`,
        [
          deltas.map(({ campaignId }) => Number(campaignId)),
          ...fields.map((field) =>
            deltas.map(({ delta }) => delta[field as keyof typeof delta] ?? 0),
          ),
        ],
      )
    },

    // The unit's transaction applies the counters exactly when it applies the move they count.
    addCounters: async (campaignId, delta) => {
      const changes = Object.entries(delta).filter(([, n]) => n !== 0)
      if (changes.length === 0) {
        return
      }
      const sets = changes.map(
        ([field], i) => `${column(field)} = COALESCE(${column(field)}, 0) + $${i + 2}`,
      )
      await run(`UPDATE ${campaigns} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
        Number(campaignId),
        ...changes.map(([, n]) => n),
      ])
    },

    countStamped: (op, ids) =>
      countOn(run)(
        `SELECT count(*)::int AS n FROM ${recipients}
         WHERE outcome_op = $1 AND ($2::int[] IS NULL OR id = ANY($2))`,
        [op, ids?.map(Number) ?? null],
      ),

    markUnknown: async (campaignId, claimedBefore, errorMessage, op) =>
      (
        await run(
          `UPDATE ${recipients} SET status = 'unknown', error_message = $3, outcome_op = $4,
             updated_at = now()
           WHERE campaign_id = $1 AND status = 'sending' AND claimed_at < $2`,
          [Number(campaignId), claimedBefore, errorMessage, op],
        )
      ).rowCount,

    moveOutcomes: async (moves, op, release) => {
      if (moves.length === 0) {
        return 0
      }
      const fields = (
        Object.keys(recipientFieldTypes) as Array<keyof typeof recipientFieldTypes>
      ).filter((field) => moves.some((move) => move.fields[field] !== undefined))
      const columns = fields.map(column)
      const arrays = fields.map((field, i) => `, $${i + 2}::${recipientFieldTypes[field]}[]`)
      const sets = [
        ...columns.map((name) => `${name} = v.${name}`),
        `status = $${fields.length + 2}`,
        `outcome_op = $${fields.length + 3}`,
        'updated_at = now()',
        ...(release ? ['attempts = attempts - 1'] : []),
      ]
      return (
        await run(
          `UPDATE ${recipients} r SET ${sets.join(', ')}
           FROM unnest($1::int[]${arrays.join('')}) AS v(id${columns.map((c) => `, ${c}`).join('')})
           WHERE r.id = v.id AND r.status = 'sending'`,
          [
            moves.map((move) => Number(move.id)),
            ...fields.map((field) => moves.map((move) => move.fields[field] ?? null)),
            moves[0].fields.status,
            op,
          ],
        )
      ).rowCount
    },

    // The row lock makes concurrent replies to one message mark it one after the other.
    markReplied: async (messageId, fields, op) => {
      const marked = await run<{ campaign_id: number }>(
        `WITH previous AS (
           SELECT id, campaign_id FROM ${recipients}
           WHERE message_id = $1 AND replied_at IS NULL LIMIT 1 FOR UPDATE)
         UPDATE ${recipients} r SET replied_at = $3, reply_text = $4, reply_button = $5,
           updated_at = now(), status_ops = COALESCE(status_ops, '[]'::jsonb) || to_jsonb($2::text)
         FROM previous WHERE r.id = previous.id RETURNING previous.campaign_id`,
        [messageId, op, fields.repliedAt, fields.replyText, fields.replyButton],
      )
      const row = marked.rows[0]
      return row ? String(row.campaign_id) : undefined
    },

    // Compare-and-set on the status read: a recipient another writer moved meanwhile is left.
    // One statement per target status, which Postgres then casts to the column's type.
    moveStatuses: async (moves) => {
      const moved: Array<{
        campaignId: string
        from: RecipientStatus
        id: string
        to: RecipientStatus
      }> = []
      for (const to of [...new Set(moves.map((m) => m.to))]) {
        const group = moves.filter((m) => m.to === to)
        const fields = (
          Object.keys(recipientFieldTypes) as Array<keyof typeof recipientFieldTypes>
        ).filter((field) => group.some((move) => move.change.fields[field] !== undefined))
        const columns = fields.map(column)
        const arrays = fields.map((field, i) => `, $${i + 4}::${recipientFieldTypes[field]}[]`)
        const sets = [
          ...columns
            .filter((name) => name !== 'delivered_at')
            .map((name) => `${name} = COALESCE(v.${name}, r.${name})`),
          `delivered_at = LEAST(COALESCE(${columns.includes('delivered_at') ? 'v.delivered_at' : 'NULL'}, r.delivered_at), v.delivered_at_most)`,
          `status = $3`,
          'updated_at = now()',
        ]
        const { rows: done } = await run<{
          campaign_id: number
          from_status: RecipientStatus
          id: number
        }>(
          `UPDATE ${recipients} r SET ${sets.join(', ')}
           FROM unnest($1::int[], $2::text[], $${fields.length + 4}::timestamptz[]${arrays.join('')})
             AS v(id, from_status, delivered_at_most${columns.map((c) => `, ${c}`).join('')})
           WHERE r.id = v.id AND r.status::text = v.from_status
           RETURNING r.id, r.campaign_id, v.from_status`,
          [
            group.map((m) => Number(m.id)),
            group.map((m) => m.from),
            to,
            ...fields.map((field) => group.map((m) => m.change.fields[field] ?? null)),
            group.map((m) => m.change.deliveredAtMost ?? null),
          ],
        )
        moved.push(
          ...done.map((row) => ({
            id: String(row.id),
            campaignId: String(row.campaign_id),
            from: row.from_status,
            to,
          })),
        )
      }
      return moved
    },

    settleEvents: async (applied, waiting) => {
      if (applied.length > 0) {
        await run(`UPDATE ${events} SET applied = true WHERE id = ANY($1)`, [applied.map(Number)])
      }
      if (waiting.length > 0) {
        await run(`UPDATE ${events} SET waiting = true WHERE id = ANY($1) AND NOT applied`, [
          waiting.map(Number),
        ])
      }
    },

    stampEvents: async (ids, op) => {
      await run(`UPDATE ${events} SET apply_op = $2 WHERE id = ANY($1)`, [ids.map(Number), op])
    },

    statusStamped: async (messageId, op) => {
      const [row] = (
        await run<{ campaign_id: number }>(
          `SELECT campaign_id FROM ${recipients} WHERE message_id = $1 AND status_ops ? $2 LIMIT 1`,
          [messageId, op],
        )
      ).rows
      return row ? String(row.campaign_id) : undefined
    },

    wakeWaiting: async (messageIds) => {
      await run(
        `UPDATE ${events} SET waiting = false WHERE message_id = ANY($1) AND waiting AND NOT applied`,
        [messageIds],
      )
    },
  })

  const setCampaign = async (
    campaignId: string,
    fields: CampaignFields,
    from?: CampaignStatus[],
  ) => {
    const { sets, values } = assignments(fields, 3)
    const moved = await run(
      `UPDATE ${campaigns} SET ${[...sets, 'updated_at = now()'].join(', ')}
       WHERE id = $1 AND ($2::text[] IS NULL OR status::text = ANY($2)) RETURNING id`,
      [Number(campaignId), from ?? null, ...values],
    )
    return moved.rowCount === 1
  }

  return {
    ...unitPrimitives(run),

    atomicUnits: true,

    campaignStatus: async (campaignId) =>
      (
        await rows<{ status: CampaignStatus }>(`SELECT status FROM ${campaigns} WHERE id = $1`, [
          Number(campaignId),
        ])
      )[0]?.status,

    // SKIP LOCKED: two workers claiming at once take different recipients.
    claim: async (campaignId, limit, token) =>
      (
        await rows(
          `UPDATE ${recipients} SET status = 'sending', attempts = COALESCE(attempts, 0) + 1,
             claimed_at = now(), claim_token = $2, updated_at = now()
           WHERE id IN (SELECT id FROM ${recipients} WHERE campaign_id = $1 AND status = 'pending'
                        ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
           RETURNING ${claimedColumns}`,
          [Number(campaignId), token, limit],
        )
      ).map(claimedRecipient),

    claimedBy: async (token) =>
      (
        await rows(
          `SELECT ${claimedColumns} FROM ${recipients} WHERE claim_token = $1 AND status = 'sending'`,
          [token],
        )
      ).map(claimedRecipient),

    countSent: (campaignId) =>
      count(
        `SELECT count(*)::int AS n FROM ${recipients}
         WHERE campaign_id = $1 AND message_id IS NOT NULL AND message_id <> ''`,
        [Number(campaignId)],
      ),

    countPending: () =>
      count(`SELECT count(*)::int AS n FROM ${events} WHERE NOT applied AND NOT waiting`, []),

    countStatuses: (campaignId) =>
      rows<{ n: number; status: RecipientStatus }>(
        `SELECT status, count(*)::int AS n FROM ${recipients} WHERE campaign_id = $1 GROUP BY status`,
        [Number(campaignId)],
      ),

    countRecentSends: ({ category, exceptCampaign, phones, since }) =>
      rows<{ n: number; phone: string }>(
        `SELECT phone_number AS phone, count(*)::int AS n FROM ${recipients}
         WHERE phone_number = ANY($1) AND template_category = $2 AND campaign_id <> $4
           AND (sent_at >= $3
                OR (created_at >= $3 AND status IN ('pending', 'sending', 'unknown')))
         GROUP BY phone_number`,
        [phones, category, since, Number(exceptCampaign)],
      ),

    deleteRecipients: async (campaignId) => {
      await run(`DELETE FROM ${recipients} WHERE campaign_id = $1`, [Number(campaignId)])
    },

    ensureLimitSlots: async (key, count) => {
      if ((knownSlots.get(key) ?? 0) >= count) {
        return
      }
      await limitSlotsMade()
      await run(
        `INSERT INTO ${limitSlotsTable} (key, slot, at)
         SELECT $1, slot, to_timestamp(0) FROM generate_series(0, $2::int - 1) AS slot
         ON CONFLICT DO NOTHING`,
        [key, count],
      )
      knownSlots.set(key, count)
    },

    countReplied: (campaignId) =>
      count(
        `SELECT count(*)::int AS n FROM ${recipients} WHERE campaign_id = $1 AND replied_at IS NOT NULL`,
        [Number(campaignId)],
      ),

    failureGroups: async (campaignId, limit) =>
      (
        await rows<{ count: number; error_code: null | string; message: null | string }>(
          `SELECT error_code, count(*)::int AS count, min(error_message) AS message FROM ${recipients}
           WHERE campaign_id = $1 AND status = 'failed'
           GROUP BY error_code ORDER BY count DESC, error_code ASC NULLS FIRST LIMIT $2`,
          [Number(campaignId), limit],
        )
      ).map((row) => ({
        count: row.count,
        errorCode: row.error_code === null ? null : Number(row.error_code),
        errorMessage: row.message ?? '',
      })),

    insertEvents: (records, now) =>
      insertRows(
        events,
        [
          'id',
          'kind',
          'phone_number_id',
          'message_id',
          'status',
          'timestamp',
          'error_code',
          'error_message',
          'applied',
          'waiting',
          'received_at',
          'payload',
          'created_at',
          'updated_at',
        ],
        records.map((record) => [
          Number(record.id),
          record.kind,
          record.phoneNumberId ?? null,
          record.messageId ?? null,
          record.status ?? null,
          record.timestamp ?? null,
          record.errorCode ?? null,
          record.errorMessage ?? null,
          false,
          false,
          now,
          JSON.stringify(record.payload ?? null),
          now,
          now,
        ]),
      ),

    insertRecipients: (campaignId, list, now) =>
      insertRows(
        recipients,
        [
          'id',
          'campaign_id',
          'phone_number',
          'name',
          'parameters',
          'status',
          'error_code',
          'error_message',
          'failed_at',
          'attempts',
          'template_category',
          'created_at',
          'updated_at',
        ],
        list.map((row) => [
          Number(row.id),
          Number(campaignId),
          row.phoneNumber,
          row.name ?? null,
          JSON.stringify(row.parameters ?? {}),
          row.status,
          row.errorCode ?? null,
          row.errorMessage ?? null,
          row.status === 'failed' ? now : null,
          0,
          row.templateCategory ?? null,
          now,
          now,
        ]),
      ),

    limitUsage: async (key, count, since) => {
      await limitSlotsMade()
      const [row] = await rows<{ n: number; oldest: Date | null }>(
        `SELECT count(*)::int AS n, min(at) AS oldest FROM ${limitSlotsTable}
         WHERE key = $1 AND slot < $2 AND at > $3`,
        [key, count, since],
      )
      return { oldest: row?.oldest ? new Date(row.oldest) : null, used: row?.n ?? 0 }
    },

    billableGroups: async (campaignIds) =>
      (
        await rows<{ campaign_id: number; category: null | string; count: number; prefix: string }>(
          `SELECT campaign_id, pricing_category AS category, left(phone_number, 3) AS prefix,
             count(*)::int AS count
           FROM ${recipients} WHERE campaign_id = ANY($1) AND billable
           GROUP BY campaign_id, pricing_category, left(phone_number, 3)`,
          [campaignIds.map(Number)],
        )
      ).map(({ campaign_id, ...group }) => ({ ...group, campaignId: String(campaign_id) })),

    lowerReply: async (messageId, fields) => {
      await run(
        `UPDATE ${recipients} SET replied_at = $2, reply_text = $3, reply_button = $4, updated_at = now()
         WHERE message_id = $1 AND replied_at > $2`,
        [messageId, fields.repliedAt, fields.replyText, fields.replyButton],
      )
    },

    markEventsApplied: async (ids) => {
      await run(`UPDATE ${events} SET applied = true WHERE id = ANY($1)`, [ids.map(Number)])
    },

    minuteCounts: (campaignId, field) =>
      rows<{ at: string; n: number }>(
        `SELECT to_char(${column(field)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') AS at,
           count(*)::int AS n
         FROM ${recipients} WHERE campaign_id = $1 AND ${column(field)} IS NOT NULL GROUP BY at`,
        [Number(campaignId)],
      ),

    // Ids from the table's own sequence, taken before the insert. Event ids are taken a block
    // at a time, so that logging a webhook is one statement (ids stay unique, while their order
    // across processes is only roughly the order of arrival).
    newIds: async (into, n) => {
      if (into === 'recipients' || n > eventIdBlock) {
        return takeIds(into === 'events' ? events : recipients, n)
      }
      if (spareEventIds.length < n) {
        spareEventIds.push(...(await takeIds(events, eventIdBlock)))
      }
      return spareEventIds.splice(0, n)
    },

    pendingEvents: async (limit) =>
      (
        await rows<{
          apply_op: null | string
          error_code: null | string
          error_message: null | string
          id: number
          kind: PendingEvent['kind']
          message_id: null | string
          payload: unknown
          phone_number_id: null | string
          status: null | string
          timestamp: Date | null
        }>(
          `SELECT id, kind, phone_number_id, message_id, status, timestamp, error_code, error_message,
             payload, apply_op
           FROM ${events} WHERE NOT applied AND NOT waiting ORDER BY id LIMIT $1`,
          [limit],
        )
      ).map((event) => ({
        id: String(event.id),
        applyOp: event.apply_op ?? undefined,
        errorCode: event.error_code === null ? undefined : Number(event.error_code),
        errorMessage: event.error_message ?? undefined,
        kind: event.kind,
        messageId: event.message_id ?? undefined,
        payload: event.payload,
        phoneNumberId: event.phone_number_id ?? undefined,
        status: event.status ?? undefined,
        timestamp: event.timestamp ? new Date(event.timestamp) : undefined,
      })),

    pruneEvents: async (before) =>
      (
        await run(
          `DELETE FROM ${events} WHERE received_at < $1 AND (applied OR kind <> 'status')`,
          [before],
        )
      ).rowCount,

    recipientsByMessageId: async (messageIds) =>
      (
        await rows<{
          campaign_id: number
          id: number
          message_id: string
          status: RecipientStatus
        }>(
          `SELECT id, campaign_id, message_id, status FROM ${recipients} WHERE message_id = ANY($1)`,
          [messageIds],
        )
      ).map((row) => ({
        id: String(row.id),
        campaignId: String(row.campaign_id),
        messageId: row.message_id,
        moves: [],
        status: row.status,
      })),

    replyButtons: async (campaignId) =>
      await rows<{ button: string; count: number }>(
        `SELECT reply_button AS button, count(*)::int AS count FROM ${recipients}
         WHERE campaign_id = $1 AND reply_button IS NOT NULL
         GROUP BY reply_button ORDER BY count DESC, reply_button ASC`,
        [Number(campaignId)],
      ),

    recipientStatus: async (messageId) =>
      (
        await rows<{ status: RecipientStatus }>(
          `SELECT status FROM ${recipients} WHERE message_id = $1 LIMIT 1`,
          [messageId],
        )
      )[0]?.status,

    refreshLimitSlots: async (key, phones, since, now, op) => {
      await run(
        `UPDATE ${limitSlotsTable} SET at = $4, op = $5
         WHERE key = $1 AND phone = ANY($2) AND at > $3`,
        [key, phones, since, now, op],
      )
      return stampedPhones(key, op)
    },

    releaseLease: async (name, holder) => {
      leasesReady = ensureOnce(leasesReady, createLeaseTable, () => (leasesReady = undefined))
      await leasesReady
      await run(`UPDATE ${leaseTable} SET until = 'epoch' WHERE name = $1 AND holder = $2`, [
        name,
        holder,
      ])
    },

    releaseLimitSlots: async (key, phones, op) => {
      await run(
        `UPDATE ${limitSlotsTable} SET at = to_timestamp(0), phone = NULL, op = NULL
         WHERE key = $1 AND op = $2 AND phone = ANY($3)`,
        [key, op, phones],
      )
    },

    requeue: async (campaignId, which, now, op) => {
      const statuses = [
        ...(which.failedRetryable
          ? [
              "(status = 'failed' AND retryable AND (retry_not_before IS NULL OR retry_not_before <= $3))",
            ]
          : []),
        ...(which.unknown ? ["status = 'unknown'"] : []),
      ]
      return (
        await run(
          `UPDATE ${recipients} SET status = 'pending', error_code = NULL, error_message = NULL,
             failed_at = NULL, retryable = NULL, retry_not_before = NULL, outcome_op = $2,
             updated_at = now()
           WHERE campaign_id = $1 AND (${statuses.join(' OR ')})`,
          [Number(campaignId), op, now],
        )
      ).rowCount
    },

    reserveSlots: async (key, n, intervalMs) => {
      scheduleReady = ensureOnce(
        scheduleReady,
        createScheduleTable,
        () => (scheduleReady = undefined),
      )
      await scheduleReady
      // One atomic upsert: concurrent reservations queue on the row lock and never overlap.
      const [{ start }] = (await rows<{ start: string }>(
        `INSERT INTO ${scheduleTable} (key, next) VALUES ($1, $2::float8 + $3::float8)
         ON CONFLICT (key) DO UPDATE
           SET next = GREATEST(${scheduleTable}.next, $2::float8) + $3::float8
         RETURNING next - $3::float8 AS start`,
        [key, Date.now(), n * intervalMs],
      )) as [{ start: string }]
      return Number(start)
    },

    sentSince: (campaignId, since) =>
      count(
        `SELECT count(*)::int AS n FROM ${recipients} WHERE campaign_id = $1 AND sent_at >= $2`,
        [Number(campaignId), since],
      ),

    setCampaign,

    // On the database's clock, so every process agrees on when a lease ends.
    setPricing: async (pricings) => {
      await run(
        `UPDATE ${recipients} r SET billable = v.billable, pricing_category = v.category,
           pricing_at = v.at, updated_at = now()
         FROM unnest($1::text[], $2::boolean[], $3::text[], $4::timestamptz[])
           AS v(message_id, billable, category, at)
         WHERE r.message_id = v.message_id AND (r.pricing_at IS NULL OR r.pricing_at <= v.at)`,
        [
          pricings.map((p) => p.messageId),
          pricings.map((p) => p.billable),
          pricings.map((p) => p.category),
          pricings.map((p) => p.at),
        ],
      )
    },

    takeLease: async (name, holder, ms) => {
      leasesReady = ensureOnce(leasesReady, createLeaseTable, () => (leasesReady = undefined))
      await leasesReady
      const taken = await run(
        `INSERT INTO ${leaseTable} AS lease (name, holder, until)
           VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
           WHERE lease.holder = EXCLUDED.holder OR lease.until < now()
         RETURNING holder`,
        [name, holder, ms],
      )
      return taken.rowCount === 1
    },

    takeLimitSlots: async (key, phones, count, since, now, op) => {
      // SKIP LOCKED: concurrent callers take different free slots; each slot goes to one.
      await run(
        `WITH wanted AS (
           SELECT phone, row_number() OVER () AS n FROM unnest($2::text[]) AS w(phone)
           WHERE NOT EXISTS (SELECT 1 FROM ${limitSlotsTable} s
                             WHERE s.key = $1 AND s.op = $6 AND s.phone = w.phone)),
         locked AS (
           SELECT slot FROM ${limitSlotsTable} WHERE key = $1 AND slot < $3 AND at <= $4
           ORDER BY slot LIMIT (SELECT count(*) FROM wanted) FOR UPDATE SKIP LOCKED),
         free AS (SELECT slot, row_number() OVER (ORDER BY slot) AS n FROM locked)
         UPDATE ${limitSlotsTable} t SET phone = wanted.phone, at = $5, op = $6
         FROM free JOIN wanted USING (n) WHERE t.key = $1 AND t.slot = free.slot`,
        [key, phones, count, since, now, op],
      )
      return stampedPhones(key, op)
    },

    unit: (work) => inTransaction(adapter.pool, (client) => work(unitPrimitives(runOn(client)))),
  }
}
