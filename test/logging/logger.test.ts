import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger, defaultLogFormat } from '../../src/logging/logger';
import { runCli } from '../helpers/cli';

/** A destination collecting what is written; `isTTY` as a terminal's stream has it. */
function sink(isTTY?: boolean): Writable & { text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  return Object.assign(stream, { isTTY, text: () => text });
}

const ESCAPE = '\u001b[';
const SECRET = '0x5ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7e75ec7';

describe('log lines', () => {
  let noColor: string | undefined;
  beforeEach(() => {
    noColor = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
  });
  afterEach(() => {
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
  });

  it('are pretty on a terminal and JSON lines elsewhere, unless told', () => {
    expect(defaultLogFormat({ isTTY: true })).to.equal('pretty');
    expect(defaultLogFormat({ isTTY: false })).to.equal('json');
    expect(defaultLogFormat({})).to.equal('json');
  });

  it('JSON lines: one object per line, secrets redacted', () => {
    const out = sink();
    createLogger({ destination: out }).info({ stream: 'origin.StakeRequested', unlockSecret: SECRET, worker: { password: 'hunter2' } }, 'stream batch');
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).to.include({ msg: 'stream batch', stream: 'origin.StakeRequested', unlockSecret: '[redacted]', level: 30 });
    expect(line.worker).to.deep.equal({ password: '[redacted]' });
  });

  it('pretty on a terminal: coloured, level and message first, secrets redacted before formatting', () => {
    const out = sink(true);
    createLogger({ destination: out }).warn({ worker: '0xabc', unlockSecret: SECRET, keys: { privateKey: '0x01' } }, 'worker balance low');
    const text = out.text();
    expect(text).to.contain(ESCAPE);
    const plain = text.split(ESCAPE).map((part, i) => (i === 0 ? part : part.replace(/^[0-9;]*m/, ''))).join('');
    expect(plain).to.match(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(facilitator\): worker balance low /);
    expect(plain).to.contain('"worker":"0xabc"').and.to.contain('"unlockSecret":"[redacted]"').and.to.contain('"privateKey":"[redacted]"');
    expect(text).not.to.contain(SECRET);
    expect(text.trim().split('\n')).to.have.length(1);
  });

  it('pretty into a file or pipe (--log-format pretty), or under NO_COLOR: no colour codes', () => {
    const file = sink(false);
    createLogger({ destination: file, format: 'pretty' }).info({ entities: 3 }, 'stream batch');
    expect(file.text()).to.match(/INFO \(facilitator\): stream batch \{"entities":3\}/);
    expect(file.text()).not.to.contain(ESCAPE);

    process.env.NO_COLOR = '1';
    const terminal = sink(true);
    createLogger({ destination: terminal }).info('starting');
    expect(terminal.text()).to.contain('INFO (facilitator): starting');
    expect(terminal.text()).not.to.contain(ESCAPE);
  });

  it('--log-format json on a terminal stays JSON', () => {
    const out = sink(true);
    createLogger({ destination: out, format: 'json' }).info('starting');
    expect(JSON.parse(out.text())).to.include({ msg: 'starting' });
  });

  it('an unknown --log-format is one line naming the choices, exit non-zero', async function () {
    this.timeout(30_000);
    const result = await runCli(['start', '--log-format', 'xml'], { timeoutMs: 25_000 });
    expect(result.code).to.not.equal(0);
    expect(result.stderr.split('\n')[0]).to.equal("error: option '--log-format <format>' argument 'xml' is invalid. Allowed choices are json, pretty.");
  });
});
