import { describe, expect, test } from 'vitest'

import { createSecretCipher } from '../../src/collections/secretCipher.js'

describe('account secrets at rest', () => {
  const cipher = createSecretCipher('the site key')

  test('round trip; a fresh IV each time; tampering is detected', () => {
    const a = cipher.encrypt('EAAG-token')
    const b = cipher.encrypt('EAAG-token')
    expect(a).toMatch(/^enc:v1:/)
    expect(a).not.toBe(b)
    expect(a).not.toContain('EAAG-token')
    expect(cipher.decrypt(a)).toBe('EAAG-token')
    expect(cipher.encrypt(a)).toBe(a)
    const tampered = `${a.slice(0, -2)}${a.endsWith('A') ? 'B' : 'A'}=`
    expect(() => cipher.decrypt(tampered)).toThrow(/cannot be decrypted/)
  })

  test('a wrong or missing key is a clear error; without a key values stay plain', () => {
    const stored = cipher.encrypt('secret')
    expect(() => createSecretCipher('another key').decrypt(stored)).toThrow(/cannot be decrypted/)
    expect(() => createSecretCipher(undefined).decrypt(stored)).toThrow(/no encryption key/)
    expect(createSecretCipher(undefined).encrypt('plain')).toBe('plain')
    expect(cipher.decrypt('saved before the key was set')).toBe('saved before the key was set')
  })
})
