/**
 * Where autosaved plans live: one record per series (key: SeriesInstanceUID)
 * in IndexedDB, and a second object store for records that could not be
 * read back (kept aside for support, never deleted by the app).
 *
 * Raw IndexedDB rather than a wrapper library: the app needs three calls
 * (get, put, add) on two object stores, which is about sixty lines here and
 * no new dependency. The autosave logic (planAutosave.ts) sees only the
 * `PlanRecordStore` interface, so it is unit-tested with an in-memory store.
 */

/** What is stored per series. `plan` is unknown until validated (planSchema). */
export type PlanRecord = {
  seriesUid: string;
  savedAtIso: string;
  /** The store's revision when saved (per page session: a counter, not an identity). */
  revision: number;
  plan: unknown;
};

/** A record that failed validation, with why and when it was set aside. */
export type AsideRecord = { seriesUid: string; reason: string; setAsideAtIso: string; record: unknown };

export interface PlanRecordStore {
  get(seriesUid: string): Promise<unknown>;
  put(record: PlanRecord): Promise<void>;
  putAside(record: AsideRecord): Promise<void>;
  /** Records set aside for a series (oldest first). */
  listAside(seriesUid: string): Promise<AsideRecord[]>;
  close(): void;
}

export const PLAN_DB_NAME = 'pelvic-screw-planner';
const DB_VERSION = 1;
const PLANS = 'plans';
const ASIDE = 'plansAside';

const promised = <T>(req: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });

const committed = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted (storage full?)'));
  });

export function createIndexedDbPlanRecords(factory: IDBFactory = indexedDB, name = PLAN_DB_NAME): PlanRecordStore {
  let db: IDBDatabase | null = null;
  const open = (): Promise<IDBDatabase> => {
    if (db) return Promise.resolve(db);
    const req = factory.open(name, DB_VERSION);
    req.onupgradeneeded = () => {
      const d = req.result;
      if (!d.objectStoreNames.contains(PLANS)) d.createObjectStore(PLANS, { keyPath: 'seriesUid' });
      if (!d.objectStoreNames.contains(ASIDE)) d.createObjectStore(ASIDE, { autoIncrement: true }).createIndex('seriesUid', 'seriesUid');
    };
    return promised(req).then((d) => {
      db = d;
      // Another tab upgrading the schema: let it, and reopen on next use.
      d.onversionchange = () => {
        d.close();
        db = null;
      };
      return d;
    });
  };
  return {
    async get(seriesUid) {
      const d = await open();
      return promised(d.transaction(PLANS, 'readonly').objectStore(PLANS).get(seriesUid));
    },
    async put(record) {
      const d = await open();
      // 'strict' durability: the write reaches disk before the transaction completes (a killed tab keeps it).
      const tx = d.transaction(PLANS, 'readwrite', { durability: 'strict' });
      tx.objectStore(PLANS).put(record);
      await committed(tx);
    },
    async putAside(record) {
      const d = await open();
      const tx = d.transaction(ASIDE, 'readwrite', { durability: 'strict' });
      tx.objectStore(ASIDE).add(record);
      await committed(tx);
    },
    async listAside(seriesUid) {
      const d = await open();
      return promised(d.transaction(ASIDE, 'readonly').objectStore(ASIDE).index('seriesUid').getAll(seriesUid)) as Promise<AsideRecord[]>;
    },
    close() {
      db?.close();
      db = null;
    },
  };
}

/** The same interface in memory (unit tests; a browser without IndexedDB). */
export function createMemoryPlanRecords(): PlanRecordStore & { raw: Map<string, unknown>; aside: AsideRecord[] } {
  const raw = new Map<string, unknown>();
  const aside: AsideRecord[] = [];
  return {
    raw,
    aside,
    get: async (uid) => structuredClone(raw.get(uid)),
    put: async (r) => void raw.set(r.seriesUid, structuredClone(r)),
    putAside: async (r) => void aside.push(structuredClone(r)),
    listAside: async (uid) => aside.filter((r) => r.seriesUid === uid),
    close() {},
  };
}
