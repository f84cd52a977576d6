/** CHAOS_SCALE=full runs the full sizes; the default is what CI affords. */
export const fullScale = process.env.CHAOS_SCALE === 'full'

export const scale = (small: number, full: number) => (fullScale ? full : small)
