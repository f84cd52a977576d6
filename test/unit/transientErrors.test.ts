import { describe, expect, test } from 'vitest'

import { isTransientDatabaseError } from '../../src/store/transientErrors.js'

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code })

describe('isTransientDatabaseError', () => {
  test('dropped connections and unreachable servers, on MongoDB and Postgres', () => {
    const network = new Error('connection 7 closed')
    network.name = 'MongoNetworkError'
    expect(isTransientDatabaseError(network)).toBe(true)
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isTransientDatabaseError(withCode('ECONNREFUSED'))).toBe(true)
    expect(isTransientDatabaseError(withCode('57P01', 'terminating connection'))).toBe(true)
    expect(isTransientDatabaseError(withCode('08006'))).toBe(true)
  })

  test('errors that a retry cannot fix are not transient', () => {
    expect(isTransientDatabaseError(withCode('23505', 'duplicate key'))).toBe(false)
    expect(isTransientDatabaseError(withCode('42P01', 'relation does not exist'))).toBe(false)
    expect(isTransientDatabaseError(new Error('Connection string is invalid'))).toBe(false)
    expect(isTransientDatabaseError('ECONNRESET')).toBe(false)
  })
})
