import { createHash } from 'node:crypto';

/**
 * The CID `ipfs add` (kubo's defaults, which graph-cli's uploads get) gives a file, computed offline:
 * CIDv0 (base58btc of a sha2-256 multihash) of a dag-pb node holding a UnixFS `File`, the content cut
 * into 256 KiB chunks (kubo `size-262144`), each chunk a UnixFS `File` leaf (`--raw-leaves=false`, the
 * CIDv0 default), leaves joined in a balanced DAG of at most 174 links per node (boxo
 * ipld/unixfs/importer/balanced). Specs: dag-pb (ipld/specs block-layer/codecs/dag-pb.md: links
 * before data, a link's Name written even when empty, Tsize the cumulative size) and UnixFS
 * (ipfs/specs UNIXFS.md: Type, Data, filesize, blocksizes).
 */

export const CHUNK_SIZE = 262_144;
export const MAX_LINKS = 174;
const UNIXFS_FILE = 2;
const SHA2_256 = 0x12;

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

/** A length-delimited protobuf field (wire type 2). */
function bytesField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(value.length)]), value]);
}

/** A varint protobuf field (wire type 0). */
function varintField(field: number, value: number): Buffer {
  return Buffer.from([field << 3, ...varint(value)]);
}

/** A dag-pb block, with what a link to it needs. */
interface DagNode {
  multihash: Buffer;
  /** The block's size plus its links' Tsize: a link's Tsize to it. */
  cumulativeSize: number;
  /** File bytes under it (a parent's `blocksizes` entry). */
  fileSize: number;
}

function dagNode(links: DagNode[], unixfs: Buffer, fileSize: number): DagNode {
  const encodedLinks = links.map((link) =>
    bytesField(2, Buffer.concat([bytesField(1, link.multihash), bytesField(2, new Uint8Array(0)), varintField(3, link.cumulativeSize)])),
  );
  const block = Buffer.concat([...encodedLinks, bytesField(1, unixfs)]);
  const digest = createHash('sha256').update(block).digest();
  const multihash = Buffer.concat([Buffer.from([SHA2_256, digest.length]), digest]);
  return { multihash, cumulativeSize: block.length + links.reduce((sum, link) => sum + link.cumulativeSize, 0), fileSize };
}

function leaf(chunk: Uint8Array): DagNode {
  const unixfs = Buffer.concat([varintField(1, UNIXFS_FILE), ...(chunk.length > 0 ? [bytesField(2, chunk)] : []), varintField(3, chunk.length)]);
  return dagNode([], unixfs, chunk.length);
}

function internal(children: DagNode[]): DagNode {
  const fileSize = children.reduce((sum, child) => sum + child.fileSize, 0);
  const unixfs = Buffer.concat([varintField(1, UNIXFS_FILE), varintField(3, fileSize), ...children.map((child) => varintField(4, child.fileSize))]);
  return dagNode(children, unixfs, fileSize);
}

/** boxo's balanced Layout: the first leaf is the root until a second chunk comes; each full root becomes the first child of a deeper one. */
function balanced(chunks: Uint8Array[]): DagNode {
  let next = 0;
  const fill = (children: DagNode[], depth: number): DagNode => {
    while (children.length < MAX_LINKS && next < chunks.length) {
      children.push(depth === 1 ? leaf(chunks[next++]) : fill([], depth - 1));
    }
    return internal(children);
  };
  let root = leaf(chunks[next++] ?? new Uint8Array(0));
  for (let depth = 1; next < chunks.length; depth++) root = fill([root], depth);
  return root;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  let out = '';
  while (value > 0n) {
    out = BASE58[Number(value % 58n)] + out;
    value /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** The CIDv0 (`Qm…`) `ipfs add` gives this content with kubo's defaults. */
export function unixfsFileCid(content: Uint8Array): string {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < content.length; offset += CHUNK_SIZE) chunks.push(content.subarray(offset, offset + CHUNK_SIZE));
  return base58btc(balanced(chunks).multihash);
}
