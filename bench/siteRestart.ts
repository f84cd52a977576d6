/**
 * A deploy's restart in the middle of a campaign: the dev app under `next start` sends a
 * campaign (it works jobs, as a site does by default), is sent SIGTERM once Meta has a third of
 * the messages, and is started again; with or without NEXT_MANUAL_SIG_HANDLE (README "Workers").
 */

import { freePorts } from '../dev/database/embeddedServer.js'
import { demoAccount } from '../dev/demoAccount.js'
import { demoTemplates, startCloudApiSimulator } from '../dev/simulator/index.js'
import { getStore } from '../src/store/index.js'
import { prepare } from './realLoad.js'
import { exited, siteDatabase, siteToken, spawnSite, stopGroup } from './siteProcesses.js'

export type SiteRestartResult = {
  /** Claims the stopped site left behind ('sending'), reported unknown once they expire. */
  claimsLeft: number
  contacts: number
  /** From the SIGTERM until the campaign completed, through the restart. */
  doneMs: number
  exitCode: null | number
  manualSignals: boolean
  /** Messages Meta got more than once. */
  sentTwice: number
  /** From the SIGTERM until the process exited. */
  stopMs: number
  unknown: number
}

export const benchSiteRestart = async ({
  contacts,
  manualSignals,
}: {
  contacts: number
  manualSignals: boolean
}): Promise<SiteRestartResult> => {
  const { close, database, payload } = await siteDatabase(`restart-${String(manualSignals)}`)
  const cap = 80
  const simulator = await startCloudApiSimulator({
    accounts: [demoAccount],
    latencyMs: 200,
    templates: { [demoAccount.wabaId]: demoTemplates },
    throughputCap: cap,
  })
  const campaign = await prepare(payload, { cap, contacts })
  const [port] = await freePorts(1)
  const env = {
    DATABASE_URI: database.uri,
    WHATSAPP_GRAPH_API_URL: simulator.url,
    ...(manualSignals ? { NEXT_MANUAL_SIG_HANDLE: 'true' } : {}),
  }
  const base = `http://127.0.0.1:${port}/api`
  let site = spawnSite(port, env)
  try {
    const token = await siteToken(base)
    const run = await fetch(`${base}/whatsapp-campaigns/${campaign.id}/run`, {
      headers: { authorization: `JWT ${token}` },
      method: 'POST',
    })
    if (!run.ok) {
      throw new Error(`run: ${run.status} ${await run.text()}`)
    }
    while (simulator.sent.length < contacts / 3) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const signalledAt = Date.now()
    process.kill(-site.pid!, 'SIGTERM')
    await exited(site)
    const stopMs = Date.now() - signalledAt
    const exitCode = site.exitCode
    const { sending } = await getStore(payload).countByStatus(String(campaign.id))
    site = spawnSite(port, env)
    await siteToken(base)
    for (const deadline = Date.now() + 600_000; Date.now() < deadline;) {
      const doc = await payload.findByID({
        id: campaign.id,
        collection: 'whatsapp-campaigns',
        depth: 0,
      })
      if (doc.status === 'completed') {
        return {
          claimsLeft: sending,
          contacts,
          doneMs: Date.now() - signalledAt,
          exitCode,
          manualSignals,
          sentTwice: [...simulator.countsByRecipient().values()].filter((n) => n > 1).length,
          stopMs,
          unknown: Number(doc.unknownCount ?? 0),
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error('the campaign did not complete within 10 min of the restart')
  } finally {
    await stopGroup(site)
    await simulator.close()
    await close()
  }
}
