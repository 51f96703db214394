import { expect } from 'chai';
import type { Direction } from '../../src/facilitation/model';
import { countByDirectionAndState, pageOfDirection, SCAN_PAGE } from '../../src/status/direction-scan';

interface Row {
  id: number;
  direction: Direction;
  state: 'A' | 'B';
}

/** 2.5 scan pages of rows: every third a redeem, states alternating; counts the reads. */
function rows() {
  const all: Row[] = Array.from({ length: SCAN_PAGE * 2 + SCAN_PAGE / 2 }, (_, id) => ({ id, direction: id % 3 === 0 ? 'REDEEM' : 'STAKE', state: id % 2 === 0 ? 'A' : 'B' }));
  const reads: Array<{ first: number; skip: number }> = [];
  const list = async (first: number, skip: number) => {
    reads.push({ first, skip });
    return all.slice(skip, skip + first);
  };
  return { all, reads, list };
}

describe('direction scan (lists that cannot filter by direction)', () => {
  it('pages one direction across scan pages, skipping only that direction', async () => {
    const { all, list } = rows();
    const redeems = all.filter((r) => r.direction === 'REDEEM');
    const page = await pageOfDirection(list, 'REDEEM', { first: 10, skip: 340 });
    expect(page.map((r) => r.id)).to.deep.equal(redeems.slice(340, 350).map((r) => r.id));
    expect(page[0].id, 'past the first scan page').to.be.greaterThan(SCAN_PAGE);
  });

  it('returns what is left at the end, and nothing past it', async () => {
    const { all, list } = rows();
    const redeems = all.filter((r) => r.direction === 'REDEEM');
    expect((await pageOfDirection(list, 'REDEEM', { first: 100, skip: redeems.length - 3 })).map((r) => r.id)).to.deep.equal(redeems.slice(-3).map((r) => r.id));
    expect(await pageOfDirection(list, 'REDEEM', { first: 100, skip: redeems.length })).to.deep.equal([]);
  });

  it('stops reading once the page is full, and reads the list as is without a direction', async () => {
    const { list, reads } = rows();
    await pageOfDirection(list, 'STAKE', { first: 5, skip: 0 });
    expect(reads).to.deep.equal([{ first: SCAN_PAGE, skip: 0 }]);
    reads.length = 0;
    await pageOfDirection(list, undefined, { first: 7, skip: 3 });
    expect(reads).to.deep.equal([{ first: 7, skip: 3 }]);
  });

  it('counts every row once by direction and state, STAKE first', async () => {
    const { all, list } = rows();
    const expected = (direction: Direction, state: 'A' | 'B') => ({ direction, state, count: all.filter((r) => r.direction === direction && r.state === state).length });
    expect(await countByDirectionAndState(list)).to.deep.equal([expected('STAKE', 'A'), expected('STAKE', 'B'), expected('REDEEM', 'A'), expected('REDEEM', 'B')]);
  });
});
