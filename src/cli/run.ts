import { main } from './main';

// Process entry: `node dist/src/cli/run.js …` (bin/facilitator.js) or `tsx src/cli/run.ts …` (tests).
// Exit explicitly once the command is done: open handles (sockets, timers) must not keep it alive.
main(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  () => process.exit(1),
);
