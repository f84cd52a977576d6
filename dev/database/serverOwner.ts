import { MongoClient } from 'mongodb'

/** Where an embedded server records who started it; never saved to its data file. */
export const ownerDatabase = 'embedded-db-owner'
const ownerCollection = 'owner'
type OwnerDocument = { owner: string }

/** Records `owner` (e.g. a checkout's folder) in the fresh server `client` is connected to. */
export const markOwner = async (client: MongoClient, owner: string) => {
  await client.db(ownerDatabase).collection<OwnerDocument>(ownerCollection).insertOne({ owner })
}

/**
 * Who started the MongoDB server at `uri` (undefined: a server with no owner recorded). Throws
 * when nothing answers there as a MongoDB server would.
 */
export const readOwner = async (uri: string): Promise<string | undefined> => {
  const client = await MongoClient.connect(uri, {
    connectTimeoutMS: 3000,
    serverSelectionTimeoutMS: 3000,
  })
  try {
    const marker = await client
      .db(ownerDatabase)
      .collection<OwnerDocument>(ownerCollection)
      .findOne({})
    return marker?.owner
  } finally {
    await client.close()
  }
}
