import type { CampaignStore } from '../store/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Hands out send times for one phone number from the schedule shared by every campaign and
 * process (store.reserveSlots), a second's worth at a time to keep database work per message low;
 * the next second is reserved while this one is half used, so sending never waits on the database.
 * After a throughput error the number pauses briefly (see `throttled`).
 * Slots are spaced at 1/(rate × headroom); a slot missed by more than `toleranceMs` (the process
 * was busy) is skipped rather than fired late, so late sends never bunch up above the rate.
 */
export class SlotPacer {
  /** The next second's slots, reserved ahead: its first slot's time. */
  private ahead: Promise<number> | undefined
  private readonly chunk: number
  private readonly intervalMs: number
  private nextSlot = 0
  /** Slots before this time are skipped: Meta said to slow down. */
  private notBefore = 0
  /** When the last pause for a throughput error began, and how long it was. */
  private pause = { at: Number.NEGATIVE_INFINITY, ms: 0 }
  /** Where the last slots this pacer reserved end. */
  private reservedEnd = 0
  private slotsLeft = 0
  /** Callers take slots one after another (retries run beside the main loop). */
  private turn: Promise<unknown> = Promise.resolve()
  /** How late a slot may still be used: a send may go up to this long after its time. */
  readonly toleranceMs: number

  constructor(
    private readonly store: Pick<CampaignStore, 'reserveSlots'>,
    private readonly key: string,
    messagesPerSecond: number,
    /** Sends are paced slightly under the cap so lateness and network jitter stay within it. */
    headroom = 0.97,
    toleranceMs?: number,
  ) {
    this.intervalMs = 1000 / (messagesPerSecond * headroom)
    this.chunk = Math.max(1, Math.round(messagesPerSecond))
    // Slots of all processes are at least intervalMs apart, so the sends of any second come from
    // slots within 1000 + lateness ms: at most ⌊(1000 + lateness) × headroom × rate / 1000⌋ + 1.
    // Two thirds of the slack 1000/headroom − 1000 (31 ms at 0.97) makes that ⌊0.99 × rate⌋ + 1,
    // never above the rate; sends are made that late at most (the send thread checks it too).
    this.toleranceMs = toleranceMs ?? ((1000 / headroom - 1000) * 2) / 3
  }

  private reserve(): Promise<number> {
    const reserved = this.store
      .reserveSlots(this.key, this.chunk, this.intervalMs)
      .then((start) => {
        this.reservedEnd = Math.max(this.reservedEnd, start + this.chunk * this.intervalMs)
        return start
      })
    // Awaited when its turn comes; a failure surfaces there.
    reserved.catch(() => undefined)
    return reserved
  }

  private async takeSlot(leadMs: number): Promise<number> {
    for (;;) {
      if (this.slotsLeft === 0) {
        this.nextSlot = await (this.ahead ?? this.reserve())
        this.ahead = undefined
        this.slotsLeft = this.chunk
      }
      if (!this.ahead && this.slotsLeft <= Math.ceil(this.chunk / 2)) {
        this.ahead = this.reserve()
      }
      const slot = this.nextSlot
      this.nextSlot += this.intervalMs
      this.slotsLeft--
      if (slot < this.notBefore) {
        continue
      }
      const delay = slot - leadMs - Date.now()
      if (delay > 0) {
        await sleep(delay)
      }
      if (Date.now() - slot <= this.toleranceMs) {
        return slot
      }
    }
  }

  /**
   * After Meta's throughput error for a send made at `sentAt` (Date.now()): nothing more goes on
   * this number for a pause, 100 ms at first, doubled for each error within a second of the last
   * pause's end, up to 4 s. Errors for sends made before the pause began are answers to the same
   * burst and do not lengthen it. Other processes' next reservations start after it.
   */
  async throttled(sentAt: number): Promise<void> {
    if (sentAt <= this.pause.at) {
      return
    }
    const now = Date.now()
    // Again within a second of the pause's end: the number really is over its rate. Later, it
    // was a burst (sends that left on time can reach Meta bunched), and the pause starts over.
    const again = now - (this.pause.at + this.pause.ms) < 1000
    const ms = again ? Math.min(4000, this.pause.ms * 2) : 100
    this.pause = { at: now, ms }
    this.notBefore = now + ms
    // The shared schedule's end moves to the pause's end (from this pacer's own last slot: others
    // reserving after it push it further, never less far).
    await this.store.reserveSlots(
      this.key,
      1,
      Math.max(0, this.notBefore - Math.max(now, this.reservedEnd)),
    )
  }

  /**
   * Resolves with this caller's slot (a Date.now() time), `leadMs` before it: a sender that fires
   * at the slot itself (the send thread) gets its message while the process is still on time.
   */
  wait(leadMs = 0): Promise<number> {
    const mine = this.turn.then(() => this.takeSlot(leadMs))
    this.turn = mine.catch(() => undefined)
    return mine
  }
}
