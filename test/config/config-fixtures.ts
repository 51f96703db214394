import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEncryptedAccount } from '../../src/config/keystore';
import type { MosaicConfigShape } from '../../src/config/mosaic-config';

/** Cheap scrypt for test keystores (real keystores use web3's default). */
export const TEST_SCRYPT_N = 1024;

export const addr = (byte: string) => `0x${byte.repeat(20)}`;

export const ORIGIN_CHAIN_ID = 1337;
export const AUX_CHAIN_ID = 1405;

export function mosaicConfig(): MosaicConfigShape {
  return {
    version: 1,
    originChain: {
      chainId: ORIGIN_CHAIN_ID,
      contractAddresses: {
        simpleTokenAddress: addr('01'),
        merklePatriciaLibAddress: addr('02'),
        gatewayLibAddress: addr('03'),
        messageBusAddress: addr('04'),
      },
    },
    auxiliaryChains: {
      [String(AUX_CHAIN_ID)]: {
        chainId: AUX_CHAIN_ID,
        bootNodes: [],
        genesis: {},
        contractAddresses: {
          origin: {
            anchorOrganizationAddress: addr('10'),
            anchorAddress: addr('11'),
            ostGatewayOrganizationAddress: addr('12'),
            ostEIP20GatewayAddress: addr('AB'),
            ostComposerOrganizationAddress: addr('14'),
            ostComposerAddress: addr('15'),
          },
          auxiliary: {
            ostPrimeAddress: addr('20'),
            anchorOrganizationAddress: addr('21'),
            anchorAddress: addr('22'),
            merklePatriciaLibAddress: addr('23'),
            gatewayLibAddress: addr('24'),
            messageBusAddress: addr('25'),
            ostCoGatewayOrganizationAddress: addr('26'),
            ostEIP20CogatewayAddress: addr('27'),
            redeemPoolOrganizationAddress: addr('28'),
            redeemPoolAddress: addr('29'),
          },
        },
        startBlocks: { origin: 5, auxiliary: 7 },
      },
    },
  };
}

export interface Workers {
  origin: { address: string; keystore: Record<string, unknown> };
  auxiliary: { address: string; keystore: Record<string, unknown> };
  password: string;
}

/** Two real encrypted accounts (made once per test file: scrypt is the slow part). */
export async function makeWorkers(password = 'correct horse'): Promise<Workers> {
  const origin = await createEncryptedAccount(password, { scryptN: TEST_SCRYPT_N });
  const auxiliary = await createEncryptedAccount(password, { scryptN: TEST_SCRYPT_N });
  return {
    origin: { address: origin.address, keystore: origin.keystore as unknown as Record<string, unknown> },
    auxiliary: { address: auxiliary.address, keystore: auxiliary.keystore as unknown as Record<string, unknown> },
    password,
  };
}

/** A valid facilitator-config (plain JSON object) for the given workers. */
export function facilitatorConfig(workers: Workers): Record<string, unknown> {
  return {
    version: 1,
    originChainId: ORIGIN_CHAIN_ID,
    auxChainId: AUX_CHAIN_ID,
    database: { path: 'facilitator.sqlite' },
    chains: {
      [String(ORIGIN_CHAIN_ID)]: {
        rpc: 'http://127.0.0.1:8545',
        subgraph: { mode: 'embedded' },
        workers: [workers.origin.address],
        confirmations: 0,
      },
      [String(AUX_CHAIN_ID)]: {
        rpc: 'http://127.0.0.1:9545',
        ws: 'ws://127.0.0.1:9546',
        subgraph: { mode: 'remote', http: 'http://127.0.0.1:8000/subgraphs/name/aux', ws: 'ws://127.0.0.1:8001', transport: 'subscription' },
        workers: [workers.auxiliary.address],
      },
    },
    encryptedAccounts: {
      [workers.origin.address]: workers.origin.keystore,
      [workers.auxiliary.address]: workers.auxiliary.keystore,
    },
    facilitation: { minGasPrice: '0', minGasLimit: '0' },
    status: { host: '127.0.0.1', port: 0 },
  };
}

/** A fresh temp folder and a way to write JSON (or raw text) files into it. */
export function tempFolder(): { dir: string; write(name: string, content: unknown): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'facilitator-config-'));
  return {
    dir,
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A deep copy to mutate in one test. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A temporary folder with a mosaic-config and a facilitator-config naming a database not yet created. */
export function configuredFolder(workers: Workers): { folder: ReturnType<typeof tempFolder>; configPath: string; databasePath: string } {
  const folder = tempFolder();
  const mosaicPath = folder.write('mosaic.json', mosaicConfig());
  const databasePath = join(folder.dir, 'db', 'facilitator.sqlite');
  const configPath = folder.write('facilitator-config.json', { ...facilitatorConfig(workers), mosaicConfig: mosaicPath, database: { path: databasePath } });
  return { folder, configPath, databasePath };
}
