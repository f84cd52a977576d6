import type { Payload } from 'payload'

import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'

import { getPluginOptions } from '../pluginContext.js'
import { getStore } from '../store/index.js'

/** Applies one batch of logged webhook events; returns how many it took (webhooks/ gives it). */
export type WebhookDrain = (payload: Payload) => Promise<number>

type Applier = { stop: () => Promise<void>; wake: () => void }

const appliers = new WeakMap<Payload, Applier>()

/** The applier's lease, one per site. */
export const applierLease = 'webhook-applier'

/** The least time between batches that are not full. */
const gatherMs = 20

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The site's one webhook applier: every process runs this loop, and the one holding the lease
 * (renewed between batches) drains the event log, a full batch after another, else every
 * `pollMs` or as soon as this process logs events (gathering them for 20 ms). A holder that
 * stops gives the lease up; one that dies lets it run out; either way another takes over. Two
 * holders at once (a holder stalled past its lease) stay correct, as the batches' writes are
 * compare-and-set; the lease only saves the duplicate work.
 */
export const startWebhookApplier = (payload: Payload, drain: WebhookDrain): void => {
  const { batchSize, enabled, leaseMs, pollMs } = getPluginOptions(payload).webhookApplier
  if (!enabled || appliers.has(payload)) {
    return
  }
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`
  let stopped = false
  // Woken while busy: the next pause is skipped, so events logged meanwhile wait for no poll.
  let woken = false
  let wakeUp = () => undefined as void
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopped) {
        woken = false
        resolve()
        return
      }
      const timer = setTimeout(resolve, ms)
      wakeUp = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  const loop = async () => {
    let heldUntil = 0
    let nextTry = 0
    while (!stopped) {
      try {
        const now = Date.now()
        // Renewed once a third of it has passed; looked at by the others a few times a lease.
        if (heldUntil - now < (leaseMs * 2) / 3 && now >= nextTry) {
          const held = await getStore(payload).takeLease(applierLease, holder, leaseMs)
          heldUntil = held ? now + leaseMs : 0
          nextTry = held ? 0 : now + leaseMs / 4
        }
        if (heldUntil <= Date.now()) {
          await pause(Math.max(0, nextTry - Date.now()))
          continue
        }
        if ((await drain(payload)) < batchSize) {
          // Events logged meanwhile gather for a moment before the next batch, even when they
          // wake it: batches of a few events each would cost a transaction per few webhooks.
          await sleep(gatherMs)
          await pause(pollMs - gatherMs)
        }
      } catch (error) {
        if (!stopped) {
          payload.logger.error({ err: error }, 'whatsapp-campaigns: applying webhook events failed')
          await pause(1000)
        }
      }
    }
    if (heldUntil > Date.now()) {
      // Stopped, not dead: the others need not wait for the lease to run out.
      await getStore(payload)
        .releaseLease(applierLease, holder)
        .catch((error: unknown) =>
          payload.logger.warn(
            { err: error },
            'whatsapp-campaigns: giving up the applier lease failed',
          ),
        )
    }
  }
  const running = loop()
  appliers.set(payload, {
    stop: async () => {
      stopped = true
      wakeUp()
      await running
    },
    wake: () => {
      woken = true
      wakeUp()
    },
  })
}

/** Events were logged in this process: its applier, if it holds the lease, starts on them now. */
export const wakeWebhookApplier = (payload: Payload): void => appliers.get(payload)?.wake()

/** Stops this instance's applier after its current batch (tests, graceful shutdown). */
export const stopWebhookApplier = async (payload: Payload): Promise<void> => {
  const applier = appliers.get(payload)
  appliers.delete(payload)
  await applier?.stop()
}
