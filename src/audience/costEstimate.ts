import type { PricedCategory, RateCard } from '../options.js'

import { callingCodeOf, callingCodeOfPrefix } from './normalizePhone.js'

/** One calling code's share of an estimate. */
export type CostLine = {
  callingCode: string
  cost: number
  messages: number
  /** The rate card's price for one message here; null when neither its row nor the default prices the category. */
  unitPrice: null | number
}

/** What the rate card says messages of one template to these phones cost. */
export type CostEstimate = {
  category: null | string
  currency: string
  lines: CostLine[]
  messages: number
  total: number
  /** Messages the card has no price for (their cost is not in `total`). */
  unpriced: number
}

/** Counts one phone (E.164 digits) under its country calling code, for an estimate. */
export const tallyCallingCode = (counts: Map<string, number>, phone: string) => {
  const code = callingCodeOf(phone) ?? 'unknown'
  counts.set(code, (counts.get(code) ?? 0) + 1)
}

// Prices are small decimals: sums are rounded to a millionth so 0.1 + 0.2 reads 0.3.
const round = (n: number) => Math.round(n * 1e6) / 1e6

const isPriced = (category: null | string | undefined): category is PricedCategory =>
  category === 'MARKETING' || category === 'UTILITY' || category === 'AUTHENTICATION'

/** The card's price of one message of `category` to a calling code; its row, else the default row. */
const unitPrice = (card: RateCard, category: null | string | undefined, callingCode: string) =>
  isPriced(category)
    ? (card.rates[callingCode]?.[category] ?? card.rates.default[category])
    : undefined

/** One calling code and pricing category's share of an actual cost. */
export type ActualCostLine = { category: null | string } & CostLine

/** What the billable messages cost by the rate card, per calling code and Meta's pricing category. */
export type ActualCost = {
  currency: string
  lines: ActualCostLine[]
  messages: number
  total: number
  /** Billable messages the card has no price for (their cost is not in `total`). */
  unpriced: number
}

/**
 * The actual cost of a campaign: its billable messages, grouped by pricing category and phone
 * prefix (billableGroups), priced by the rate card.
 */
export const actualCost = (
  card: RateCard,
  groups: Array<{ category: null | string; count: number; prefix: string }>,
): ActualCost => {
  const merged = new Map<string, ActualCostLine>()
  for (const group of groups) {
    const callingCode = callingCodeOfPrefix(group.prefix) ?? 'unknown'
    const key = `${callingCode}/${group.category ?? ''}`
    const line = merged.get(key) ?? {
      callingCode,
      category: group.category,
      cost: 0,
      messages: 0,
      unitPrice: unitPrice(card, group.category, callingCode) ?? null,
    }
    line.messages += group.count
    line.cost = line.unitPrice === null ? 0 : round(line.unitPrice * line.messages)
    merged.set(key, line)
  }
  const lines = [...merged.values()].sort(
    (a, b) =>
      a.callingCode.localeCompare(b.callingCode) ||
      (a.category ?? '').localeCompare(b.category ?? ''),
  )
  return {
    currency: card.currency,
    lines,
    messages: lines.reduce((sum, line) => sum + line.messages, 0),
    total: round(lines.reduce((sum, line) => sum + line.cost, 0)),
    unpriced: lines.reduce((sum, line) => sum + (line.unitPrice === null ? line.messages : 0), 0),
  }
}

/** The estimate of sending a template of `category` to the tallied phones: a price per calling code. */
export const estimateCost = (
  card: RateCard,
  category: null | string | undefined,
  counts: ReadonlyMap<string, number>,
): CostEstimate => {
  const lines = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([callingCode, messages]): CostLine => {
      const price = unitPrice(card, category, callingCode)
      return {
        callingCode,
        cost: price === undefined ? 0 : round(price * messages),
        messages,
        unitPrice: price ?? null,
      }
    })
  return {
    category: category ?? null,
    currency: card.currency,
    lines,
    messages: lines.reduce((sum, line) => sum + line.messages, 0),
    total: round(lines.reduce((sum, line) => sum + line.cost, 0)),
    unpriced: lines.reduce((sum, line) => sum + (line.unitPrice === null ? line.messages : 0), 0),
  }
}
