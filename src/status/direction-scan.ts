import { DIRECTIONS, type Direction } from '../facilitation/model';
import type { Page, StateCount } from './status-source';

/*
 * Direction filters and counts for stores whose lists cannot filter by direction yet: the list is read in
 * pages of SCAN_PAGE rows, in the store's order, and only one page is held at a time. Offsets shift while
 * records are inserted, as they do for any offset paging: a scan during inserts may see a row twice.
 */

/** Rows read per query while scanning. */
export const SCAN_PAGE = 1000;

/** Reads `first` records from offset `skip`, in the store's order. */
export type ListPage<T> = (first: number, skip: number) => Promise<T[]>;

/** One page of one direction's records (all directions when `direction` is undefined). */
export async function pageOfDirection<T extends { direction: Direction }>(list: ListPage<T>, direction: Direction | undefined, page: Page): Promise<T[]> {
  if (direction === undefined) return list(page.first, page.skip);
  let toSkip = page.skip;
  const kept: T[] = [];
  for (let offset = 0; kept.length < page.first; offset += SCAN_PAGE) {
    const rows = await list(SCAN_PAGE, offset);
    for (const row of rows.filter((r) => r.direction === direction)) {
      if (toSkip > 0) toSkip--;
      else if (kept.length < page.first) kept.push(row);
    }
    if (rows.length < SCAN_PAGE) break;
  }
  return kept;
}

/** Records by direction and state, STAKE first, then by state name. */
export async function countByDirectionAndState<State extends string>(list: ListPage<{ direction: Direction; state: State }>): Promise<Array<StateCount<State>>> {
  const counts = new Map<string, StateCount<State>>();
  for (let offset = 0; ; offset += SCAN_PAGE) {
    const rows = await list(SCAN_PAGE, offset);
    for (const { direction, state } of rows) {
      const key = `${direction}:${state}`;
      const count = counts.get(key) ?? { direction, state, count: 0 };
      count.count++;
      counts.set(key, count);
    }
    if (rows.length < SCAN_PAGE) break;
  }
  return [...counts.values()].sort(
    (a, b) => DIRECTIONS.indexOf(a.direction) - DIRECTIONS.indexOf(b.direction) || a.state.localeCompare(b.state),
  );
}
