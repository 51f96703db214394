/**
 * A WASM instance taken back to the state it had right after `_start`, instead of a new instance for
 * every block: memory and mutable globals are all the state a module has (AssemblyScript never
 * changes its table), so restoring both is a fresh instance, without the cost of creating one (its
 * memory reserved, then collected). To reach the globals, the module is compiled with one export
 * added per mutable global it defines; a module this cannot rewrite is run with fresh instances.
 */

/** Export name prefix of the added global exports. */
const GLOBAL_EXPORT = '__host_global_';

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('truncated WASM module');
    return this.bytes[this.pos++];
  }

  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error('bad LEB128 in WASM module');
  }

  /** Skips a signed LEB128 of any width. */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }

  skip(n: number): void {
    this.pos += n;
  }

  name(): void {
    this.skip(this.u32());
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) b |= 0x80;
    out.push(b);
  } while (value > 0);
  return out;
}

/** Skips a constant expression (a global's initialiser) up to its `end`. */
function skipInitExpr(r: Reader): void {
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return;
    if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) r.skipLeb(); // i32/i64.const, global.get, ref.func
    else if (op === 0x43) r.skip(4);
    else if (op === 0x44) r.skip(8);
    else if (op === 0xd0) r.byte(); // ref.null <type>
    else throw new Error(`unsupported opcode 0x${op.toString(16)} in a global initialiser`);
  }
}

/** How many globals the import section brings in (they come first in the global index space). */
function importedGlobals(r: Reader, end: number): number {
  let count = 0;
  for (let n = r.u32(); n > 0; n--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0x00) r.u32();
    else if (kind === 0x01) skipLimits(r, true);
    else if (kind === 0x02) skipLimits(r, false);
    else if (kind === 0x03) {
      r.byte();
      r.byte();
      count++;
    } else throw new Error(`unsupported import kind ${kind}`);
  }
  if (r.pos !== end) throw new Error('import section length mismatch');
  return count;
}

function skipLimits(r: Reader, table: boolean): void {
  if (table) r.byte();
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** Indexes of the number-typed (i32, i64, f32, f64) mutable globals the global section defines. */
function mutableGlobals(r: Reader, firstIndex: number): number[] {
  const found: number[] = [];
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const type = r.byte();
    const mutable = r.byte() === 1;
    skipInitExpr(r);
    if (!mutable) continue;
    if (type < 0x7c || type > 0x7f) throw new Error(`mutable global of type 0x${type.toString(16)} cannot be exported`);
    found.push(firstIndex + i);
  }
  return found;
}

/** The export section with one export per global added. */
function withGlobalExports(section: Uint8Array, globals: number[]): Uint8Array {
  const r = new Reader(section);
  const count = r.u32();
  const entries = section.subarray(r.pos);
  for (let i = 0; i < count; i++) {
    const length = r.u32();
    const name = Buffer.from(section.subarray(r.pos, r.pos + length)).toString('utf8');
    if (name.startsWith(GLOBAL_EXPORT)) throw new Error(`the module already exports ${name}`);
    r.skip(length);
    r.byte();
    r.u32();
  }
  const added: number[] = [];
  for (const index of globals) {
    const name = Buffer.from(`${GLOBAL_EXPORT}${index}`, 'utf8');
    added.push(...leb(name.length), ...name, 0x03, ...leb(index));
  }
  return Uint8Array.from([...leb(count + globals.length), ...entries, ...added]);
}

/**
 * The module's bytes with its mutable globals exported (as `__host_global_<index>`), and their export
 * names; undefined when the module cannot be read that way (it then runs with fresh instances).
 */
export function exportMutableGlobals(wasm: Uint8Array): { wasm: Uint8Array; globals: string[] } | undefined {
  try {
    const r = new Reader(wasm);
    r.skip(8); // magic and version
    const sections: Uint8Array[] = [wasm.subarray(0, 8)];
    let imported = 0;
    let globals: number[] = [];
    let exported = false;
    while (r.pos < wasm.length) {
      const start = r.pos;
      const id = r.byte();
      const size = r.u32();
      const body = r.pos;
      const end = body + size;
      if (id === 2) imported = importedGlobals(r, end);
      if (id === 6) globals = mutableGlobals(new Reader(wasm.subarray(body, end)), imported);
      if (id === 7) {
        const rewritten = withGlobalExports(wasm.subarray(body, end), globals);
        sections.push(Uint8Array.from([7, ...leb(rewritten.length)]), rewritten);
        exported = true;
      } else sections.push(wasm.subarray(start, end));
      r.pos = end;
    }
    if (!exported) return undefined;
    return { wasm: Buffer.concat(sections), globals: globals.map((index) => `${GLOBAL_EXPORT}${index}`) };
  } catch {
    return undefined;
  }
}

interface WasmGlobal {
  value: unknown;
}

interface ResettableExports {
  memory: { readonly buffer: ArrayBuffer };
  [name: string]: unknown;
}

/** An instance's memory and mutable globals as they are now, to return to before each block. */
export class InstanceSnapshot {
  private constructor(
    private readonly memory: Uint8Array,
    private readonly globals: Array<{ global: WasmGlobal; value: unknown }>,
  ) {}

  static take(exports: ResettableExports, globalNames: readonly string[]): InstanceSnapshot {
    const globals = globalNames.map((name) => {
      const global = exports[name] as WasmGlobal;
      return { global, value: global.value };
    });
    return new InstanceSnapshot(new Uint8Array(exports.memory.buffer).slice(), globals);
  }

  /** Memory as it was (what the instance grew since is zeroed, as a fresh one would have it), globals too. */
  restore(exports: ResettableExports): void {
    const memory = new Uint8Array(exports.memory.buffer);
    memory.set(this.memory);
    memory.fill(0, this.memory.length);
    for (const { global, value } of this.globals) global.value = value;
  }
}
