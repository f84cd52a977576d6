import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { seed } from '../../dev/seed.js'
import { bootPayload, type TestApp } from '../helpers/bootPayload.js'

let app: TestApp
let dir: string

beforeAll(async () => {
  app = await bootPayload('seed-once', { pluginOptions: { queue: false } })
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-lock-'))
})
afterAll(async () => {
  await app?.close()
  await fs.rm(dir, { force: true, recursive: true })
})

const counts = async () => {
  const collections = [
    'users',
    'whatsapp-accounts',
    'whatsapp-templates',
    'whatsapp-contacts',
    'whatsapp-campaigns',
  ] as const
  return Object.fromEntries(
    await Promise.all(
      collections.map(
        async (collection) =>
          [collection, (await app.payload.count({ collection })).totalDocs] as const,
      ),
    ),
  )
}

describe('demo data', () => {
  test('is seeded once when several seeders start together, and left alone after', async () => {
    const lockFile = path.join(dir, 'seed.lock')
    // A holder that died mid-seed left its lock behind: the pid of a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid
    await fs.writeFile(lockFile, String(dead))

    await Promise.all(Array.from({ length: 4 }, () => seed(app.payload, { lockFile })))
    const seeded = await counts()
    expect(seeded).toMatchObject({
      users: 1,
      'whatsapp-accounts': 1,
      'whatsapp-campaigns': 1,
      'whatsapp-contacts': 50,
    })
    expect(seeded['whatsapp-templates']).toBeGreaterThan(0)

    await seed(app.payload, { lockFile })
    expect(await counts()).toEqual(seeded)
    await expect(fs.access(lockFile)).rejects.toThrow(/ENOENT/)
  })
})
