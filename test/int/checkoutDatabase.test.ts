import { MongoClient } from 'mongodb'
import { promises as fs } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'

import type { EmbeddedServer } from '../../dev/database/embeddedServer.js'

import { checkoutDataFiles, checkoutPort } from '../../dev/checkoutData.js'
import { openCheckoutDatabase } from '../../dev/database/checkoutDatabase.js'
import { freePort, startEmbeddedServer } from '../../dev/database/embeddedServer.js'

const dirs: string[] = []
const servers: EmbeddedServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()))
})
afterAll(async () => {
  await Promise.all(dirs.map((dir) => fs.rm(dir, { force: true, recursive: true })))
})

const tempCheckout = async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'checkout-'))
  dirs.push(dir)
  return dir
}

const open = async (checkoutDir: string) => {
  const opened = await openCheckoutDatabase({ checkoutDir, ownerWaitMs: 500 })
  if (opened.server) {
    servers.push(opened.server)
  }
  return opened
}

const recordedPort = async (checkoutDir: string) =>
  (
    JSON.parse(await fs.readFile(checkoutDataFiles(checkoutDir).portFile, 'utf8')) as {
      port: number
    }
  ).port

const recordPort = async (checkoutDir: string, port: number) => {
  await fs.mkdir(checkoutDataFiles(checkoutDir).dataDir, { recursive: true })
  await fs.writeFile(checkoutDataFiles(checkoutDir).portFile, JSON.stringify({ port }))
}

describe('the embedded database of a checkout', () => {
  it('has a port and a data file per checkout, the port kept across restarts', async () => {
    const [a, b] = [await tempCheckout(), await tempCheckout()]
    const [first, second] = [await open(a), await open(b)]
    expect(first.server && second.server).toBeTruthy()
    expect(first.uri).toBe(`mongodb://127.0.0.1:${await recordedPort(a)}`)
    expect(second.uri).toBe(`mongodb://127.0.0.1:${await recordedPort(b)}`)
    expect(first.uri).not.toBe(second.uri)

    const client = await MongoClient.connect(first.uri)
    await client.db('dev').collection('notes').insertOne({ note: 'only in a' })
    await client.close()
    await Promise.all(servers.splice(0).map((server) => server.stop()))
    const dataOf = (dir: string) => fs.readFile(checkoutDataFiles(dir).dataFile, 'utf8')
    expect(await dataOf(a)).toContain('only in a')
    expect(await dataOf(b)).not.toContain('only in a')

    const again = await open(a)
    expect(again.uri).toBe(first.uri)
    const reader = await MongoClient.connect(again.uri)
    expect(await reader.db('dev').collection('notes').countDocuments()).toBe(1)
    await reader.close()
  })

  it('is shared by the processes of the same checkout', async () => {
    const dir = await tempCheckout()
    const first = await open(dir)
    // A second process (`npm run worker` beside `npm run dev`) finds the port taken by its own.
    const second = await open(dir)
    expect(second.server).toBeUndefined()
    expect(second.uri).toBe(first.uri)
  })

  it('agrees on one port when several processes start at once', async () => {
    const dir = await tempCheckout()
    const { portFile } = checkoutDataFiles(dir)
    const ports = await Promise.all(Array.from({ length: 8 }, () => checkoutPort(portFile)))
    expect(new Set(ports).size).toBe(1)
    expect(ports[0]).toBe(await recordedPort(dir))
  })

  it("refuses another checkout's server on its recorded port", async () => {
    const [a, b] = [await tempCheckout(), await tempCheckout()]
    const first = await open(a)
    await recordPort(b, await recordedPort(a))
    await expect(open(b)).rejects.toThrow(
      new RegExp(`held by the embedded database of another checkout \\(${await fs.realpath(a)}\\)`),
    )
    expect(first.server).toBeDefined()
  })

  it('refuses a MongoDB server that is no checkout’s, and a process that is no MongoDB server', async () => {
    const dir = await tempCheckout()
    const foreign = await startEmbeddedServer()
    servers.push(foreign)
    await recordPort(dir, Number(new URL(foreign.uri).port))
    await expect(open(dir)).rejects.toThrow(/a MongoDB server with no checkout recorded/)

    const port = await freePort()
    // Ends each connection at once, so closing it waits for nothing.
    const tcp = net.createServer((socket) => socket.end('not mongodb\n', () => socket.destroy()))
    await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve))
    try {
      await recordPort(dir, port)
      await expect(open(dir)).rejects.toThrow(
        /does not answer as a MongoDB server.*delete .*embedded-db\.json/,
      )
    } finally {
      await new Promise((resolve) => tcp.close(resolve))
    }
  })

  it('refuses a port record it cannot read', async () => {
    const dir = await tempCheckout()
    await fs.mkdir(checkoutDataFiles(dir).dataDir, { recursive: true })
    await fs.writeFile(checkoutDataFiles(dir).portFile, '{"port": "soon"}')
    await expect(open(dir)).rejects.toThrow(/should hold \{"port": <1-65535>\}/)
  })
})
