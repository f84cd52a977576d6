import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max'

export type PhoneResult = { error: string; ok: false } | { ok: true; phone: string }

const shown = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text)

const valid = (international: string) => {
  const parsed = parsePhoneNumberFromString(international)
  return parsed?.isValid() ? parsed.number.slice(1) : undefined
}

/**
 * A phone as E.164 digits without "+", e.g. "919876543210". "+" or "00" mark an international
 * number; otherwise digits that begin with the default calling code and form a valid number
 * are taken as written with it, then as a local number (trunk zeros dropped) given the default
 * calling code, then as an international number written without "+" (e.g. 447700900123).
 */
export const normalizePhone = (raw: unknown, defaultCountryCode: string): PhoneResult => {
  if (raw === undefined || raw === null || raw === '') {
    return { error: 'No phone number.', ok: false }
  }
  if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isInteger(raw))) {
    return { error: 'The phone is not text or a whole number.', ok: false }
  }
  const text = String(raw).trim()
  const compact = text.replace(/[\s().\-/]/g, '')
  if (!/^(?:\+|00)?\d{4,17}$/.test(compact)) {
    return { error: `"${shown(text)}" is not a phone number.`, ok: false }
  }
  if (compact.startsWith('+') || compact.startsWith('00')) {
    const phone = valid(`+${compact.replace(/^\+|^00/, '')}`)
    return phone
      ? { ok: true, phone }
      : { error: `"${shown(text)}" is not a valid international phone number.`, ok: false }
  }
  const cc = defaultCountryCode.replace(/\D/g, '')
  const phone =
    (compact.startsWith(cc) ? valid(`+${compact}`) : undefined) ??
    valid(`+${cc}${compact.replace(/^0+/, '')}`) ??
    valid(`+${compact}`)
  return phone
    ? { ok: true, phone }
    : {
        error: `"${shown(text)}" is not a valid phone number (local numbers get +${cc}).`,
        ok: false,
      }
}

/** The country calling code of E.164 digits ("919876543210" -> "91"); undefined if none fits. */
export const callingCodeOf = (phone: string): string | undefined =>
  parsePhoneNumberFromString(`+${phone}`)?.countryCallingCode

let callingCodes: Set<string> | undefined

/**
 * The country calling code a phone's first digits start with (calling codes are prefix-free
 * and at most three digits, so three digits tell), for counts grouped by prefix in the database.
 */
export const callingCodeOfPrefix = (digits: string): string | undefined => {
  callingCodes ??= new Set(getCountries().map((country) => getCountryCallingCode(country)))
  return [1, 2, 3].map((n) => digits.slice(0, n)).find((code) => callingCodes!.has(code))
}
