import type { CampaignStore, ClaimedRecipient, SendOutcome } from '../store/types.js'
import type { SendFailure, SendTemplate } from './types.js'

import { InFlight } from './inFlight.js'
import { SlotPacer } from './slotPacer.js'

export type SendLoopArgs = {
  campaignId: string
  /** Phone numbers (E.164 digits) that must not be messaged any more (opted out, blocked). */
  excludedPhones: (phones: string[]) => Promise<Set<string>>
  language: string
  /** Retries of a transient failure before the recipient fails (retryable). */
  maxAttempts?: number
  messagesPerSecond: number
  /** Called once per batch: keeps a queue lock alive. */
  onBatch?: () => Promise<void>
  phoneNumberId: string
  renderComponents: (recipient: ClaimedRecipient) => unknown[]
  send: SendTemplate
  store: CampaignStore
  templateName: string
}

export type SendLoopResult =
  | { accountError: SendFailure; reason: 'account-error' }
  | { reason: 'drained' }
  | { reason: 'stopped' }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const statusCheckMs = 1000

/**
 * listmonk's pipe, for one campaign: claim a batch (about a second of sending), fire each send
 * at its slot without waiting for Meta's answer, record the batch's outcomes in bulk once they
 * are all in, while the next batch is already being sent.
 */
export const runSendLoop = async (args: SendLoopArgs): Promise<SendLoopResult> => {
  const { campaignId, store } = args
  const maxAttempts = args.maxAttempts ?? 4
  const pacer = new SlotPacer(store, args.phoneNumberId, args.messagesPerSecond)
  // About two seconds of sending per batch: few database commands per message, and few
  // recipients left with an unknown outcome if this worker dies.
  const batchSize = Math.min(2000, Math.max(50, Math.round(args.messagesPerSecond * 2)))
  const inFlight = new InFlight(Math.max(200, args.messagesPerSecond * 4))
  const recording: Promise<void>[] = []
  let accountError: SendFailure | undefined
  let stopped = false

  /** Sends at a slot already taken by the caller; retries take slots of their own. */
  const sendOne = async (recipient: ClaimedRecipient): Promise<SendOutcome> => {
    for (let attempt = 1; ; attempt++) {
      if (accountError || stopped) {
        return { id: recipient.id, kind: 'released' }
      }
      if (attempt > 1) {
        await pacer.wait()
      }
      const result = await args.send({
        components: args.renderComponents(recipient),
        language: args.language,
        templateName: args.templateName,
        to: recipient.phoneNumber,
      })
      if (result.ok) {
        return { id: recipient.id, kind: 'sent', messageId: result.messageId, sentAt: new Date() }
      }
      const { error } = result
      if (error.outcomeUnknown) {
        return {
          id: recipient.id,
          errorMessage: `Outcome unknown (${error.message}): not sent again automatically; use "Retry unknown".`,
          kind: 'unknown',
        }
      }
      if (error.kind === 'account') {
        // The request was refused for the whole account: this recipient was not messaged.
        accountError ??= error
        return { id: recipient.id, kind: 'released' }
      }
      if (error.kind === 'permanent' || attempt >= maxAttempts) {
        return {
          id: recipient.id,
          errorCode: error.code,
          errorMessage: error.message,
          kind: 'failed',
          retryable: error.kind !== 'permanent',
        }
      }
      if (error.kind === 'throttle') {
        await pacer.penalize(1000)
      } else {
        await sleep(Math.min(8000, 250 * 2 ** attempt))
      }
    }
  }

  // A pause or cancel takes effect within a second, even in the middle of a batch.
  const watchStatus = async () => {
    if ((await store.campaignStatus(campaignId).catch(() => 'running')) !== 'running') {
      stopped = true
    }
  }
  const watcher = setInterval(() => void watchStatus(), statusCheckMs)
  try {
    return await loop()
  } finally {
    clearInterval(watcher)
  }

  async function loop(): Promise<SendLoopResult> {
    // Each batch comes with its opted-out and blocked phones, checked as it is claimed.
    const claimNext = async () => {
      const batch = await store.claimBatch(campaignId, batchSize)
      const excluded =
        batch.length > 0 ? await args.excludedPhones(batch.map((r) => r.phoneNumber)) : new Set()
      return { batch, excluded }
    }
    const nothing = Promise.resolve({ batch: [] as ClaimedRecipient[], excluded: new Set() })
    let next = claimNext()
    for (;;) {
      const { batch, excluded } = await next
      if (batch.length === 0) {
        break
      }
      await watchStatus()
      if (stopped || accountError) {
        recording.push(
          store.recordOutcomes(
            campaignId,
            batch.map((r) => ({ id: r.id, kind: 'released' })),
          ),
        )
        next = nothing
        break
      }
      await args.onBatch?.()
      // The following batch is claimed when this one is half fired, so sending never waits on
      // the database, and a dead worker leaves at most about two batches unresolved.
      const prefetchAt = Math.floor(batch.length / 2)
      next = nothing
      const outcomes: Promise<SendOutcome>[] = []
      for (const [index, recipient] of batch.entries()) {
        if (index === prefetchAt) {
          next = claimNext()
        }
        if (excluded.has(recipient.phoneNumber)) {
          outcomes.push(
            Promise.resolve({
              id: recipient.id,
              errorMessage: 'The contact opted out or is blocked; not sent.',
              kind: 'failed',
              retryable: false,
            }),
          )
          continue
        }
        if (stopped || accountError) {
          // Paused, cancelled or refused: the rest of the batch goes back to pending at once.
          outcomes.push(Promise.resolve({ id: recipient.id, kind: 'released' }))
          continue
        }
        await pacer.wait()
        const outcome = sendOne(recipient)
        outcomes.push(outcome)
        await inFlight.add(outcome)
      }
      recording.push(Promise.all(outcomes).then((all) => store.recordOutcomes(campaignId, all)))
    }
    // A batch claimed ahead but not sent goes back to pending.
    const { batch: unsent } = await next
    if (unsent.length > 0) {
      recording.push(
        store.recordOutcomes(
          campaignId,
          unsent.map((r) => ({ id: r.id, kind: 'released' })),
        ),
      )
    }
    await Promise.all(recording)
    if (accountError) {
      return { accountError, reason: 'account-error' }
    }
    return stopped ? { reason: 'stopped' } : { reason: 'drained' }
  }
}
