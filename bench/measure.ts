import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { MongoClient } from 'mongodb'
import type { Payload } from 'payload'
import type pg from 'pg'

import { onPostgres } from './rawTables.js'

/** Samples the process's resident memory every 50 ms; stop() returns the peak in MB. */
export const sampleRss = () => {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage().rss) / 1024 / 1024
    },
  }
}

/** CPU milliseconds (user + system) spent by this process since `start`. */
export const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

type CommandCounter = { commands: number; on: boolean }

/** Every command Payload's MongoDB client starts (the adapter is booted with monitorCommands). */
const countMongoCommands = (payload: Payload, counter: CommandCounter) => {
  const client = (
    payload.db as unknown as { connection: { getClient: () => MongoClient } }
  ).connection.getClient()
  client.on('commandStarted', () => {
    if (counter.on) {
      counter.commands++
    }
  })
}

const postgresCounters = new Set<CommandCounter>()
const wrappedClients = new WeakSet<object>()

/**
 * Every query any client of the adapter's pg module sends (pool.query and transactions both go
 * through Client.prototype.query): one per SQL statement, BEGIN and COMMIT included.
 */
const countPostgresQueries = (payload: Payload, counter: CommandCounter) => {
  const { Client } = (payload.db as unknown as PostgresAdapter).pg
  if (!wrappedClients.has(Client)) {
    wrappedClients.add(Client)
    // Seen through one signature: the wrapper passes every overload's arguments through as is.
    const prototype = Client.prototype as unknown as {
      query: (this: pg.Client, ...args: unknown[]) => unknown
    }
    const { query } = prototype
    prototype.query = function (...args) {
      for (const each of postgresCounters) {
        if (each.on) {
          each.commands++
        }
      }
      return query.apply(this, args)
    }
  }
  postgresCounters.add(counter)
}

/** Counts the database commands Payload's adapter sends while `on` is true. */
export const commandCounter = (payload: Payload) => {
  const counter: CommandCounter = { commands: 0, on: false }
  if (onPostgres(payload)) {
    countPostgresQueries(payload, counter)
  } else {
    countMongoCommands(payload, counter)
  }
  return counter
}

export const percentile = (values: number[], p: number) => {
  if (values.length === 0) {
    return 0
  }
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
