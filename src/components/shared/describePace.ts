/** The Run summary's pace, as GET /api/<campaigns>/:id/audience answers it. */
export type Pace = {
  days: number
  limit: null | number
  messagesPerSecond: number
  messagingLimit: null | string
  now: number
  restFrom: null | string
  sendSeconds: number
}

const count = (n: number) => n.toLocaleString('en-US')

const duration = (seconds: number) =>
  seconds < 90
    ? `${seconds} s`
    : seconds < 90 * 60
      ? `${Math.round(seconds / 60)} min`
      : `${Math.round(seconds / 3600)} h`

/** "today 14:05", "tomorrow 14:05", or the date and time, in the browser's time zone. */
export const localMoment = (iso: string, now = new Date()) => {
  const at = new Date(iso)
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  const days = Math.round((day(at) - day(now)) / 86_400_000)
  return days === 0
    ? `today ${time}`
    : days === 1
      ? `tomorrow ${time}`
      : `${at.toLocaleDateString()} ${time}`
}

/**
 * "1,000 recipients: 250 now, the rest from tomorrow 14:05; about 4 days at tier 250. About
 * 13 s of sending at 80 messages/s per number."
 */
export const describePace = (audienceSize: number, pace: Pace, now = new Date()) => {
  const rate = `About ${duration(pace.sendSeconds)} of sending at ${count(pace.messagesPerSecond)} messages/s per number.`
  if (pace.limit === null) {
    return pace.messagingLimit
      ? rate
      : `${rate} No messaging limit is set on this number (Sync templates reads it from Meta).`
  }
  const tier = `tier ${count(pace.limit)}`
  if (!pace.restFrom) {
    return `${count(audienceSize)} recipients, all within the messaging limit (${tier}). ${rate}`
  }
  const first = pace.now > 0 ? `${count(pace.now)} now, the rest` : 'none now: the window is full;'
  return `${count(audienceSize)} recipients: ${first} from ${localMoment(pace.restFrom, now)}; about ${pace.days} day${pace.days === 1 ? '' : 's'} at ${tier}. ${rate}`
}
