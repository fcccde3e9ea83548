import type { Db } from '../db/connect';

/** What a query needs: the database, nothing that writes or publishes. */
export interface Reader {
  db: Db;
}
