import pg from 'pg'

/** Runs statements on a Postgres server's maintenance database (CREATE/DROP DATABASE). */
export const onPostgresServer = async <T>(
  uri: string,
  run: (client: pg.Client) => Promise<T>,
): Promise<T> => {
  const url = new URL(uri)
  url.pathname = '/postgres'
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    return await run(client)
  } finally {
    await client.end()
  }
}
