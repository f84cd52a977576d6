import { spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect, test } from 'vitest'

import { withFileLock } from '../../dev/fileLock.js'

test('waiters that all find a dead holder take the lock one at a time', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'file-lock-'))
  const file = path.join(dir, 'seed.lock')
  // The pid of a process that has exited: its lock is stale.
  await fs.writeFile(file, String(spawnSync(process.execPath, ['-e', '']).pid))
  let holding = 0
  let most = 0
  await Promise.all(
    // Arriving a little apart, as processes do: a late waiter still sees the dead holder's pid
    // while an early one has already replaced it.
    Array.from({ length: 20 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i % 4))
      return withFileLock(
        file,
        async () => {
          most = Math.max(most, ++holding)
          await new Promise((resolve) => setTimeout(resolve, 20))
          holding--
        },
        { pollMs: 5 },
      )
    }),
  )
  expect(most).toBe(1)
  await expect(fs.readdir(dir)).resolves.toEqual([])
  await fs.rm(dir, { force: true, recursive: true })
})
