import { main } from './main';

// Process entry: `node dist/src/cli/run.js …` (bin/facilitator.js) or `tsx src/cli/run.ts …` (tests).
void main(process.argv);
