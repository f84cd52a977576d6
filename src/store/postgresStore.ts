import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { Payload } from 'payload'
import type { Pool, PoolClient } from 'pg'

import type { CampaignStatus, RecipientStatus } from '../collections/campaignStatuses.js'
import type { ResolvedOptions } from '../options.js'
import type {
  CampaignPatch,
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
import { counterDelta, countersFrom, statusCounts, statusesBelow } from './statusRank.js'
import { createRetryTransient } from './transientErrors.js'

/** The plugin's own tables live in a schema of their own, out of reach of Payload's schema push. */
export const engineSchema = 'whatsapp_campaigns_engine'
const scheduleTable = `"${engineSchema}"."send_schedule"`

/** A field's column: deliveredCount -> delivered_count. */
export const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/** A collection's table on Payload's Postgres adapter, schema-qualified and quoted. */
export const postgresTable = (adapter: PostgresAdapter, slug: string) => {
  const name = adapter.tableNameMap.get(column(slug).replace(/-/g, '_'))
  if (!name) {
    throw new Error(`whatsapp-campaigns: collection "${slug}" is not registered`)
  }
  return `"${adapter.schemaName ?? 'public'}"."${name}"`
}

/** Rows per INSERT: well under Postgres's 65,535 parameters. */
const insertChunk = 2000

const unknownOutcomeMessage =
  'Outcome unknown: the worker stopped while this message was being sent. It was not sent again; use "Retry unknown" to send it.'

type Row = Record<string, unknown>

/**
 * The CampaignStore on Payload's Postgres adapter, in SQL on the adapter's own pool. Each
 * recipient write and the counter change it causes commit together in one transaction; a
 * transaction whose commit went unanswered is recognised on retry by the op id it stamped.
 */
export const createPostgresStore = (payload: Payload, options: ResolvedOptions): CampaignStore => {
  const adapter = payload.db as unknown as PostgresAdapter
  const table = (slug: string) => postgresTable(adapter, slug)
  // An idle connection that drops would otherwise be an uncaught error that ends the process;
  // the next query opens a new one.
  adapter.pool.on('error', (error) =>
    payload.logger.warn({ err: error }, 'whatsapp-campaigns: an idle database connection closed'),
  )
  const recipients = table(options.slugs.recipients)
  const campaigns = table(options.slugs.campaigns)
  const events = table(options.slugs.webhookEvents)
  const retry = createRetryTransient(payload.logger, options.databaseRetryMs)
  let scheduleReady: Promise<void> | undefined

  const query = <T extends Row = Row>(text: string, values: unknown[] = []) =>
    retry(async () => (await adapter.pool.query<T>(text, values)).rows)

  /**
   * Runs `work` in a transaction, retried while the database is unreachable. After a failure
   * the commit may have happened unanswered: `applied` says whether it did, by its stamp.
   */
  const transaction = async <T>(
    work: (client: PoolClient) => Promise<T>,
    applied: () => Promise<T | undefined>,
  ): Promise<T> => {
    let retried = false
    return retry(
      async () => {
        if (retried) {
          const earlier = await applied()
          if (earlier !== undefined) {
            return earlier
          }
        }
        const client = await adapter.pool.connect()
        // A connection that drops between two statements reports it as an 'error' event (the
        // next statement fails too, and is retried); unheard, the event would end the process.
        const dropped = () => undefined
        client.on('error', dropped)
        try {
          await client.query('BEGIN')
          const result = await work(client)
          await client.query('COMMIT')
          return result
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined)
          throw error
        } finally {
          client.off('error', dropped)
          client.release()
        }
      },
      () => (retried = true),
    )
  }

  const addToCounters = async (client: PoolClient, campaignId: Id, delta: CounterDelta) => {
    const changes = Object.entries(delta).filter(([, n]) => n !== 0)
    if (changes.length === 0) {
      return
    }
    const sets = changes.map(
      ([field], i) => `${column(field)} = COALESCE(${column(field)}, 0) + $${i + 2}`,
    )
    await client.query(
      `UPDATE ${campaigns} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`,
      [Number(campaignId), ...changes.map(([, n]) => n)],
    )
  }

  /** INSERT ... VALUES in chunks; Postgres types each parameter from its column. */
  const insertRows = async (
    client: PoolClient | undefined,
    into: string,
    columns: string[],
    rows: unknown[][],
    suffix = '',
  ) => {
    const ids: number[] = []
    for (let start = 0; start < rows.length; start += insertChunk) {
      const chunk = rows.slice(start, start + insertChunk)
      const values = chunk.map(
        (_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
      )
      const text = `INSERT INTO ${into} (${columns.join(', ')}) VALUES ${values.join(', ')} ${suffix}`
      const result = client
        ? (await client.query<{ id: number }>(text, chunk.flat())).rows
        : await query<{ id: number }>(text, chunk.flat())
      ids.push(...result.map((row) => row.id))
    }
    return ids
  }

  const countByStatus = async (campaignId: Id) => {
    const rows = await query<{ n: number; status: RecipientStatus }>(
      `SELECT status, count(*)::int AS n FROM ${recipients} WHERE campaign_id = $1 GROUP BY status`,
      [Number(campaignId)],
    )
    return statusCounts(rows)
  }

  /** Sets a campaign's fields from a patch or counter values (camelCase names to columns). */
  const patchSets = (patch: CampaignPatch | CounterDelta, firstParameter: number) => {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined)
    return {
      sets: entries.map(([field], i) => `${column(field)} = $${firstParameter + i}`),
      values: entries.map(([, value]) => value),
    }
  }

  const recount = async (campaignId: Id) => {
    const counts = await countByStatus(campaignId)
    const [{ sent }] = await query<{ sent: number }>(
      `SELECT count(*)::int AS sent FROM ${recipients} WHERE campaign_id = $1 AND message_id <> ''`,
      [Number(campaignId)],
    )
    const { sets, values } = patchSets(countersFrom(counts, sent), 2)
    await query(`UPDATE ${campaigns} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, [
      Number(campaignId),
      ...values,
    ])
  }

  const applyStatusEvent = async (event: StatusEvent): Promise<boolean> => {
    const op = opId()
    const sets = [
      'status = $2',
      'updated_at = now()',
      `status_ops = COALESCE(status_ops, '[]'::jsonb) || to_jsonb($4::text)`,
    ]
    const values: unknown[] = [event.messageId, event.status, statusesBelow(event.status), op]
    if (event.status === 'delivered') {
      sets.push('delivered_at = $5')
      values.push(event.timestamp)
    } else if (event.status === 'read') {
      // A read that overtakes its delivered still means the message was delivered.
      sets.push('read_at = $5', 'delivered_at = LEAST(delivered_at, $5)')
      values.push(event.timestamp)
    } else if (event.status === 'failed') {
      sets.push('failed_at = $5', 'error_code = $6', 'error_message = $7')
      values.push(
        event.timestamp,
        event.errorCode ?? null,
        event.errorMessage ?? 'Meta reported the message as failed',
      )
    }
    const apply = () =>
      transaction(
        async (client) => {
          // The row lock makes concurrent events on one message apply one after the other.
          const { rows } = await client.query<{ campaign_id: number; status: RecipientStatus }>(
            `WITH previous AS (
             SELECT id, campaign_id, status FROM ${recipients}
             WHERE message_id = $1 AND status = ANY($3) FOR UPDATE)
           UPDATE ${recipients} r SET ${sets.join(', ')} FROM previous WHERE r.id = previous.id
           RETURNING previous.campaign_id, previous.status`,
            values,
          )
          for (const row of rows) {
            await addToCounters(
              client,
              String(row.campaign_id),
              counterDelta(row.status, event.status),
            )
          }
          return rows.length > 0
        },
        async () => {
          const rows = await query(
            `SELECT 1 FROM ${recipients} WHERE message_id = $1 AND status_ops ? $2`,
            [event.messageId, op],
          )
          return rows.length > 0 ? true : undefined
        },
      )
    return settleStatusEvent(event, apply, async () => {
      const rows = await query<{ status: RecipientStatus }>(
        `SELECT status FROM ${recipients} WHERE message_id = $1 LIMIT 1`,
        [event.messageId],
      )
      return rows[0]?.status
    })
  }

  const campaignStatus = async (campaignId: Id) => {
    const rows = await query<{ status: CampaignStatus }>(
      `SELECT status FROM ${campaigns} WHERE id = $1`,
      [Number(campaignId)],
    )
    return rows[0]?.status
  }

  const applyEarlyEvents = async (messageIds: string[]) => {
    const early = await query<{
      error_code: null | string
      error_message: null | string
      id: number
      message_id: string
      status: StatusEvent['status']
      timestamp: Date
    }>(
      `SELECT id, message_id, status, timestamp, error_code, error_message FROM ${events}
       WHERE applied = false AND kind = 'status' AND message_id = ANY($1) ORDER BY timestamp`,
      [messageIds],
    )
    for (const event of early) {
      await applyStatusEvent({
        errorCode: event.error_code === null ? undefined : Number(event.error_code),
        errorMessage: event.error_message ?? undefined,
        messageId: event.message_id,
        status: event.status,
        timestamp: new Date(event.timestamp),
      })
      await query(`UPDATE ${events} SET applied = true WHERE id = $1`, [event.id])
    }
  }

  return {
    applyStatusEvent,

    campaignStatus,

    claimBatch: async (campaignId, limit) => {
      // One token across retries: a claim committed without an answer is still found below.
      const claimToken = opId()
      let retried = false
      const select = `id, name, attempts, parameters, phone_number`
      // SKIP LOCKED: two workers claiming at once take different recipients.
      const claimed = await retry(
        async () =>
          (
            await adapter.pool.query<Row>(
              `UPDATE ${recipients} SET status = 'sending', attempts = COALESCE(attempts, 0) + 1,
                 claimed_at = now(), claim_token = $2, updated_at = now()
               WHERE id IN (SELECT id FROM ${recipients} WHERE campaign_id = $1 AND status = 'pending'
                            ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
               RETURNING ${select}`,
              [Number(campaignId), claimToken, limit],
            )
          ).rows,
        () => (retried = true),
      )
      const rows = retried
        ? await query(
            `SELECT ${select} FROM ${recipients} WHERE claim_token = $1 AND status = 'sending'`,
            [claimToken],
          )
        : claimed
      return rows.map((row): ClaimedRecipient => ({
        id: String(row.id),
        name: typeof row.name === 'string' ? row.name : undefined,
        attempts: Number(row.attempts ?? 1),
        parameters: (row.parameters as null | Record<string, string>) ?? {},
        phoneNumber: String(row.phone_number),
      }))
    },

    countByStatus,

    deleteRecipients: async (campaignId) => {
      await query(`DELETE FROM ${recipients} WHERE campaign_id = $1`, [Number(campaignId)])
    },

    failuresByCode: async (campaignId, limit) => {
      const rows = await query<{
        count: number
        error_code: null | string
        message: null | string
      }>(
        `SELECT error_code, count(*)::int AS count, min(error_message) AS message FROM ${recipients}
         WHERE campaign_id = $1 AND status = 'failed'
         GROUP BY error_code ORDER BY count DESC LIMIT $2`,
        [Number(campaignId), limit],
      )
      return rows.map((row) => ({
        count: row.count,
        errorCode: row.error_code === null ? null : Number(row.error_code),
        errorMessage: row.message ?? '',
      }))
    },

    insertRecipients: async (campaignId, rows) => {
      const now = new Date()
      // The (campaign, phone) unique index makes a retried insert add nothing twice.
      await retry(() =>
        insertRows(
          undefined,
          recipients,
          [
            'campaign_id',
            'phone_number',
            'name',
            'parameters',
            'status',
            'error_code',
            'error_message',
            'failed_at',
            'attempts',
            'created_at',
            'updated_at',
          ],
          rows.map((row) => [
            Number(campaignId),
            row.phoneNumber,
            row.name ?? null,
            JSON.stringify(row.parameters ?? {}),
            row.status,
            row.errorCode ?? null,
            row.errorMessage ?? null,
            row.status === 'failed' ? now : null,
            0,
            now,
            now,
          ]),
          'ON CONFLICT (campaign_id, phone_number) DO NOTHING',
        ),
      )
    },

    logEvents: async (records) => {
      const now = new Date()
      const ids = await insertRows(
        undefined,
        events,
        [
          'kind',
          'phone_number_id',
          'message_id',
          'status',
          'timestamp',
          'error_code',
          'error_message',
          'applied',
          'received_at',
          'payload',
          'created_at',
          'updated_at',
        ],
        records.map((record) => [
          record.kind,
          record.phoneNumberId ?? null,
          record.messageId ?? null,
          record.status ?? null,
          record.timestamp ?? null,
          record.errorCode ?? null,
          record.errorMessage ?? null,
          false,
          now,
          JSON.stringify(record.payload ?? null),
          now,
          now,
        ]),
        'RETURNING id',
      )
      return ids.map(String)
    },

    markEventsApplied: async (ids) => {
      if (ids.length > 0) {
        await query(`UPDATE ${events} SET applied = true WHERE id = ANY($1)`, [ids.map(Number)])
      }
    },

    markStaleClaimsUnknown: async (campaignId, claimedBefore) => {
      const op = opId()
      return transaction(
        async (client) => {
          const { rowCount } = await client.query(
            `UPDATE ${recipients} SET status = 'unknown', error_message = $3, outcome_op = $4,
               updated_at = now()
             WHERE campaign_id = $1 AND status = 'sending' AND claimed_at < $2`,
            [Number(campaignId), claimedBefore, unknownOutcomeMessage, op],
          )
          await addToCounters(client, campaignId, { unknownCount: rowCount ?? 0 })
          return rowCount ?? 0
        },
        async () => {
          const [{ n }] = await query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${recipients} WHERE outcome_op = $1`,
            [op],
          )
          return n > 0 ? n : undefined
        },
      )
    },

    pruneEvents: async (before) => {
      const rows = await query(
        `DELETE FROM ${events} WHERE received_at < $1 AND (applied OR kind <> 'status') RETURNING id`,
        [before],
      )
      return rows.length
    },

    recordOutcomes: async (campaignId, outcomes) => {
      const op = opId()
      const ofKind = <K extends SendOutcome['kind']>(kind: K) =>
        outcomes.filter((o): o is Extract<SendOutcome, { kind: K }> => o.kind === kind)
      const sent = ofKind('sent')
      const failed = ofKind('failed')
      const unknown = ofKind('unknown')
      const released = ofKind('released')
      const ids = (list: SendOutcome[]) => list.map((o) => Number(o.id))
      // Only recipients still in 'sending' move, so a counter never counts a recipient twice.
      const guarded = `r.id = v.id AND r.status = 'sending'`
      await transaction(
        async (client) => {
          const moved = async (text: string, values: unknown[]) =>
            values.length > 0 && (values[0] as unknown[]).length > 0
              ? ((await client.query(text, [...values, op])).rowCount ?? 0)
              : 0
          const sentCount = await moved(
            `UPDATE ${recipients} r SET status = 'sent', message_id = v.message_id,
               sent_at = v.sent_at, outcome_op = $4, updated_at = now()
             FROM unnest($1::int[], $2::text[], $3::timestamptz[]) AS v(id, message_id, sent_at)
             WHERE ${guarded}`,
            [ids(sent), sent.map((o) => o.messageId), sent.map((o) => o.sentAt)],
          )
          const failedCount = await moved(
            `UPDATE ${recipients} r SET status = 'failed', error_code = v.error_code,
               error_message = v.error_message, retryable = v.retryable, failed_at = now(),
               outcome_op = $5, updated_at = now()
             FROM unnest($1::int[], $2::numeric[], $3::text[], $4::boolean[])
               AS v(id, error_code, error_message, retryable)
             WHERE ${guarded}`,
            [
              ids(failed),
              failed.map((o) => o.errorCode ?? null),
              failed.map((o) => o.errorMessage),
              failed.map((o) => o.retryable),
            ],
          )
          const unknownCount = await moved(
            `UPDATE ${recipients} r SET status = 'unknown', error_message = v.error_message,
               outcome_op = $3, updated_at = now()
             FROM unnest($1::int[], $2::text[]) AS v(id, error_message)
             WHERE ${guarded}`,
            [ids(unknown), unknown.map((o) => o.errorMessage)],
          )
          await moved(
            `UPDATE ${recipients} r SET status = 'pending', attempts = attempts - 1,
               outcome_op = $2, updated_at = now()
             FROM unnest($1::int[]) AS v(id) WHERE ${guarded}`,
            [ids(released)],
          )
          await addToCounters(client, campaignId, { failedCount, sentCount, unknownCount })
          return true
        },
        async () => {
          const rows = await query(`SELECT 1 FROM ${recipients} WHERE outcome_op = $1 LIMIT 1`, [
            op,
          ])
          return rows.length > 0 ? true : undefined
        },
      )
      // Status webhooks can beat this write; the ones that did are waiting in the event log.
      if (sent.length > 0) {
        await applyEarlyEvents(sent.map((o) => o.messageId))
      }
    },

    recount,

    reserveSlots: async (key, count, intervalMs) => {
      scheduleReady ??= retry(() => ensureEngineSchema(adapter.pool, [createScheduleTable]))
      await scheduleReady
      // One atomic upsert: concurrent reservations queue on the row lock and never overlap.
      const [{ start }] = await query<{ start: string }>(
        `INSERT INTO ${scheduleTable} (key, next) VALUES ($1, $2::float8 + $3::float8)
         ON CONFLICT (key) DO UPDATE
           SET next = GREATEST(${scheduleTable}.next, $2::float8) + $3::float8
         RETURNING next - $3::float8 AS start`,
        [key, Date.now(), count * intervalMs],
      )
      return Number(start)
    },

    requeue: async (campaignId, which) => {
      const statuses = [
        ...(which.failedRetryable ? ["(status = 'failed' AND retryable)"] : []),
        ...(which.unknown ? ["status = 'unknown'"] : []),
      ]
      if (statuses.length === 0) {
        return 0
      }
      const rows = await query(
        `UPDATE ${recipients} SET status = 'pending', error_code = NULL, error_message = NULL,
           failed_at = NULL, retryable = NULL, updated_at = now()
         WHERE campaign_id = $1 AND (${statuses.join(' OR ')}) RETURNING id`,
        [Number(campaignId)],
      )
      await recount(campaignId)
      return rows.length
    },

    sentSince: async (campaignId, since) => {
      const [{ n }] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${recipients} WHERE campaign_id = $1 AND sent_at >= $2`,
        [Number(campaignId), since],
      )
      return n
    },

    timeline: async (campaignId) => {
      const minute = (column: string) =>
        `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI')`
      const rows = await query<{ at: string; delivered: number; read: number; sent: number }>(
        `SELECT at, sum(sent)::int AS sent, sum(delivered)::int AS delivered, sum(read)::int AS read
         FROM (
           SELECT ${minute('sent_at')} AS at, 1 AS sent, 0 AS delivered, 0 AS read
             FROM ${recipients} WHERE campaign_id = $1 AND sent_at IS NOT NULL
           UNION ALL
           SELECT ${minute('delivered_at')}, 0, 1, 0
             FROM ${recipients} WHERE campaign_id = $1 AND delivered_at IS NOT NULL
           UNION ALL
           SELECT ${minute('read_at')}, 0, 0, 1
             FROM ${recipients} WHERE campaign_id = $1 AND read_at IS NOT NULL
         ) points GROUP BY at ORDER BY at`,
        [Number(campaignId)],
      )
      return rows.map((row): TimelinePoint => ({ ...row }))
    },

    transition: async (campaignId, from, patch) => {
      const { sets, values } = patchSets(patch, 3)
      let retried = false
      const rows = await retry(
        async () =>
          (
            await adapter.pool.query(
              `UPDATE ${campaigns} SET ${sets.join(', ')}, updated_at = now()
               WHERE id = $1 AND status = ANY($2) RETURNING id`,
              [Number(campaignId), from, ...values],
            )
          ).rows,
        () => (retried = true),
      )
      if (rows.length === 1) {
        return true
      }
      // After a retry the first try may have made the move; the status tells.
      return retried && (await campaignStatus(campaignId)) === patch.status
    },

    updateCampaign: async (campaignId, patch) => {
      const { sets, values } = patchSets(patch, 2)
      if (sets.length > 0) {
        await query(
          `UPDATE ${campaigns} SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`,
          [Number(campaignId), ...values],
        )
      }
    },
  }
}

const createScheduleTable = `CREATE TABLE IF NOT EXISTS ${scheduleTable} (key text PRIMARY KEY, next double precision NOT NULL)`

/** Creates the plugin's own schema, then runs `statements` (idempotent; safe from several processes). */
export const ensureEngineSchema = async (pool: Pool, statements: string[] = []) => {
  for (const statement of [`CREATE SCHEMA IF NOT EXISTS "${engineSchema}"`, ...statements]) {
    await pool.query(statement).catch((error: { code?: string } & Error) => {
      // Another process created it at the same moment.
      if (error.code !== '23505' && error.code !== '42P06' && error.code !== '42P07') {
        throw error
      }
    })
  }
}
