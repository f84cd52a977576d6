import type { ChildProcess } from 'node:child_process'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { CloudApiSimulator } from '../../dev/simulator/index.js'

import { freePort } from '../../dev/database/embeddedServer.js'
import { stopCampaignQueue } from '../../src/index.js'
import { applierLease } from '../../src/jobs/webhookApplier.js'
import { getStore } from '../../src/store/index.js'
import { bootPayload, type TestApp, testDatabaseUri } from '../helpers/bootPayload.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  expectEachSentOnceOrUnknown,
  testAccount,
  waitForStatus,
} from '../helpers/fixtures.js'
import { killWorker, startWorker, stopWorker } from '../helpers/spawnWorker.js'
import { expectEachAnsweredLogged, startSteadyPosting } from '../helpers/steadyPosting.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { expectRateHeld, startTestSimulator } from '../helpers/testSimulator.js'

let simulator: CloudApiSimulator

/** A campaign to 120 new contacts on a 40 msg/s number. */
const campaignOf120 = async (app: TestApp, label: string) => {
  simulator.reset()
  const account = await createAccount(app.payload, { messagesPerSecond: 40 })
  const templates = await createDemoTemplates(app.payload, account.id)
  const phones = await createContacts(app.payload, account.id, 120, { label })
  const campaign = await createCampaign(app.payload, {
    account: account.id,
    audienceType: 'contacts',
    template: templates.hello_world,
  })
  return { campaign, phones }
}

/** Runs the campaign through REST and returns once Meta has had `sent` of its messages. */
const runUntilSent = async (app: TestApp, campaignId: number | string, sent: number) => {
  const token = await app.login()
  expect((await app.api('POST', `/whatsapp-campaigns/${campaignId}/run`, { token })).status).toBe(
    200,
  )
  while (simulator.sent.length < sent) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Until another process holds the applier's lease (a probe that finds it free holds it 1 ms). */
const untilLeaseHeld = async (
  store: ReturnType<typeof getStore>,
  ready: () => Promise<boolean> = () => Promise.resolve(true),
) => {
  for (const deadline = Date.now() + 20_000; ;) {
    if ((await ready()) && !(await store.takeLease(applierLease, 'probe', 1))) {
      return
    }
    expect(Date.now()).toBeLessThan(deadline)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

beforeAll(async () => {
  simulator = await startTestSimulator({ latencyMs: 30 })
})
afterAll(async () => {
  await simulator?.close()
})

describe('several workers', () => {
  test('three campaigns on one number, two workers, Run clicked twice on each: each recipient once, rate held', async () => {
    const databaseUri = testDatabaseUri('workers_shared')
    const pluginOptions = {
      graphApiUrl: simulator.url,
      queue: { processEveryMs: 200 },
    }
    const a: TestApp = await bootPayload('workers_a', { databaseUri, pluginOptions })
    const b: TestApp = await bootPayload('workers_b', { databaseUri, pluginOptions })
    try {
      simulator.reset()
      const account = await createAccount(a.payload, { messagesPerSecond: 25 })
      const templates = await createDemoTemplates(a.payload, account.id)
      const phones: string[] = []
      const campaigns = []
      for (const label of ['one', 'two', 'three']) {
        phones.push(
          ...(await createContacts(a.payload, account.id, 25, { first: phones.length, label })),
        )
        campaigns.push(
          await createCampaign(a.payload, {
            account: account.id,
            audienceFilters: { labels: { contains: label } },
            audienceType: 'contacts',
            template: templates.hello_world,
          }),
        )
      }
      const [tokenA, tokenB] = [await a.login(), await b.login('other@example.com')]
      const clicks = await Promise.all(
        campaigns.flatMap((c) => [
          a.api('POST', `/whatsapp-campaigns/${c.id}/run`, { token: tokenA }),
          b.api('POST', `/whatsapp-campaigns/${c.id}/run`, { token: tokenB }),
        ]),
      )
      expect(clicks.filter((r) => r.status === 200)).toHaveLength(3)
      expect(clicks.filter((r) => r.status === 409)).toHaveLength(3)
      for (const c of campaigns) {
        await waitForStatus(a.payload, c.id, ['completed'], 40_000)
        await expectCountersMatchRecipients(a.payload, c.id)
      }
      const counts = simulator.countsByRecipient()
      expect(phones.filter((p) => counts.get(p) === 1)).toHaveLength(75)
      expectRateHeld(simulator, testAccount.phoneNumberId, 25)
    } finally {
      await stopCampaignQueue(a.payload)
      await stopCampaignQueue(b.payload)
      await b.payload.destroy()
      await a.close()
    }
  })

  test('a worker killed mid-campaign (SIGKILL): another takes over, nobody is messaged twice, unknown outcomes reported', async () => {
    const databaseUri = testDatabaseUri('workers_crash')
    const app = await bootPayload('workers_crash', {
      databaseUri,
      pluginOptions: { claimLeaseMs: 3000, graphApiUrl: simulator.url, queue: { worker: false } },
    })
    const workerArgs = { claimLeaseMs: 3000, databaseUri, graphUrl: simulator.url }
    let worker: ChildProcess | undefined
    try {
      const { campaign, phones } = await campaignOf120(app, 'crash')
      worker = await startWorker(workerArgs)
      await runUntilSent(app, campaign.id, 30)
      await killWorker(worker)
      const sentAtCrash = simulator.sent.length
      expect(sentAtCrash).toBeLessThan(120)

      worker = await startWorker(workerArgs)
      const done = await waitForStatus(app.payload, campaign.id, ['completed'], 60_000)
      await expectEachSentOnceOrUnknown(app.payload, campaign.id, {
        counts: simulator.countsByRecipient(),
        phones,
      })
      expect(done.sentCount + done.unknownCount).toBe(120)
    } finally {
      await killWorker(worker)
      await app.close()
    }
  })

  // A web server works jobs too by default (`next start`): the plugin stops it on the signal, and
  // exits as Next.js would (143) unless another handler (Next.js's own) ends the process.
  test.each([
    { name: 'a worker (runWorker)', code: 0 },
    { name: 'a web server, the signal left to the plugin', asSite: {}, code: 143 },
    { name: 'a web server whose own handler exits', asSite: { otherExitAfterMs: 2000 }, code: 7 },
  ])(
    '$name stopped with SIGTERM mid-campaign records what it sent, gives its claims, job and applier lease back, exits, and the next finishes',
    async ({ asSite, code }) => {
      const databaseUri = testDatabaseUri(`workers_sigterm_${code}`)
      // This process applies nothing: the stopped process holds the applier's lease.
      const app = await bootPayload(`workers_sigterm_${code}`, {
        databaseUri,
        pluginOptions: {
          claimLeaseMs: 3000,
          graphApiUrl: simulator.url,
          queue: { worker: false },
          webhookApplier: { enabled: false },
        },
      })
      const workerArgs = { claimLeaseMs: 3000, databaseUri, graphUrl: simulator.url }
      let worker: ChildProcess | undefined
      try {
        const { campaign, phones } = await campaignOf120(app, 'sigterm')
        worker = await startWorker({ ...workerArgs, asSite })
        const store = getStore(app.payload)
        await untilLeaseHeld(store)
        await runUntilSent(app, campaign.id, 30)
        expect(await stopWorker(worker)).toBe(code)
        expect(simulator.sent.length).toBeLessThan(120)
        // Given up, not left to run out (10 s): another process takes it at once.
        expect(await store.takeLease(applierLease, 'next', 1)).toBe(true)

        // Its job handed back, not left locked: the next worker would wait 120 s for that lock.
        worker = await startWorker({ ...workerArgs, lockLifetimeMs: 120_000 })
        const done = await waitForStatus(app.payload, campaign.id, ['completed'], 60_000)
        // A graceful stop leaves no outcome unknown: every send was recorded before exiting,
        // and the claims not sent went back (kept, they would be reported unknown after 3 s).
        await expectEachSentOnceOrUnknown(app.payload, campaign.id, {
          counts: simulator.countsByRecipient(),
          phones,
        })
        expect(done.sentCount).toBe(120)
      } finally {
        await killWorker(worker)
        await app.close()
      }
    },
  )
})

describe('a worker receiving webhooks', () => {
  test('stopped with SIGTERM while Meta posts, it answers what is in progress, gives the applier lease up and exits', async () => {
    const databaseUri = testDatabaseUri('workers_receiver')
    // This process applies nothing: the worker's applier holds the lease.
    const app = await bootPayload('workers_receiver', {
      databaseUri,
      pluginOptions: {
        graphApiUrl: simulator.url,
        queue: { worker: false },
        webhookApplier: { enabled: false },
      },
    })
    let worker: ChildProcess | undefined
    try {
      await createAccount(app.payload)
      const webhookPort = await freePort()
      worker = await startWorker({
        claimLeaseMs: 3000,
        databaseUri,
        graphUrl: simulator.url,
        jobs: false,
        webhookPort,
      })
      const url = `http://127.0.0.1:${webhookPort}/api/whatsapp/webhook`
      const store = getStore(app.payload)
      await untilLeaseHeld(store, () =>
        fetch(url).then(
          () => true,
          () => false,
        ),
      )
      const posting = startSteadyPosting(url, 'stopping')
      await posting.answeredAtLeast(100)
      const code = await stopWorker(worker)
      await posting.stop()
      expect(code).toBe(0)
      await expectEachAnsweredLogged(app.payload, posting, 'stopping')
      // Given up, not left to run out (10 s): another process takes it at once.
      expect(await store.takeLease(applierLease, 'next', 60_000)).toBe(true)
    } finally {
      await killWorker(worker)
      await app.close()
    }
  })
})
