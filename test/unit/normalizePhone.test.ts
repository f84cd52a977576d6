import { describe, expect, test } from 'vitest'

import { normalizePhone } from '../../src/audience/normalizePhone.js'

describe('normalizePhone', () => {
  test.each([
    ['+91 98765 43210', '91', '919876543210'],
    ['0091-98765-43210', '1', '919876543210'],
    ['(+44) 7911 123456', '91', '447911123456'],
    // Local numbers get the default calling code, trunk zeros dropped.
    ['098765 43210', '91', '919876543210'],
    ['9876543210', '+91', '919876543210'],
    // Already written with the default calling code.
    ['919876543210', '91', '919876543210'],
    // International without "+": not valid as a local Indian number.
    ['447911123456', '91', '447911123456'],
    [9876543210, '91', '919876543210'],
  ])('%s with default calling code %s is %s', (raw, cc, expected) => {
    expect(normalizePhone(raw, cc)).toEqual({ ok: true, phone: expected })
  })

  test.each([
    [undefined, 'No phone number.'],
    ['', 'No phone number.'],
    [{ phone: 1 }, 'The phone is not text or a whole number.'],
    [98765.5, 'The phone is not text or a whole number.'],
    ['call me', '"call me" is not a phone number.'],
    ['+99 1234 5678', '"+99 1234 5678" is not a valid international phone number.'],
    ['12345', '"12345" is not a valid phone number (local numbers get +91).'],
  ])('refuses %s with a message', (raw, error) => {
    expect(normalizePhone(raw, '91')).toEqual({ error, ok: false })
  })

  test('shortens long input in its message', () => {
    const result = normalizePhone('x'.repeat(100), '91')
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toBe(`"${'x'.repeat(40)}…" is not a phone number.`)
  })
})
