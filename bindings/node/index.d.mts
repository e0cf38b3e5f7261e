// Types of the ESM entry (index.mjs): the same declarations as the CommonJS entry's index.d.ts,
// re-exported so that there is one source; `tsc` checks both (test/types.mts imports this file).
export * from './index.js';
import { Client } from './index.js';
export default Client;
