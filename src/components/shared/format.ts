export const percent = (value: number) => `${(value * 100).toFixed(1)}%`

export const duration = (seconds: number) => {
  if (seconds < 60) {
    return `${seconds}s`
  }
  const minutes = Math.floor(seconds / 60)
  return minutes < 60
    ? `${minutes}m ${seconds % 60}s`
    : `${Math.floor(minutes / 60)}h ${minutes % 60}m`
}

/** An amount in a currency, as the browser's locale writes it ("$12.50", "12,50 €"). */
export const money = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, {
    currency,
    maximumFractionDigits: 4,
    style: 'currency',
  }).format(amount)

/** An estimate in words: total, how many messages, and how many the rate card could not price. */
export const costEstimateText = (estimate: {
  currency: string
  messages: number
  total: number
  unpriced: number
}) =>
  `${money(estimate.total, estimate.currency)} for ${estimate.messages} messages` +
  (estimate.unpriced > 0 ? ` (${estimate.unpriced} have no price in the rate card)` : '')
