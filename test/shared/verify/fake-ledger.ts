import type { RunState } from '../../../shared/chunks/chunk-state.js';
import type { ChunkQuery, ChunkRecord, Ledger, RunRecord } from '../../../shared/ports/ledger.js';

/** The ledger reads verify() makes, over fixed runs and chunks; every write is refused. */
export class FakeLedger implements Ledger {
  constructor(
    private readonly runs: readonly RunRecord[],
    private readonly chunks: readonly ChunkRecord[],
  ) {}

  listRuns(options?: { states?: readonly RunState[]; limit?: number }): Promise<RunRecord[]> {
    return Promise.resolve(this.runs.filter((r) => !options?.states || options.states.includes(r.state)));
  }

  listChunks(query: ChunkQuery): Promise<ChunkRecord[]> {
    return Promise.resolve(
      this.chunks.filter(
        (c) =>
          (!query.table || c.table === query.table) &&
          (!query.mode || c.mode === query.mode) &&
          (!query.states || query.states.includes(c.state)) &&
          (!query.runId || c.runIds.includes(query.runId)),
      ),
    );
  }

  getRun(runId: string): Promise<RunRecord | null> {
    return Promise.resolve(this.runs.find((r) => r.id === runId) ?? null);
  }

  getChunks(ids: readonly string[]): Promise<ChunkRecord[]> {
    return Promise.resolve(this.chunks.filter((c) => ids.includes(c.id)));
  }

  createRun(): never {
    throw new Error('verify() must not write to the ledger');
  }
  updateRun(): never {
    throw new Error('verify() must not write to the ledger');
  }
  countChunks(): never {
    throw new Error('not used by verify()');
  }
  countChunksByTable(): never {
    throw new Error('not used by verify()');
  }
  transition(): never {
    throw new Error('verify() must not write to the ledger');
  }
  getState(): never {
    throw new Error('not used by verify()');
  }
  putState(): never {
    throw new Error('verify() must not write to the ledger');
  }
  async close(): Promise<void> {}
}
