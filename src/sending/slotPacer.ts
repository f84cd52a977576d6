import type { CampaignStore } from '../store/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Hands out send times for one phone number from the schedule shared by every campaign and
 * process (store.reserveSlots), a second's worth at a time to keep database work per message low;
 * the next second is reserved while this one is half used, so sending never waits on the database.
 * Slots are spaced at 1/(rate × headroom); a slot missed by more than `toleranceMs` (the process
 * was busy) is skipped rather than fired late, so late sends never bunch up above the rate.
 */
export class SlotPacer {
  /** The next second's slots, reserved ahead: its first slot's time. */
  private ahead: Promise<number> | undefined
  private readonly chunk: number
  private readonly intervalMs: number
  private nextSlot = 0
  private slotsLeft = 0
  private readonly toleranceMs: number
  /** Callers take slots one after another (retries run beside the main loop). */
  private turn: Promise<unknown> = Promise.resolve()

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
    // slots within 1000 + lateness ms: at most ⌈(1000 + lateness) × headroom × rate / 1000⌉,
    // never above the rate while lateness < 1000/headroom − 1000 (31 ms at 0.97). Two thirds of
    // that slack may be spent late; the rest is left for the network.
    this.toleranceMs = toleranceMs ?? ((1000 / headroom - 1000) * 2) / 3
  }

  private reserve(): Promise<number> {
    const reserved = this.store.reserveSlots(this.key, this.chunk, this.intervalMs)
    // Awaited when its turn comes; a failure surfaces there.
    reserved.catch(() => undefined)
    return reserved
  }

  private async takeSlot(): Promise<void> {
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
      const delay = slot - Date.now()
      if (delay > 0) {
        await sleep(delay)
      }
      if (Date.now() - slot <= this.toleranceMs) {
        return
      }
    }
  }

  /** After Meta's throughput error: move this number's shared schedule back by `ms`. */
  async penalize(ms: number): Promise<void> {
    // Slots reserved before the penalty are dropped: they would send inside it.
    this.slotsLeft = 0
    this.ahead = undefined
    await this.store.reserveSlots(this.key, 1, ms)
  }

  /** Resolves at this caller's slot. */
  wait(): Promise<void> {
    const mine = this.turn.then(() => this.takeSlot())
    this.turn = mine.catch(() => undefined)
    return mine
  }
}
