import type { Executor, Transaction } from './executor.js';

/** A queue a transaction can leave work in (the WhatsApp outbox, pending refunds), named by its feature. */
export type WorkQueue = string;

type Listener = () => unknown;

/** The queues each open transaction of a UnitOfWork left work in; a transaction not opened by one has none. */
const queuedBy = new WeakMap<Transaction, Set<WorkQueue>>();

/**
 * Says that `trx` left work in `queue`: once it commits, whoever the composition registered for
 * that queue is woken (UnitOfWork.afterCommitOf). A rolled-back transaction wakes nobody.
 */
export function queueWork(trx: Transaction, queue: WorkQueue): void {
  queuedBy.get(trx)?.add(queue);
}

type BeforeCommit = () => Promise<void>;

/** Work each open transaction of a UnitOfWork runs last, just before it commits. */
const beforeCommitOf = new WeakMap<Transaction, BeforeCommit[]>();

/**
 * Runs `work` in `trx` after everything its writer did, just before the commit (the outbox
 * appends its events there, in one statement). Returns false when `trx` was not opened by a
 * UnitOfWork, which runs no such work: the caller must then do it at once.
 */
export function beforeCommit(trx: Transaction, work: BeforeCommit): boolean {
  const list = beforeCommitOf.get(trx);
  if (!list) return false;
  list.push(work);
  return true;
}

/**
 * The body of a UnitOfWork's transaction: `fn`, then the work it left for just before the
 * commit (work registered meanwhile runs too, in order). Queued work is collected in `queued`.
 */
async function runToCommit<T>(trx: Transaction, queued: Set<WorkQueue>, fn: (trx: Transaction) => Promise<T>): Promise<T> {
  queuedBy.set(trx, queued);
  const last: BeforeCommit[] = [];
  beforeCommitOf.set(trx, last);
  const value = await fn(trx);
  for (let i = 0; i < last.length; i++) await last[i]!();
  return value;
}

/**
 * Commit, then publish, in one place. `write(fn)` runs `fn` in a transaction, then the work it
 * left for just before the commit (beforeCommit); after it commits,
 * the listeners of every commit (the outbox relay) and those of each queue the transaction left
 * work in (queueWork) are woken. Features register listeners where the app is composed, so a
 * feature that queues work never imports the one that carries it out. Listeners only wake
 * background jobs: they run after the commit, never fail the write, and what they miss the
 * jobs' polls find.
 */
export class UnitOfWork {
  private readonly everyCommit: Listener[] = [];
  private readonly byQueue = new Map<WorkQueue, Listener[]>();

  constructor(
    /** For reads outside a transaction. */
    readonly reader: Executor,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Wakes `listener` after every committed write. */
  afterEveryCommit(listener: Listener): void {
    this.everyCommit.push(listener);
  }

  /** Wakes `listener` after each committed write that queued work in `queue`. */
  afterCommitOf(queue: WorkQueue, listener: Listener): void {
    this.byQueue.set(queue, [...(this.byQueue.get(queue) ?? []), listener]);
  }

  /** Runs `fn` in one transaction, then wakes the listeners of what it committed. */
  async write<T>(fn: (trx: Transaction) => Promise<T>): Promise<T> {
    const queued = new Set<WorkQueue>();
    const result = await this.reader.transaction().execute((trx) => runToCommit(trx, queued, fn));
    this.wake(this.everyCommit);
    for (const queue of queued) this.wake(this.byQueue.get(queue) ?? []);
    return result;
  }

  /**
   * Runs `fn` with a UnitOfWork whose writes all go into one transaction (its reads too, so they
   * see those writes), runs the work left for before the commit, then rolls everything back and
   * wakes nobody. A rehearsal: V8 compiles the code of a path and each of its statements reaches
   * the database once, and nothing is changed (sequences aside: ids drawn are not given back).
   */
  async rehearse(fn: (uow: UnitOfWork) => Promise<void>): Promise<void> {
    const rollBack = new Error('rehearsal: rolled back');
    try {
      await this.reader.transaction().execute(async (trx) => {
        await runToCommit(trx, new Set(), () => fn(new RehearsalUnitOfWork(trx)));
        throw rollBack;
      });
    } catch (err) {
      if (err !== rollBack) throw err;
    }
  }

  private wake(listeners: readonly Listener[]): void {
    for (const listener of listeners) {
      try {
        void Promise.resolve(listener()).catch(this.onError);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

/** The UnitOfWork a rehearsal hands out: every write joins the rehearsal's one transaction. */
class RehearsalUnitOfWork extends UnitOfWork {
  constructor(private readonly trx: Transaction) {
    super(trx);
  }

  override write<T>(fn: (trx: Transaction) => Promise<T>): Promise<T> {
    return fn(this.trx);
  }

  override rehearse(): Promise<void> {
    return Promise.reject(new Error('a rehearsal does not nest'));
  }
}
