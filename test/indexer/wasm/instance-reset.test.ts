import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportMutableGlobals, InstanceSnapshot } from '../../../src/indexer/wasm/instance-reset';
import { readBuiltManifest } from '../../../src/indexer/wasm/built-manifest';
import { WebAssemblyApi } from '../../../src/indexer/wasm/wasm-api';
import { builtProbeSubgraph } from './probe-subgraph';

/** A hand-written module: memory, one mutable i32 global (index 1, after an imported one), `bump` adds to both. */
const HAND_WRITTEN = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: () -> i32
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
  // import section: env.base, immutable i32 global
  0x02, 0x0d, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x62, 0x61, 0x73, 0x65, 0x03, 0x7f, 0x00,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // memory section: one memory, min 1 page
  0x05, 0x03, 0x01, 0x00, 0x01,
  // global section: mutable i32 = 7
  0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b,
  // export section: "memory" (memory 0), "bump" (function 0)
  0x07, 0x11, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x04, 0x62, 0x75, 0x6d, 0x70, 0x00, 0x00,
  // code: global1 += 1; mem[0] += 1; return global1
  0x0a, 0x1a, 0x01, 0x18, 0x00,
  0x23, 0x01, 0x41, 0x01, 0x6a, 0x24, 0x01,
  0x41, 0x00, 0x41, 0x00, 0x2d, 0x00, 0x00, 0x41, 0x01, 0x6a, 0x3a, 0x00, 0x00,
  0x23, 0x01, 0x0b,
]);

describe('WASM instances taken back to their state after _start', () => {
  it('exports the mutable globals a module defines (indexes after the imported ones) and nothing else changes', () => {
    const rewritten = exportMutableGlobals(HAND_WRITTEN)!;
    expect(rewritten.globals).to.deep.equal(['__host_global_1']);
    const module = new WebAssemblyApi.Module(rewritten.wasm);
    expect(WebAssemblyApi.Module.exports(module).map((e) => `${e.kind}:${e.name}`)).to.deep.equal(['memory:memory', 'function:bump', 'global:__host_global_1']);
    const instance = new WebAssemblyApi.Instance(module, { env: { base: 0 } });
    const exports = instance.exports as { memory: { buffer: ArrayBuffer; grow(pages: number): number }; bump(): number } & Record<string, unknown>;
    const snapshot = InstanceSnapshot.take(exports, rewritten.globals);
    expect([exports.bump(), exports.bump()]).to.deep.equal([8, 9]);
    exports.memory.grow(1);
    new Uint8Array(exports.memory.buffer)[70_000] = 1;
    snapshot.restore(exports);
    expect(exports.bump()).to.equal(8);
    expect(new Uint8Array(exports.memory.buffer)[0]).to.equal(1);
    expect(new Uint8Array(exports.memory.buffer)[70_000]).to.equal(0);
  });

  it('rewrites modules built by graph-cli', async () => {
    const manifest = readBuiltManifest(join(await builtProbeSubgraph(), 'subgraph.yaml'));
    const rewritten = exportMutableGlobals(readFileSync(manifest.dataSources[0].wasmPath))!;
    expect(rewritten.globals.length).to.be.greaterThan(0);
    const exported = WebAssemblyApi.Module.exports(new WebAssemblyApi.Module(rewritten.wasm)).map((e) => e.name);
    expect(exported).to.include.members(rewritten.globals);
  });

  it('leaves a module it cannot read to fresh instances', () => {
    expect(exportMutableGlobals(Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x06, 0x05, 0x01, 0x7f, 0x01, 0xfe]))).to.equal(undefined);
    expect(exportMutableGlobals(HAND_WRITTEN.subarray(0, 40))).to.equal(undefined);
    // An export named like the ones the rewrite adds ("bump" renamed "__host_global_9"): left as built.
    const clashing = Buffer.from(HAND_WRITTEN);
    const bump = clashing.indexOf(Buffer.from([0x04, 0x62, 0x75, 0x6d, 0x70]));
    const renamed = Buffer.concat([clashing.subarray(0, bump), Buffer.from([15]), Buffer.from('__host_global_9'), clashing.subarray(bump + 5)]);
    renamed[renamed.indexOf(Buffer.from([0x07, 0x11])) + 1] = 0x11 + 11; // the export section grew by 11 bytes
    expect(WebAssemblyApi.Module.exports(new WebAssemblyApi.Module(renamed)).map((e) => e.name)).to.deep.equal(['memory', '__host_global_9']);
    expect(exportMutableGlobals(renamed)).to.equal(undefined);
  });
});
