import {
  AggregationEngine,
  CongoServer,
  QueryEngine,
} from '@push.rocks/smartmongo/dist_ts/congodb/index.js'
import { EJSON } from 'bson'
import { MongoClient } from 'mongodb'
import { promises as fs } from 'node:fs'
import net from 'node:net'
import path from 'node:path'

import { narrowDocuments } from './congoPrefilter.js'
import { markOwner, ownerDatabase } from './serverOwner.js'

export type EmbeddedServer = {
  /** Writes the data file (when persisting) and stops the server. */
  stop: () => Promise<void>
  /** mongodb:// URI of the server, without a database name. */
  uri: string
}

export type EmbeddedServerOptions = {
  /** Keep data in this file across restarts (canonical Extended JSON keeps ObjectIds and Dates). */
  dataFile?: string
  /** Recorded in the server (see serverOwner.ts), so a process finding it on a port knows whose it is. */
  owner?: string
  /** How often the data file is rewritten while running. Default 10 s. */
  persistEveryMs?: number
  /** 0 or absent: any free port. */
  port?: number
}

/** A TCP port nothing listens on right now. */
/** `count` distinct free ports: each probe stays open until all are taken, so none comes back. */
export const freePorts = async (count: number) => {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => {
    const address = server.address()
    return typeof address === 'object' && address ? address.port : 0
  })
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
}

export const freePort = async () => (await freePorts(1))[0]

let narrowing = false
/** Every query CongoDB answers first drops the documents its simple equalities rule out (see congoPrefilter.ts). */
const narrowQueries = () => {
  if (narrowing) {
    return
  }
  narrowing = true
  const filter = QueryEngine.filter.bind(QueryEngine)
  QueryEngine.filter = (documents, query) => filter(narrowDocuments(documents, query), query)
  const aggregate = AggregationEngine.aggregate.bind(AggregationEngine)
  AggregationEngine.aggregate = (documents, pipeline, options) =>
    aggregate(narrowDocuments(documents, pipeline?.[0]?.$match), pipeline, options)
}

type Dump = Record<string, Record<string, Record<string, unknown>[]>>

const dumpAll = async (client: MongoClient): Promise<Dump> => {
  const dump: Dump = {}
  const { databases } = await client.db('admin').admin().listDatabases()
  for (const { name: dbName } of databases) {
    if (['admin', 'config', 'local', ownerDatabase].includes(dbName)) {
      continue
    }
    const db = client.db(dbName)
    dump[dbName] = {}
    for (const { name } of await db.listCollections().toArray()) {
      dump[dbName][name] = await db.collection(name).find({}).toArray()
    }
  }
  return dump
}

const restoreAll = async (client: MongoClient, dump: Dump) => {
  for (const [dbName, collections] of Object.entries(dump)) {
    for (const [name, docs] of Object.entries(collections)) {
      if (docs.length > 0) {
        await client.db(dbName).collection(name).insertMany(docs)
      }
    }
  }
}

/**
 * Starts CongoDB, a MongoDB wire-protocol server written in TypeScript, in this process.
 * Its own persistence writes plain JSON (ObjectIds and Dates come back as strings), so data
 * is saved and restored here through the driver as canonical Extended JSON instead.
 */
export const startEmbeddedServer = async (
  options: EmbeddedServerOptions = {},
): Promise<EmbeddedServer> => {
  const port = options.port || (await freePort())
  narrowQueries()
  const server = new CongoServer({ host: '127.0.0.1', port })
  await server.start()
  const uri = `mongodb://127.0.0.1:${port}`
  const { dataFile, owner } = options
  if (!dataFile && !owner) {
    return { stop: () => server.stop(), uri }
  }

  const client = await MongoClient.connect(uri)
  if (owner) {
    await markOwner(client, owner)
  }
  if (!dataFile) {
    return {
      stop: async () => {
        await client.close()
        await server.stop()
      },
      uri,
    }
  }
  try {
    const saved = await fs.readFile(dataFile, 'utf8')
    await restoreAll(client, EJSON.parse(saved, { relaxed: false }) as Dump)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`Could not restore the embedded database from ${dataFile}: ${String(error)}`)
    }
  }

  let saving: Promise<void> = Promise.resolve()
  const save = () => {
    saving = saving.then(async () => {
      const text = EJSON.stringify(await dumpAll(client), { relaxed: false })
      await fs.mkdir(path.dirname(dataFile), { recursive: true })
      // Write then rename, so a crash mid-write never leaves a truncated data file.
      await fs.writeFile(`${dataFile}.tmp`, text)
      await fs.rename(`${dataFile}.tmp`, dataFile)
    })
    return saving
  }
  const timer = setInterval(
    () => void save().catch(() => undefined),
    options.persistEveryMs ?? 10_000,
  )
  timer.unref()

  return {
    stop: async () => {
      clearInterval(timer)
      await save()
      await client.close()
      await server.stop()
    },
    uri,
  }
}
