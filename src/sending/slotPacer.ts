import type { CampaignStore } from '../store/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Hands out send times for one phone number from the schedule shared by every campaign and
 * process (store.reserveSlots), a second's worth at a time to keep database work per message low.
 * Slots are spaced at 1/rate; a slot missed by more than `toleranceMs` (the process was busy) is
 * skipped rather than fired late, so late sends never bunch up above the rate in any window.
 */
export class SlotPacer {
  private readonly chunk: number
  private readonly intervalMs: number
  private nextSlot = 0
  private slotsLeft = 0
  /** Callers take slots one after another (retries run beside the main loop). */
  private turn: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly store: Pick<CampaignStore, 'reserveSlots'>,
    private readonly key: string,
    messagesPerSecond: number,
    /** Sends are paced slightly under the cap so network jitter cannot push a window over it. */
    headroom = 0.97,
    private readonly toleranceMs = 10,
  ) {
    this.intervalMs = 1000 / (messagesPerSecond * headroom)
    this.chunk = Math.max(1, Math.round(messagesPerSecond))
  }

  private async takeSlot(): Promise<void> {
    for (;;) {
      if (this.slotsLeft === 0) {
        this.nextSlot = await this.store.reserveSlots(this.key, this.chunk, this.intervalMs)
        this.slotsLeft = this.chunk
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
    this.slotsLeft = 0
    await this.store.reserveSlots(this.key, 1, ms)
  }

  /** Resolves at this caller's slot. */
  wait(): Promise<void> {
    const mine = this.turn.then(() => this.takeSlot())
    this.turn = mine.catch(() => undefined)
    return mine
  }
}
