/**
 * transient: Meta or the network failed; the same request may succeed later.
 * throttle: too many messages; slow down, then retry.
 * account: Meta stopped the account or number; every campaign on it must pause until fixed.
 * template: Meta stopped the template; every campaign using it must pause until fixed.
 * permanent: this recipient cannot get this message; retrying changes nothing.
 */
export type ErrorKind = 'account' | 'permanent' | 'template' | 'throttle' | 'transient'

// 1 unknown, 2 service unavailable, 131000 something went wrong, 131016 service overloaded.
const transientCodes = new Set([1, 2, 131000, 131016])
// 4 app rate limit, 613 calls limit, 80007 WABA rate limit, 130429 throughput, 131056 pair rate limit.
const throttleCodes = new Set([4, 613, 80007, 130429, 131056])
// 10 permission denied, 190 token expired or invalid, 200 permissions, 368 restricted for policy
// violations, 131031 account locked, 131045 unregistered number, 131048 spam rate limit,
// 132001 template missing in that language. Each further send would be refused (or worsen the block).
const accountCodes = new Set([10, 190, 200, 368, 131031, 131045, 131048, 132001])
// 132015 template paused, 132016 template disabled (for low quality).
const templateCodes = new Set([132015, 132016])

export const classifyMetaError = ({
  code,
  httpStatus,
  network,
  timedOut,
}: {
  code?: number
  httpStatus?: number
  network?: boolean
  timedOut?: boolean
}): ErrorKind => {
  if (timedOut || network) {
    return 'transient'
  }
  if (code !== undefined) {
    if (throttleCodes.has(code)) {
      return 'throttle'
    }
    if (accountCodes.has(code)) {
      return 'account'
    }
    if (templateCodes.has(code)) {
      return 'template'
    }
    if (transientCodes.has(code)) {
      return 'transient'
    }
  }
  if (httpStatus === 401) {
    return 'account'
  }
  if (httpStatus === 429) {
    return 'throttle'
  }
  if (httpStatus !== undefined && httpStatus >= 500) {
    return 'transient'
  }
  // Everything else Meta refuses is about this message to this recipient (131026, 131049, 132000, 100, ...).
  return 'permanent'
}

/** Whether "Retry failed" should send a recipient that failed this way again. */
export const isRetryableFailure = (kind: ErrorKind) => kind === 'transient' || kind === 'throttle'
