import { promises as fs } from 'node:fs'
import path from 'node:path'

import { freePort } from './database/embeddedServer.js'

/** What a checkout keeps in its git-ignored .data folder, so that two checkouts share nothing. */
export const checkoutDataFiles = (checkoutDir: string) => {
  const dataDir = path.resolve(checkoutDir, '.data')
  return {
    dataDir,
    /** The data, restored on start and rewritten while running. */
    dataFile: path.join(dataDir, 'embedded-db.ejson'),
    /** `{"port": n}`: the embedded database's port, picked on this checkout's first start. */
    portFile: path.join(dataDir, 'embedded-db.json'),
    /** Held while the demo data is seeded. */
    seedLockFile: path.join(dataDir, 'seed.lock'),
    /** `{"port": n}`: the Cloud API simulator's port, picked likewise. */
    simulatorPortFile: path.join(dataDir, 'simulator.json'),
  }
}

const readPort = async (portFile: string): Promise<number | undefined> => {
  let text: string
  try {
    text = await fs.readFile(portFile, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined
    }
    throw error
  }
  const port = (() => {
    try {
      return (JSON.parse(text) as { port?: unknown }).port
    } catch {
      return undefined
    }
  })()
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(
      `${portFile} should hold {"port": <1-65535>} but holds ${JSON.stringify(text)}; delete it to have a new free port picked.`,
    )
  }
  return port
}

/**
 * The port recorded for this checkout, or a free one recorded now. Processes starting together
 * agree on one: the record is created by a hard link, which fails when another process was first.
 */
export const checkoutPort = async (portFile: string): Promise<number> => {
  const recorded = await readPort(portFile)
  if (recorded) {
    return recorded
  }
  await fs.mkdir(path.dirname(portFile), { recursive: true })
  const draft = `${portFile}.${process.pid}.tmp`
  await fs.writeFile(draft, JSON.stringify({ port: await freePort() }))
  try {
    await fs.link(draft, portFile)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error
    }
  } finally {
    await fs.rm(draft, { force: true })
  }
  return (await readPort(portFile)) as number
}

/** The port an environment variable sets (undefined when unset); anything else is refused. */
export const portFromEnv = (name: string): number | undefined => {
  const given = process.env[name]
  if (!given) {
    return undefined
  }
  const port = Number(given)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} should be a port number (1-65535), not ${JSON.stringify(given)}.`)
  }
  return port
}
