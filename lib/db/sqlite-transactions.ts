import type {
  ConnectionInfo,
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { processSingleton } from '@/lib/server/singleton';

/**
 * better-sqlite3 is one connection. The Prisma adapter queues interactive transactions behind each other,
 * but not plain queries: one issued while a transaction is open (BEGIN ... awaits ... COMMIT) runs inside
 * it, and a rollback silently undoes it (another request's job update, say). Here plain queries wait until
 * the open transaction ends. A query is run in the same tick as that check, and better-sqlite3 runs it
 * synchronously, so nothing can slip in between.
 */
class TransactionGate {
  open: Promise<void> | undefined;

  async enter(): Promise<() => void> {
    while (this.open) await this.open;
    let release!: () => void;
    this.open = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.open = undefined;
      release();
    };
  }
}

class GatedTransaction implements Transaction {
  constructor(
    private readonly inner: Transaction,
    private readonly release: () => void,
  ) {}

  get provider() {
    return this.inner.provider;
  }
  get adapterName() {
    return this.inner.adapterName;
  }
  get options() {
    return this.inner.options;
  }
  queryRaw(query: SqlQuery) {
    return this.inner.queryRaw(query);
  }
  executeRaw(query: SqlQuery) {
    return this.inner.executeRaw(query);
  }
  async commit() {
    try {
      await this.inner.commit();
    } finally {
      this.release();
    }
  }
  async rollback() {
    try {
      await this.inner.rollback();
    } finally {
      this.release();
    }
  }
  createSavepoint(name: string) {
    return this.inner.createSavepoint?.(name) ?? Promise.resolve();
  }
  rollbackToSavepoint(name: string) {
    return this.inner.rollbackToSavepoint?.(name) ?? Promise.resolve();
  }
  releaseSavepoint(name: string) {
    return this.inner.releaseSavepoint?.(name) ?? Promise.resolve();
  }
}

class GatedAdapter implements SqlDriverAdapter {
  readonly getConnectionInfo?: () => ConnectionInfo;

  constructor(
    private readonly inner: SqlDriverAdapter,
    private readonly gate: TransactionGate,
  ) {
    // Only where the adapter has it: Prisma reads its absence as "use the defaults".
    if (inner.getConnectionInfo) this.getConnectionInfo = () => (inner.getConnectionInfo as () => ConnectionInfo)();
  }

  get provider() {
    return this.inner.provider;
  }
  get adapterName() {
    return this.inner.adapterName;
  }
  async queryRaw(query: SqlQuery) {
    while (this.gate.open) await this.gate.open;
    return this.inner.queryRaw(query);
  }
  async executeRaw(query: SqlQuery) {
    while (this.gate.open) await this.gate.open;
    return this.inner.executeRaw(query);
  }
  async executeScript(script: string) {
    while (this.gate.open) await this.gate.open;
    return this.inner.executeScript(script);
  }
  async startTransaction(isolationLevel?: IsolationLevel) {
    const release = await this.gate.enter();
    try {
      return new GatedTransaction(await this.inner.startTransaction(isolationLevel), release);
    } catch (error) {
      release();
      throw error;
    }
  }
  dispose() {
    return this.inner.dispose();
  }
}

/**
 * One gate per database file, shared by every connection this process opens to it (the app's and the
 * telemetry writer's own). better-sqlite3 waits for a lock synchronously, blocking the event loop: a write
 * on one connection while another connection of the same process sits in an open transaction would wait
 * for a commit that cannot run until the wait gives up (seconds, then "database is locked"). Waiting at the
 * gate instead is asynchronous, so the transaction finishes first.
 */
const gates = () => processSingleton('sqlite-transaction-gates', () => new Map<string, TransactionGate>());

function gateOf(file: string): TransactionGate {
  let gate = gates().get(file);
  if (!gate) {
    gate = new TransactionGate();
    gates().set(file, gate);
  }
  return gate;
}

/**
 * Resolves once no transaction opened through withExclusiveTransactions is open on `file`, for a write on
 * another connection of this process (sqlite-bulk.ts). The write must start in the same tick, synchronously.
 */
export async function afterOpenTransactions(file: string): Promise<void> {
  const gate = gateOf(file);
  while (gate.open) await gate.open;
}

/**
 * Holds the gate of `file` as an open transaction does, for a write committed elsewhere (the writer thread of
 * sqlite-writer.ts): meanwhile this process's queries and transactions on the file wait asynchronously
 * instead of spinning in SQLite's busy handler on the event loop. Returns the release.
 */
export function enterTransactionGate(file: string): Promise<() => void> {
  return gateOf(file).enter();
}

/**
 * Wraps the better-sqlite3 adapter factory of the database file `file` so plain queries never run inside,
 * or against, another caller's open transaction in this process.
 *
 * The database stays in SQLite's default rollback-journal mode, not WAL: Prisma's schema engine applies
 * migrations under `PRAGMA locking_mode=EXCLUSIVE`, which in WAL mode fails with SQLITE_BUSY while any
 * other connection has the file open (a restart next to a reader would not start).
 */
export function withExclusiveTransactions(factory: SqlDriverAdapterFactory, file: string): SqlDriverAdapterFactory {
  const shared = gateOf(file);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => new GatedAdapter(await factory.connect(), shared),
  };
}
