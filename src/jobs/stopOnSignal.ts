import type { Payload } from 'payload'

import { atMost } from './atMost.js'

const signals = ['SIGINT', 'SIGTERM'] as const
type StopSignal = (typeof signals)[number]

/** The codes Next.js exits with on these signals (128 + the signal's number). */
const exitCodes: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 }

/** A stop that hangs (its database gone) does not keep the process from exiting. */
const stopWithinMs = 10_000

/** Each Payload instance's graceful stop (jobs/index.ts: stopCampaignQueue). */
const stops = new Map<Payload, () => Promise<void>>()

const stopAll = async () => {
  const stopping = [...stops]
  stops.clear()
  await Promise.all(
    stopping.map(async ([payload, stop]) => {
      try {
        await stop()
        payload.logger.info('whatsapp-campaigns stopped')
      } catch (error) {
        payload.logger.error({ err: error }, 'whatsapp-campaigns: stopping failed')
      }
    }),
  )
}

const onSignal = (signal: StopSignal) => {
  // Another handler ends the process itself (Next.js's, unless NEXT_MANUAL_SIG_HANDLE is set):
  // the stop runs until it does. Alone, this one exits once the stop is done, as Next.js would.
  const othersExit = process.listenerCount(signal) > 1
  listen(false)
  void atMost(stopWithinMs, stopAll()).then(() => {
    if (!othersExit) {
      process.exit(exitCodes[signal])
    }
  })
}

const listen = (on: boolean) => {
  for (const signal of signals) {
    if (on) {
      process.on(signal, onSignal)
    } else {
      process.off(signal, onSignal)
    }
  }
}

/**
 * On SIGINT/SIGTERM, `stop` this instance's campaign work (a web server's: `next start` sends
 * campaigns and applies webhooks unless told not to), so that a deploy or restart hands its
 * campaigns back at once instead of leaving claims and the applier's lease to run out.
 */
export const stopOnSignal = (payload: Payload, stop: () => Promise<void>): void => {
  if (stops.size === 0) {
    listen(true)
  }
  stops.set(payload, stop)
}

/** Stopped already, or stopped by its caller (runWorker): the signal leaves it alone. */
export const forgetSignalStop = (payload: Payload): void => {
  if (stops.delete(payload) && stops.size === 0) {
    listen(false)
  }
}
