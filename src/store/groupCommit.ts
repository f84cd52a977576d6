type Waiter<T, R> = {
  items: T[]
  reject: (error: unknown) => void
  resolve: (results: R[]) => void
}

/**
 * Group commit: a write alone goes at once; writes asked for while one is in flight are made
 * together as the next one (at most `maxItems` items each), and every caller is answered when
 * the write holding its items has landed, with its own results. Under concurrent webhooks that
 * is one insert for many requests, each still acknowledged only once its events are durable.
 */
export const groupCommit = <T, R>(
  write: (items: T[]) => Promise<R[]>,
  maxItems: number,
): ((items: T[]) => Promise<R[]>) => {
  const queue: Waiter<T, R>[] = []
  let writing = false

  const drain = async () => {
    writing = true
    while (queue.length > 0) {
      const group = [queue.shift()!]
      let size = group[0].items.length
      while (queue.length > 0 && size + queue[0].items.length <= maxItems) {
        size += queue[0].items.length
        group.push(queue.shift()!)
      }
      try {
        const results = await write(group.flatMap((w) => w.items))
        let at = 0
        for (const waiter of group) {
          waiter.resolve(results.slice(at, (at += waiter.items.length)))
        }
      } catch (error) {
        // Each caller fails as its own write would have (Meta posts its webhooks again).
        group.forEach((waiter) => waiter.reject(error))
      }
    }
    writing = false
  }

  return (items) =>
    new Promise<R[]>((resolve, reject) => {
      queue.push({ items, reject, resolve })
      if (!writing) {
        void drain()
      }
    })
}
