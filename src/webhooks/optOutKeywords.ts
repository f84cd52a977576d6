/**
 * Whole-message opt-out words (English, French, Spanish, Portuguese, German, Italian, Dutch,
 * romanised Hindi), each unambiguous on its own: words that also answer other questions ("NO",
 * "END", "CANCEL" an order, "FIN", "ALTO") are left out. Accents are dropped before matching,
 * so ARRET also matches "Arrêt".
 */
export const defaultOptOutKeywords = [
  'STOP',
  'STOP ALL',
  'STOPALL',
  'UNSUBSCRIBE',
  'OPT OUT',
  'OPTOUT',
  'QUIT',
  'ARRET',
  'ARRETER',
  'DESABONNER',
  'DESINSCRIRE',
  'BAJA',
  'DARSE DE BAJA',
  'PARAR',
  'SAIR',
  'DESCADASTRAR',
  'STOPP',
  'ABMELDEN',
  'DISISCRIVIMI',
  'AFMELDEN',
  'BAND KARO',
]

/**
 * What a message is compared as: accents, punctuation and emoji dropped, spaces collapsed,
 * upper case. `stop.`, `Stop!`, ` STOP 🙏` and `Arrêt` become STOP, STOP, STOP and ARRET.
 */
export const normalizeKeyword = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .toLocaleUpperCase('en-US')

/** Meta's quick-reply button on marketing templates that stops marketing messages. */
export const isStopPromotionsButton = (text: string | undefined): boolean =>
  text !== undefined && normalizeKeyword(text) === 'STOP PROMOTIONS'
