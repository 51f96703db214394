import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { privateKeyToAddress } from 'web3-eth-accounts';
import { keccak256, utf8ToHex } from 'web3-utils';
import { ChainClient } from '../chain/chain-client';
import { HttpJsonRpc } from '../chain/json-rpc';

export interface DevChainOptions {
  chainId: number;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  totalAccounts: number;
  /** Mine a block every this many ms (several transactions per block, like a real chain); 0 mines a block per transaction. */
  blockTimeMs?: number;
  /** Start anvil without a base fee in its blocks (a pre-London chain: legacy transactions only). */
  legacyOnly?: boolean;
  /** Base fee of the first block, in wei (anvil's default is 1 gwei). */
  baseFeePerGas?: bigint;
  /** Block gas limit; the devnet default leaves room for hundreds of facilitation steps per block. */
  blockGasLimit?: bigint;
}

/**
 * 10× mainnet's: at 10 blocks a second, 200 concurrent stake & mints (≈ 2M gas each) never fill blocks
 * past the EIP-1559 target, so the base fee stays flat and load tests measure the facilitator, not a
 * fee spiral (tests that want one raise the base fee explicitly).
 */
const DEV_BLOCK_GAS_LIMIT = 300_000_000n;

export interface DevChain {
  chainId: number;
  rpcUrl: string;
  wsUrl: string;
  client: ChainClient;
  /** Pid of the anvil process (so tests can check it is gone after close or after we die). */
  pid: number;
  /** The devnet's funded accounts, derived from fixed seeds (not anvil's mnemonic), in a stable order. */
  accounts: Array<{ address: string; privateKey: string }>;
  /** Resolves once a block later than the current head exists. */
  nextBlock(): Promise<void>;
  close(): Promise<void>;
}

/** 1e9 coins each: OSTPrime.initialize needs 800M base coin on the auxiliary chain. */
const DEV_BALANCE = 10n ** 9n * 10n ** 18n;
const STARTUP_TIMEOUT_MS = 15_000;

/**
 * A dev key per index, derived explicitly so that the devnet's accounts are the same on every machine and
 * every anvil version. Dev-only: these keys are public.
 */
export function devPrivateKey(index: number): string {
  return keccak256(utf8ToHex(`mosaic facilitator devnet account ${index}`));
}

/** The anvil binary from its platform package in node_modules (the wrapper package's postinstall is not needed). */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  let manifest: string;
  try {
    manifest = require.resolve(`${platformPackage}/package.json`);
  } catch {
    throw new Error(`anvil is not installed for ${process.platform}/${process.arch} (${platformPackage}); run npm ci`);
  }
  return join(dirname(manifest), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

/**
 * Runs anvil under a small shell guard: the guard kills anvil when it is signalled (close) and when its
 * stdin closes, which happens whenever this process ends, even by SIGKILL. So anvil never outlives us.
 */
const GUARD = [
  '"$0" "$@" & child=$!',
  'echo "$child"',
  "trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT HUP",
  'read _ignored',
  'kill $child 2>/dev/null',
  'wait $child',
].join('\n');

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function anvilArguments(options: DevChainOptions, host: string, port: number): string[] {
  const args = ['--quiet', '--host', host, '--port', String(port), '--chain-id', String(options.chainId), '--accounts', '0'];
  args.push('--gas-limit', String(options.blockGasLimit ?? DEV_BLOCK_GAS_LIMIT));
  if (options.blockTimeMs) args.push('--block-time', String(options.blockTimeMs / 1000));
  if (options.legacyOnly) args.push('--hardfork', 'berlin');
  if (options.baseFeePerGas !== undefined) args.push('--block-base-fee-per-gas', options.baseFeePerGas.toString());
  return args;
}

interface Spawned {
  guard: ChildProcess;
  /** Pid of anvil itself, as the guard printed it. */
  anvilPid: Promise<number>;
  exited: Promise<void>;
  stderr: () => string;
}

function spawnAnvil(args: string[]): Spawned {
  const guard = spawn('/bin/sh', ['-c', GUARD, anvilBinary(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const anvilPid = new Promise<number>((resolve) => {
    let out = '';
    guard.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(Number.parseInt(out, 10));
    });
    guard.once('exit', () => resolve(0));
  });
  let stderr = '';
  guard.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  // A closed guard stdin must not crash us with EPIPE.
  guard.stdin?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => guard.once('exit', () => resolve()));
  return { guard, anvilPid, exited, stderr: () => stderr.trim() };
}

async function waitUntilAnswering(client: ChainClient, spawned: Spawned, where: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let gone = false;
  void spawned.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`anvil exited at start on ${where}: ${spawned.stderr() || 'no message'}`);
    try {
      await client.rpc.request('eth_chainId', [], { timeoutMs: 1_000 });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`anvil did not answer on ${where} within ${STARTUP_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Starts one anvil chain serving HTTP and WebSocket JSON-RPC on one loopback port, with funded dev accounts. */
export async function startDevChain(options: DevChainOptions): Promise<DevChain> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port === 0 ? await freePort(host) : options.port;
  const where = `${host}:${port}`;
  const spawned = spawnAnvil(anvilArguments(options, host, port));
  const rpcUrl = `http://${host}:${port}`;
  const client = new ChainClient(new HttpJsonRpc(rpcUrl), options.chainId);
  const close = async () => {
    if (spawned.guard.exitCode === null && spawned.guard.signalCode === null) spawned.guard.kill('SIGTERM');
    await spawned.exited;
  };
  try {
    await waitUntilAnswering(client, spawned, where);
    const chainId = await client.getChainId();
    // Something else already listening there answers too: make sure it is our chain.
    if (chainId !== options.chainId || spawned.guard.exitCode !== null) {
      throw new Error(`port ${port} is taken by another node (chain id ${chainId})`);
    }
  } catch (error) {
    await close();
    throw new Error(
      `cannot start chain ${options.chainId} on ${where} (${error instanceof Error ? error.message : String(error)}); pick another port`,
    );
  }

  const accounts = Array.from({ length: options.totalAccounts }, (_, index) => {
    const privateKey = devPrivateKey(index);
    return { address: privateKeyToAddress(privateKey).toLowerCase(), privateKey };
  });
  try {
    const balance = `0x${DEV_BALANCE.toString(16)}`;
    await Promise.all(accounts.map((account) => client.rpc.request('anvil_setBalance', [account.address, balance])));
  } catch (error) {
    await close();
    throw error;
  }

  const nextBlock = async () => {
    const head = await client.blockNumber();
    if (!options.blockTimeMs) {
      await client.rpc.request('evm_mine', []);
      return;
    }
    while ((await client.blockNumber()) <= head) await new Promise((r) => setTimeout(r, Math.max(10, options.blockTimeMs! / 4)));
  };
  return {
    chainId: options.chainId,
    rpcUrl,
    wsUrl: `ws://${host}:${port}`,
    client,
    pid: await spawned.anvilPid,
    accounts,
    nextBlock,
    close,
  };
}
