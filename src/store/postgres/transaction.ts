import type { Pool, PoolClient } from 'pg'

/** Runs `work` in one transaction on a connection of its own, rolled back if anything throws. */
export const inTransaction = async <T>(pool: Pool, work: (client: PoolClient) => Promise<T>) => {
  const client = await pool.connect()
  // A connection that drops between two statements reports it as an 'error' event (the next
  // statement fails too, and the caller retries); unheard, it would end the process.
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
}
