import type { ErrorBreakerOptions } from '../options.js'

type Outcome = { code?: number; failed: true; message: string } | { failed: false }

/**
 * listmonk's MaxSendErrors, as a rate: remembers the last `window` send outcomes of one run and
 * trips once the window is full and more than `maxFailureRate` of it failed.
 */
export class ErrorBreaker {
  private next = 0
  private readonly outcomes: Outcome[] = []

  constructor(private readonly options: ErrorBreakerOptions) {}

  record(outcome: Outcome) {
    if (this.outcomes.length < this.options.window) {
      this.outcomes.push(outcome)
    } else {
      this.outcomes[this.next] = outcome
      this.next = (this.next + 1) % this.options.window
    }
  }

  /** Why the campaign should pause, or undefined while the failure rate is acceptable. */
  tripped(): string | undefined {
    if (this.outcomes.length < this.options.window) {
      return undefined
    }
    const failures = this.outcomes.filter((o) => o.failed)
    if (failures.length / this.options.window <= this.options.maxFailureRate) {
      return undefined
    }
    const byError = new Map<string, number>()
    for (const failure of failures) {
      const key = `${failure.code ?? 'no code'}: ${failure.message}`
      byError.set(key, (byError.get(key) ?? 0) + 1)
    }
    const [top] = [...byError.entries()].sort((a, b) => b[1] - a[1])
    return `${failures.length} of the last ${this.options.window} sends failed (more than ${Math.round(this.options.maxFailureRate * 100)}%); most often ${top[0]} (${top[1]} times)`
  }
}
