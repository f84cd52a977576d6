import { promises as fs } from 'node:fs'
import path from 'node:path'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// A holder that died (Ctrl-C mid-seed) leaves its lock file behind; its pid says it is gone.
const holderIsGone = async (file: string) => {
  const pid = Number(await fs.readFile(file, 'utf8').catch(() => ''))
  if (!Number.isInteger(pid) || pid <= 0) {
    // Empty: the holder is between creating the file and writing its pid, or died there.
    const stat = await fs.stat(file).catch(() => undefined)
    return Boolean(stat && Date.now() - stat.mtimeMs > 10_000)
  }
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

const tryCreate = (file: string) =>
  fs.writeFile(file, String(process.pid), { flag: 'wx' }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') {
        throw error
      }
      return false
    },
  )

/**
 * Removes the lock of a holder that is gone. Several waiters may find the same dead holder; if
 * each removed "the" file, a late one would remove the lock a quicker one had just taken. So
 * removing takes a second lock, and the holder is checked again under it.
 */
const removeIfHolderGone = async (file: string): Promise<boolean> => {
  if (!(await holderIsGone(file))) {
    return false
  }
  const breaker = `${file}.break`
  if (!(await tryCreate(breaker))) {
    // Another waiter is removing it; a breaker left by a process that died there goes by age.
    const stat = await fs.stat(breaker).catch(() => undefined)
    if (stat && Date.now() - stat.mtimeMs > 10_000) {
      await fs.rm(breaker, { force: true })
    }
    return false
  }
  try {
    if (await holderIsGone(file)) {
      await fs.rm(file, { force: true })
    }
    return true
  } finally {
    await fs.rm(breaker, { force: true })
  }
}

/**
 * Runs `run` while holding `file`, an exclusive lock file (created with 'wx', holding the pid),
 * waiting while another holder, in this process or another, runs. Works whatever the database.
 */
export const withFileLock = async <T>(
  file: string,
  run: () => Promise<T>,
  { pollMs = 200 }: { pollMs?: number } = {},
): Promise<T> => {
  await fs.mkdir(path.dirname(file), { recursive: true })
  for (;;) {
    if (await tryCreate(file)) {
      break
    }
    if (!(await removeIfHolderGone(file))) {
      await sleep(pollMs)
    }
  }
  try {
    return await run()
  } finally {
    await fs.rm(file, { force: true })
  }
}
