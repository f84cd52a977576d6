import type { ErrorBreakerOptions } from '../options.js'
import type { CampaignStore, ClaimedRecipient, Reservation, SendOutcome } from '../store/index.js'
import type { ExcludedPhones } from './excludedPhones.js'
import type { SendFailure, SendTemplate } from './types.js'

import { ErrorBreaker } from './errorBreaker.js'
import { InFlight } from './inFlight.js'
import { SlotPacer } from './slotPacer.js'

/** What the send loop needs of the store: claims, outcomes, the status and the rate schedule. */
export type SendLoopStore = Pick<
  CampaignStore,
  'campaignStatus' | 'claimBatch' | 'recordOutcomes' | 'reserveSlots'
>

export type SendLoopArgs = {
  campaignId: string
  /** Pauses the run when too many of its recent sends failed; false never does. */
  errorBreaker?: ErrorBreakerOptions | false
  /** Which of these phones (E.164 digits) must not be messaged any more (opted out, blocked, ...), with why. */
  excludedPhones: (phones: string[]) => Promise<ExcludedPhones>
  language: string
  /**
   * Attempts at a transient failure before the recipient fails (retryable). Throughput errors
   * are the number's, not the recipient's: they count apart, up to five times as many.
   */
  maxAttempts?: number
  messagesPerSecond: number
  /** Called once per batch: keeps a queue lock alive. */
  onBatch?: () => Promise<void>
  /** Called with the batch's recipients Meta refused with an error code, once recorded. */
  onFailed?: (failed: Array<{ code: number; phone: string }>) => Promise<void>
  phoneNumberId: string
  /** Gives back the room of reserved phones that were not sent after all (released). */
  releaseRecipients?: (reservation: Reservation, phones: string[]) => Promise<void>
  renderComponents: (recipient: ClaimedRecipient) => unknown[]
  /**
   * Takes room for these phones in the portfolio's messaging limit before they are sent; the
   * ones refused go back to pending and the run ends waiting. Absent: no limit.
   */
  reserveRecipients?: (phones: string[]) => Promise<Reservation>
  send: SendTemplate
  /**
   * How long before its slot a message goes to `send`, for a sender that waits for the slot
   * itself (the Graph sender's thread): a process stalled by less than this still sends on
   * time. 0 (the default): the loop calls `send` at the slot.
   */
  sendLeadMs?: number
  /**
   * How long a send waits for Meta's answer: fewer sends are kept in flight while answers take
   * over a quarter of it, so they keep coming well within it (absent: a fixed bound).
   */
  sendTimeoutMs?: number
  /** Aborted when the process stops: the loop stops as on a pause. */
  stopping?: AbortSignal
  store: SendLoopStore
  templateName: string
}

export type SendLoopResult =
  | { breaker: string; reason: 'breaker' }
  | { reason: 'drained' }
  | { reason: 'refused'; refusal: SendFailure }
  | { reason: 'stopped' }
  /** The portfolio's messaging limit is reached: nothing more goes until `resumeAt`. */
  | { reason: 'waiting'; resumeAt: Date }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const statusCheckMs = 1000

const noPhones: ExcludedPhones = new Map()

/**
 * listmonk's pipe, for one campaign: claim a batch (about two seconds of sending), fire each send
 * at its slot without waiting for Meta's answer, record outcomes in bulk every half second of
 * sending once they are in, while the next batch is already being sent.
 */
export const runSendLoop = async (args: SendLoopArgs): Promise<SendLoopResult> => {
  const { campaignId, store } = args
  const maxAttempts = args.maxAttempts ?? 4
  const pacer = new SlotPacer(store, args.phoneNumberId, args.messagesPerSecond)
  // About two seconds of sending per batch: few database commands per message, and few
  // recipients left with an unknown outcome if this worker dies.
  const batchSize = Math.min(2000, Math.max(50, Math.round(args.messagesPerSecond * 2)))
  // Outcomes are recorded per half second of sending: a status webhook that beats its send
  // result waits for that record, so it must not wait for the whole batch.
  const recordEvery = Math.max(1, Math.round(args.messagesPerSecond / 2))
  // Up to four seconds of sending waiting for answers; half a second to begin with, doubled each
  // round trip while answers are quick.
  const inFlight = new InFlight(
    Math.max(200, args.messagesPerSecond * 4),
    args.sendTimeoutMs === undefined ? undefined : args.sendTimeoutMs / 4,
    Math.max(100, args.messagesPerSecond / 2),
  )
  const recording: Promise<void>[] = []
  /** Meta refused the account, number or template: nothing more is sent. */
  let refusal: SendFailure | undefined
  const breaker = args.errorBreaker ? new ErrorBreaker(args.errorBreaker) : undefined
  let breakerTripped: string | undefined
  let stopped = false
  /** Set once the messaging limit held recipients back: this batch is the run's last. */
  let waitingUntil: Date | undefined
  const halted = () => Boolean(refusal || breakerTripped || stopped || args.stopping?.aborted)

  /** Feeds the breaker with a send's final outcome. */
  const counted = (outcome: SendOutcome): SendOutcome => {
    if (breaker && (outcome.kind === 'sent' || outcome.kind === 'failed')) {
      breaker.record(
        outcome.kind === 'sent'
          ? { failed: false }
          : { code: outcome.errorCode, failed: true, message: outcome.errorMessage },
      )
      breakerTripped ??= breaker.tripped()
    }
    return outcome
  }

  const lead = args.sendLeadMs ?? 0
  /** Sends at `slot`, taken by the caller; retries take slots of their own. */
  const sendOne = async (recipient: ClaimedRecipient, slot: number): Promise<SendOutcome> => {
    for (let at = slot, attempt = 1, throttles = 0; ;) {
      if (halted()) {
        return { id: recipient.id, kind: 'released' }
      }
      // When the request goes out, for the in-flight bound's round trips.
      const startedAt = performance.now() + Math.max(0, at - Date.now())
      const result = await args.send(
        {
          components: args.renderComponents(recipient),
          language: args.language,
          templateName: args.templateName,
          to: recipient.phoneNumber,
        },
        { at, latest: at + pacer.toleranceMs },
      )
      if ('missed' in result) {
        // Not sent: the slot passed first. The next one is this attempt's.
        at = await pacer.wait(lead)
        continue
      }
      inFlight.answered(startedAt)
      if (result.ok) {
        return counted({
          id: recipient.id,
          kind: 'sent',
          messageId: result.messageId,
          sentAt: new Date(),
        })
      }
      const { error } = result
      if (error.outcomeUnknown) {
        return {
          id: recipient.id,
          errorMessage: `Outcome unknown (${error.message}): not sent again automatically; use "Retry unknown".`,
          kind: 'unknown',
        }
      }
      if (error.kind === 'account' || error.kind === 'template') {
        // Refused for the whole account, number or template: this recipient was not messaged
        // and goes back to pending, to be sent once on Resume.
        refusal ??= error
        return { id: recipient.id, kind: 'released' }
      }
      if (error.kind === 'throttle') {
        throttles++
      } else {
        attempt++
      }
      if (error.kind === 'permanent' || attempt > maxAttempts || throttles >= maxAttempts * 5) {
        return counted({
          id: recipient.id,
          attempts: recipient.attempts,
          errorCode: error.code,
          errorMessage: error.message,
          kind: 'failed',
          retryable: error.kind !== 'permanent',
        })
      }
      if (error.kind === 'throttle') {
        await pacer.throttled(at)
      } else {
        await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)))
      }
      at = await pacer.wait(lead)
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
    /** The batch's phones the messaging limit lets through now (all, without a limit). */
    const reserve = async (batch: ClaimedRecipient[], excluded: ExcludedPhones) => {
      const phones = batch.map((r) => r.phoneNumber).filter((phone) => !excluded.has(phone))
      if (!args.reserveRecipients || phones.length === 0) {
        return undefined
      }
      return args.reserveRecipients(phones)
    }
    // Everything a batch needs before its first send (its opted-out and blocked phones, its room
    // under the messaging limit) is fetched with it, while the previous batch is still sending:
    // a database round trip between batches would let the number's slots pass unused.
    const claimNext = async () => {
      await watchStatus()
      await args.onBatch?.()
      const batch = halted() ? [] : await store.claimBatch(campaignId, batchSize)
      const excluded =
        batch.length > 0 ? await args.excludedPhones(batch.map((r) => r.phoneNumber)) : noPhones
      return { batch, excluded, reservation: await reserve(batch, excluded) }
    }
    /** A claimed batch goes back to pending unsent, with the room it took under the limit. */
    const release = (claimed: Awaited<ReturnType<typeof claimNext>>) => {
      const { batch, reservation } = claimed
      if (batch.length === 0) {
        return
      }
      recording.push(
        store
          .recordOutcomes(
            campaignId,
            batch.map((r) => ({ id: r.id, kind: 'released' })),
          )
          .then(async () => {
            if (reservation && reservation.allowed.length > 0) {
              await args.releaseRecipients?.(reservation, reservation.allowed)
            }
          }),
      )
    }
    const nothing = Promise.resolve({
      batch: [] as ClaimedRecipient[],
      excluded: noPhones,
      reservation: undefined,
    })
    let next: ReturnType<typeof claimNext> = claimNext()
    for (;;) {
      const claimed = await next
      const { batch, excluded, reservation } = claimed
      next = nothing
      if (batch.length === 0) {
        break
      }
      if (halted()) {
        release(claimed)
        break
      }
      waitingUntil = reservation?.resumeAt ?? undefined
      const allowed = reservation && new Set(reservation.allowed)
      // The following batch is claimed when this one is half fired, so sending never waits on
      // the database, and a dead worker leaves at most about two batches unresolved. None
      // follows a batch the messaging limit cut short.
      const prefetchAt = waitingUntil ? -1 : Math.floor(batch.length / 2)
      /** Records a run of the batch's outcomes once they are all in. */
      const record = (part: ClaimedRecipient[], outcomes: Promise<SendOutcome>[]) =>
        recording.push(
          Promise.all(outcomes).then(async (all) => {
            await store.recordOutcomes(campaignId, all)
            const failed = all.flatMap((o, i) =>
              o.kind === 'failed' && o.errorCode !== undefined
                ? [{ code: o.errorCode, phone: part[i].phoneNumber }]
                : [],
            )
            if (failed.length > 0) {
              await args.onFailed?.(failed)
            }
            // Room taken for recipients that went back unsent (a pause, a refusal) is given back.
            const unsent = all.flatMap((o, i) =>
              o.kind === 'released' ? [part[i].phoneNumber] : [],
            )
            if (reservation && unsent.length > 0) {
              await args.releaseRecipients?.(reservation, unsent)
            }
          }),
        )
      let from = 0
      let outcomes: Promise<SendOutcome>[] = []
      for (const [index, recipient] of batch.entries()) {
        if (index === prefetchAt) {
          next = claimNext()
        }
        if (outcomes.length === recordEvery) {
          record(batch.slice(from, index), outcomes)
          from = index
          outcomes = []
        }
        const excludedBecause = excluded.get(recipient.phoneNumber)
        if (excludedBecause) {
          outcomes.push(
            Promise.resolve({
              id: recipient.id,
              errorMessage: excludedBecause,
              kind: 'failed',
              retryable: false,
            }),
          )
          continue
        }
        if (halted() || (allowed && !allowed.has(recipient.phoneNumber))) {
          // Paused, cancelled, refused, too many failures, or over the messaging limit: back
          // to pending at once, not sent.
          outcomes.push(Promise.resolve({ id: recipient.id, kind: 'released' }))
          continue
        }
        const outcome = sendOne(recipient, await pacer.wait(lead))
        outcomes.push(outcome)
        await inFlight.add(outcome)
      }
      record(batch.slice(from), outcomes)
      if (waitingUntil) {
        break
      }
    }
    // A batch claimed ahead but not sent goes back to pending.
    release(await next)
    await Promise.all(recording)
    if (refusal) {
      return { reason: 'refused', refusal }
    }
    if (breakerTripped) {
      return { breaker: breakerTripped, reason: 'breaker' }
    }
    if (stopped || args.stopping?.aborted) {
      return { reason: 'stopped' }
    }
    return waitingUntil ? { reason: 'waiting', resumeAt: waitingUntil } : { reason: 'drained' }
  }
}
