/** The most of these times (ms, any order) that fall within any window of `windowMs`. */
export const mostInAnyWindow = (times: number[], windowMs: number) => {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) {
      start++
    }
    best = Math.max(best, end - start + 1)
  }
  return best
}
