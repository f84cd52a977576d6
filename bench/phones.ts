/** The i-th of a range of valid, distinct Indian mobile numbers. */
export const benchPhone = (i: number) => `+91 98${String(i).padStart(8, '0')}`

/** Rows of a named or CSV audience: a phone and the order_update template's two values. */
export async function* benchRows(count: number) {
  for (let i = 0; i < count; i++) {
    yield { name: `Guest ${i}`, code: `ORD-${i}`, phone: benchPhone(i) }
    if (i % 1000 === 999) {
      // Let timers (the RSS sampler) run, as a real resolver reading a database would.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
}
