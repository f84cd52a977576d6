import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const prefix = 'enc:v1:'

/**
 * AES-256-GCM for account secrets at rest. The key comes from the environment or the plugin
 * option; any string works, it is hashed to 32 bytes. Stored form: enc:v1:<iv>:<tag>:<data>.
 */
export type SecretCipher = {
  decrypt: (stored: string) => string
  encrypt: (plain: string) => string
}

export const isEncrypted = (value: string) => value.startsWith(prefix)

export const createSecretCipher = (key: string | undefined): SecretCipher => {
  const keyBytes = key ? createHash('sha256').update(key).digest() : undefined
  return {
    decrypt: (stored) => {
      if (!isEncrypted(stored)) {
        return stored
      }
      if (!keyBytes) {
        throw new Error(
          'whatsapp-campaigns: account secrets are encrypted, but no encryption key is set (WHATSAPP_CAMPAIGNS_ENCRYPTION_KEY or the encryptionKey option).',
        )
      }
      const [iv, tag, data] = stored.slice(prefix.length).split(':')
      try {
        const decipher = createDecipheriv('aes-256-gcm', keyBytes, Buffer.from(iv, 'base64'))
        decipher.setAuthTag(Buffer.from(tag, 'base64'))
        return Buffer.concat([
          decipher.update(Buffer.from(data, 'base64')),
          decipher.final(),
        ]).toString('utf8')
      } catch {
        throw new Error(
          'whatsapp-campaigns: an account secret cannot be decrypted with the configured encryption key.',
        )
      }
    },
    encrypt: (plain) => {
      if (!keyBytes || isEncrypted(plain)) {
        return plain
      }
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', keyBytes, iv)
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      return `${prefix}${[iv, cipher.getAuthTag(), data].map((b) => b.toString('base64')).join(':')}`
    },
  }
}
