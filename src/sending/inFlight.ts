/**
 * Bounds how many sends wait for Meta's answer at once, and adapts the bound to how quickly the
 * answers come. An answer slower than `slowMs` means the sends are queueing somewhere (Meta, the
 * network, or this very process when it is overloaded): more of them in flight would only make
 * each wait longer, until they time out with an unknown outcome. So, as TCP does with its window,
 * a slow answer cuts the bound to three quarters of what is in flight, at most once per round trip
 * (only an answer to a send started after the last cut cuts again), and quick answers grow it
 * while it is at least half used (a bound grown while unused would let a sudden slowdown fill
 * it): by one each until the first cut, then by about one per round trip, within [min, max].
 */
export class InFlight {
  private bound: number
  private cutAt = Number.NEGATIVE_INFINITY
  private readonly running = new Set<Promise<unknown>>()

  constructor(
    private readonly max: number,
    private readonly slowMs = Number.POSITIVE_INFINITY,
    initial = max,
    private readonly min = 10,
  ) {
    this.bound = Math.min(max, Math.max(min, initial))
  }

  /** Resolves once the task is tracked and fewer than the bound are in flight. */
  async add<T>(task: Promise<T>): Promise<void> {
    const tracked = task.finally(() => this.running.delete(tracked))
    this.running.add(tracked)
    while (this.running.size >= Math.floor(this.bound)) {
      await Promise.race(this.running).catch(() => undefined)
    }
  }

  /** A send started at `startedAt` (performance.now()) was answered now, or gave up waiting. */
  answered(startedAt: number, now = performance.now()): void {
    if (now - startedAt <= this.slowMs) {
      if (this.running.size >= this.bound / 2) {
        const cut = this.cutAt !== Number.NEGATIVE_INFINITY
        this.bound = Math.min(this.max, this.bound + (cut ? 1 / this.bound : 1))
      }
    } else if (startedAt > this.cutAt) {
      this.bound = Math.max(this.min, Math.min(this.bound, this.running.size) * 0.75)
      this.cutAt = now
    }
  }

  /** How many sends may be in flight now. */
  get limit(): number {
    return Math.floor(this.bound)
  }
}
