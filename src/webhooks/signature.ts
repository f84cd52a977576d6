import { createHmac, timingSafeEqual } from 'node:crypto'

/** Compares two strings in time independent of where they differ. */
export const safeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Meta's X-Hub-Signature-256: "sha256=" + hex HMAC-SHA256 of the exact raw body with the app secret. */
export const signatureMatches = (rawBody: string, header: null | string, appSecret: string) => {
  if (!header || !appSecret) {
    return false
  }
  const expected = `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`
  return safeEqual(header.trim(), expected)
}
