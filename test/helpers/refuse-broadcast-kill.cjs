/* global process */
'use strict';
/*
 * Preloaded (NODE_OPTIONS=--require) into the `facilitator stop` processes of tests that feed it pids
 * 0, 1 and negative ones: should a regression let such a pid through, process.kill(-1) would signal
 * every process of the user (pid 0: the process group; 1: init). Here it throws instead.
 */
const original = process.kill.bind(process);
process.kill = function guardedKill(pid, signal) {
  if (!Number.isInteger(pid) || pid <= 1) {
    throw new Error(`test guard: process.kill(${pid}) refused (it would signal init, a process group or every process)`);
  }
  return original(pid, signal);
};
