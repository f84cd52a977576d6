/**
 * Keys claimed by writes that have passed their uniqueness check but not yet reached the
 * database. The embedded server does not enforce unique indexes, so concurrent writes in
 * this process are serialized here; a real MongoDB's unique index covers other processes.
 * Claims expire so that a write that failed after its check cannot block the key forever.
 */
export class InFlightKeys {
  private readonly claims = new Map<string, number>()

  constructor(private readonly ttlMs = 30_000) {}

  claim(key: string): boolean {
    const now = Date.now()
    const expires = this.claims.get(key)
    if (expires !== undefined && expires > now) {
      return false
    }
    this.claims.set(key, now + this.ttlMs)
    return true
  }

  release(key: string): void {
    this.claims.delete(key)
  }
}
