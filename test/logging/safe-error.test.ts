import { expect } from 'chai';
import { describeError } from '../../src/logging/safe-error';

const SECRET = `0x${'5e'.repeat(32)}`;

describe('errors described for logs, storage and APIs', () => {
  it('drops the SQL and its values that Knex puts before a driver error', () => {
    const knexError = new Error(`insert into \`messages\` (\`unlock_secret\`, \`worker\`) values ('${SECRET}', '0xabc') - SQLITE_BUSY: database is locked`);
    const text = describeError(knexError);
    expect(text).to.equal('[sql omitted] - SQLITE_BUSY: database is locked');
    expect(text).not.to.include(SECRET.slice(2, 20));
  });

  it('cuts 32-byte values and long hex out of any message', () => {
    const text = describeError(new TypeError(`bad key ${SECRET} in 0x${'ab'.repeat(100)}`));
    expect(text).to.equal('TypeError: bad key 0x[32 bytes omitted] in 0x[data omitted]');
  });

  it('keeps only the scheme and host of URLs (API keys live in paths, queries and credentials)', () => {
    const text = describeError(new Error('fetch failed for https://user:pw@mainnet.infura.io/v3/0123456789abcdef0123456789abcdef?key=x'));
    expect(text).to.equal('fetch failed for https://mainnet.infura.io/…');
  });

  it('bounds the length', () => {
    expect(describeError(new Error('x'.repeat(1000))).length).to.be.at.most(301);
  });
});
