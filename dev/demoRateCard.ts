import type { RateCard } from '../src/index.js'

/**
 * The dev app's rate card, so the Run confirmation and analytics show an estimated cost. The
 * prices are placeholders to show the shape, not Meta's: a site copies its own.
 */
export const demoRateCard: RateCard = {
  currency: 'USD',
  rates: {
    '44': { AUTHENTICATION: 0.03, MARKETING: 0.05, UTILITY: 0.02 },
    '91': { AUTHENTICATION: 0.001, MARKETING: 0.01, UTILITY: 0.002 },
    default: { AUTHENTICATION: 0.01, MARKETING: 0.04, UTILITY: 0.01 },
  },
}
