import { defineMatrixShard } from './support/shard';

// One shard of the fault matrix, generated from test/reliability/support/operations.ts.
defineMatrixShard(11);
