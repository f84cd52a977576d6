/**
 * CongoDB answers every find, update, delete and aggregate by testing each document of the
 * collection with mingo, whose `$in` hashes the whole list again for every document: a read of
 * 1,000 message ids over 50,000 events costs 50 million hashes. A real MongoDB uses its indexes.
 *
 * `narrowDocuments` drops, with one Set lookup per document, the documents a filter's top-level
 * equality or `$in` on a plain value (string, number, boolean, ObjectId) rules out, and leaves
 * everything else to mingo as before. It only removes documents that cannot match, so results
 * are unchanged (test/unit/congoPrefilter.test.ts checks it against mingo).
 */
type Doc = Record<string, unknown>

/** A value's identity for equality, or undefined when only mingo can compare it. */
const keyOf = (value: unknown): string | undefined => {
  switch (typeof value) {
    case 'boolean':
      return `b${value}`
    case 'number':
      return Number.isNaN(value) ? undefined : `n${value}`
    case 'object': {
      const id = value as { _bsontype?: unknown; toHexString?: () => string } | null
      return id?._bsontype === 'ObjectId' && id.toHexString ? `o${id.toHexString()}` : undefined
    }
    case 'string':
      return `s${value}`
    default:
      return undefined
  }
}

/** The keys a field must hold for the condition to match, or undefined when it is not that simple. */
const requiredKeys = (condition: unknown): Set<string> | undefined => {
  const single = keyOf(condition)
  if (single !== undefined) {
    return new Set([single])
  }
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    return undefined
  }
  const operators = condition as Record<string, unknown>
  const list = '$in' in operators ? operators.$in : '$eq' in operators ? [operators.$eq] : undefined
  if (!Array.isArray(list)) {
    return undefined
  }
  const keys = new Set<string>()
  for (const value of list) {
    const key = keyOf(value)
    if (key === undefined) {
      return undefined // null, a regex or a document: mingo's own rules apply
    }
    keys.add(key)
  }
  return keys
}

const MAYBE = Symbol('maybe')

/** The value at a dotted path, or MAYBE where an array or a non-plain value makes it mingo's call. */
const valueAt = (doc: Doc, path: string[]): unknown => {
  let value: unknown = doc
  for (const segment of path) {
    if (value === undefined || value === null) {
      return undefined
    }
    if (typeof value !== 'object' || Array.isArray(value) || keyOf(value) !== undefined) {
      return MAYBE
    }
    value = (value as Doc)[segment]
  }
  return value
}

type Clause = { keys: Set<string>; path: string[] }

const clausesOf = (filter: Doc, into: Clause[] = []): Clause[] => {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const part of condition) {
        if (typeof part === 'object' && part !== null) {
          clausesOf(part as Doc, into)
        }
      }
      continue
    }
    if (field.startsWith('$')) {
      continue
    }
    const keys = requiredKeys(condition)
    if (keys) {
      into.push({ keys, path: field.split('.') })
    }
  }
  return into
}

const mayMatch = (doc: Doc, { keys, path }: Clause) => {
  const value = valueAt(doc, path)
  if (value === MAYBE || Array.isArray(value)) {
    return true
  }
  if (value === undefined || value === null) {
    return false // no key is null, and a missing field equals only null
  }
  const key = keyOf(value)
  return key === undefined || keys.has(key)
}

export const narrowDocuments = <T extends Doc>(documents: T[], filter: unknown): T[] => {
  if (typeof filter !== 'object' || filter === null) {
    return documents
  }
  const clauses = clausesOf(filter as Doc)
  return clauses.length === 0
    ? documents
    : documents.filter((doc) => clauses.every((clause) => mayMatch(doc, clause)))
}
