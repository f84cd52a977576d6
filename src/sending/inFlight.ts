/** Bounds how many sends wait for Meta's answer at once. */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly max: number) {}

  async add<T>(task: Promise<T>): Promise<void> {
    const tracked = task.finally(() => this.running.delete(tracked))
    this.running.add(tracked)
    while (this.running.size >= this.max) {
      await Promise.race(this.running).catch(() => undefined)
    }
  }
}
