import { randomUUID } from 'node:crypto'

/** A fresh id for one write, stamped on what it moves so a retry can tell whether it landed. */
export const opId = () => randomUUID()
