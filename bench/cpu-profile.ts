import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

/** Stops the profile and writes it as `<dir>/<name>-<time>.cpuprofile` (open in Chrome DevTools). */
export type StopProfile = () => Promise<string | undefined>;

/**
 * Profiles this process's CPU from now until the returned function is called, when BENCH_CPU_PROF=<dir>
 * is set (otherwise does nothing): the phase a bench measures, without its set-up.
 */
export async function profilePhase(name: string): Promise<StopProfile> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const file = join(dir, `${name}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}
