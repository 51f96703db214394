import { readFileSync } from 'node:fs';

/**
 * Which process a run file names, beyond its pid (pids are reused): its start time in clock ticks
 * since boot and its command line, both from /proc (Linux). Another process that later got the same
 * pid has another start time.
 */
export interface ProcessIdentity {
  startTicks: string;
  cmdline: string;
}

/** The identity of a live process, or undefined when /proc has no such process (or no /proc at all). */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = fields[19]; // field 22 of stat: starttime
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    return startTicks === undefined ? undefined : { startTicks, cmdline };
  } catch {
    return undefined;
  }
}

