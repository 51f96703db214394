import { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ChainClient } from '../chain/chain-client';
import { DirectSender } from '../chain/direct-sender';
import { HttpJsonRpc } from '../chain/json-rpc';
import { LocalSigner } from '../chain/local-signer';
import { readFileSync } from 'node:fs';
import { ADMIN_TOKEN_FILE, createAdminToken } from '../config/admin-token';
import { writeSecretFile } from '../config/secret-file';
import { openDatabase } from '../db/open-database';
import { DEVNET_DATABASE, forgetPreviousDevnet } from '../devnet/forget-previous-devnet';
import { devnetFacilitatorConfig } from '../devnet/devnet-facilitator-config';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { DEFAULT_STAKE, requestStakes } from '../devnet/demo-staker';
import { DEVNET_DEFAULTS, devnetInfoFileName, startDevnet, type Devnet } from '../devnet/devnet';
import { devRedeemCommand } from './dev-redeem';
import { accountsWithRole, readDevnetInfo } from '../devnet/devnet-info';
import { createLogger, type LogFormat } from '../logging/logger';
import {
  bigintOption,
  formatTokenAmount,
  logFormatOption,
  parseAddress,
  parseBigInt,
  parseChainId,
  parseNonNegativeInteger,
  parsePort,
  parsePositiveInteger,
  parseTokenAmount,
} from './option-parsers';
import { waitForShutdownSignal } from './signals';

/** Password of the devnet's worker keystores: throwaway dev keys only. */
export const DEVNET_WORKER_PASSWORD = 'devnet';

interface DevOptions {
  dir: string;
  originPort: number;
  auxPort: number;
  originChainId: number;
  auxChainId: number;
  auxChains: number;
  workers: number;
  stakers: number;
  anchorInterval: number;
  blockTime: number;
  logFormat?: LogFormat;
}

/** The facilitator-config of one auxiliary chain: `facilitator-config.json` for a single one, `facilitator-config-<id>.json` for each of several. */
export function devFacilitatorConfigName(auxChainId: number, auxChains: number): string {
  return auxChains > 1 ? `facilitator-config-${auxChainId}.json` : 'facilitator-config.json';
}

export function printDevnetSummary(devnet: Devnet, dir: string, write: (line: string) => void): void {
  const workers = accountsWithRole(devnet.info, 'worker').map((a) => a.address);
  const auxChains = devnet.pairs.length;
  write(`Mosaic devnet ready`);
  write(`  origin     chain ${devnet.info.origin.chainId}  ${devnet.info.origin.rpcUrl}  ${devnet.info.origin.wsUrl}`);
  for (const pair of devnet.pairs) write(`  auxiliary  chain ${pair.info.auxiliary.chainId}  ${pair.info.auxiliary.rpcUrl}  ${pair.info.auxiliary.wsUrl}`);
  write(`  OST (value token)    ${devnet.mosaicConfig.originChain.contractAddresses.simpleTokenAddress}`);
  for (const pair of devnet.pairs) printPair(pair, auxChains > 1, write);
  write(`  workers              ${workers.join(', ')}`);
  write(`  bounty               ${formatTokenAmount(BigInt(devnet.info.bounty))} OST`);
  write(`  blocks               every ${devnet.info.blockTimeMs} ms`);
  write(`  anchor relay         every ${devnet.info.anchorIntervalMs} ms`);
  const files = ['mosaic.json', 'devnet.json', ...devnet.pairs.flatMap((p) => {
    const id = p.info.auxChainId;
    return auxChains > 1 ? [devnetInfoFileName(id, auxChains), devFacilitatorConfigName(id, auxChains)] : [devFacilitatorConfigName(id, 1)];
  })];
  write(`  files                ${files.map((f) => join(dir, f)).join(', ')}`);
  write(`  admin API token      ${join(dir, ADMIN_TOKEN_FILE)} (0600; \`facilitator admin\` reads it beside the config)`);
  write(`Run the facilitator against it (dev password "${DEVNET_WORKER_PASSWORD}"):`);
  write(`  ${workers.map((w) => `export MOSAIC_ADDRESS_PASSW_${w}=${DEVNET_WORKER_PASSWORD}`).join('\n  ')}`);
  if (auxChains === 1) {
    write(`  facilitator start --facilitator-config ${join(dir, 'facilitator-config.json')}`);
  } else {
    const ids = devnet.pairs.map((p) => p.info.auxChainId);
    write(`  facilitator start --chains ${ids.join(',')} --facilitator-config ${ids.map((id) => join(dir, devFacilitatorConfigName(id, auxChains))).join(',')}`);
  }
  write(`Stop with Ctrl-C.`);
}

/** One pair's contracts; with several pairs, under a heading naming its auxiliary chain. */
function printPair(pair: Devnet, several: boolean, write: (line: string) => void): void {
  const addresses = pair.mosaicConfig.auxiliaryChains[String(pair.info.auxChainId)].contractAddresses;
  const indent = several ? '    ' : '  ';
  if (several) write(`  pair with auxiliary chain ${pair.info.auxChainId}`);
  write(`${indent}OSTComposer          ${addresses.origin.ostComposerAddress}`);
  write(`${indent}EIP20Gateway         ${addresses.origin.ostEIP20GatewayAddress}`);
  write(`${indent}EIP20CoGateway       ${addresses.auxiliary.ostEIP20CogatewayAddress}`);
  write(`${indent}OSTPrime             ${addresses.auxiliary.ostPrimeAddress}`);
  write(`${indent}anchors (origin/aux) ${addresses.origin.anchorAddress} / ${addresses.auxiliary.anchorAddress}`);
}

async function runDev(options: DevOptions): Promise<void> {
  if (options.originChainId === options.auxChainId) {
    throw new Error(`--aux-chain-id ${options.auxChainId} equals --origin-chain-id: the two chains need different ids`);
  }
  const logger = createLogger({ name: 'devnet', format: options.logFormat });
  const dir = resolve(options.dir);
  const devnet = await startDevnet({
    dir,
    originPort: options.originPort,
    auxiliaryPort: options.auxPort,
    originChainId: options.originChainId,
    auxChainId: options.auxChainId,
    auxChains: options.auxChains,
    workers: options.workers,
    stakers: options.stakers,
    anchorIntervalMs: options.anchorInterval,
    blockTimeMs: options.blockTime,
    onRelayError: (error) => logger.warn({ err: error }, 'anchor relay step failed; retrying next interval'),
  });
  // Only once the new chains run: a refused start (a port taken) leaves the earlier run's files as they were.
  if (forgetPreviousDevnet(dir)) logger.info({ dir }, 'removed the database of an earlier devnet run (its chains are gone)');
  // A ready facilitator-config per auxiliary chain for the devnet's workers (dev keys, dev password), all
  // naming one database, so that `facilitator start` runs against one pair or (--chains) all of them.
  for (const pair of devnet.pairs) {
    const facilitatorConfig = await devnetFacilitatorConfig(pair.info, {
      databasePath: join(dir, DEVNET_DATABASE),
      mosaicConfigPath: pair.info.mosaicConfig,
      password: DEVNET_WORKER_PASSWORD,
    });
    const name = devFacilitatorConfigName(pair.info.auxChainId, devnet.pairs.length);
    writeSecretFile(join(dir, name), `${JSON.stringify(facilitatorConfig, null, 2)}\n`);
  }
  // As `init` would: the admin API's token beside the configs (one folder: one token for every pair).
  createAdminToken(join(dir, ADMIN_TOKEN_FILE));
  // As `init` would: the database exists (owner-only) before `start`, which refuses a missing one.
  await (await openDatabase(join(dir, DEVNET_DATABASE))).destroy();
  printDevnetSummary(devnet, dir, (line) => process.stdout.write(`${line}\n`));
  const signal = await waitForShutdownSignal();
  logger.info({ signal }, 'stopping the devnet');
  await devnet.close();
}

interface StakeOptions {
  dir: string;
  auxChainId?: number;
  count: number;
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  beneficiary?: string;
  skip: number;
}

async function runStake(options: StakeOptions): Promise<void> {
  const dir = resolve(options.dir);
  const info = readDevnetInfo(join(dir, options.auxChainId === undefined ? 'devnet.json' : `devnet-${options.auxChainId}.json`));
  const mosaic = JSON.parse(readFileSync(info.mosaicConfig, 'utf8')) as MosaicConfigShape;
  const pair = mosaic.auxiliaryChains[String(info.auxChainId)].contractAddresses;
  const stakers = accountsWithRole(info, 'staker').slice(options.skip, options.skip + options.count);
  if (stakers.length < options.count) {
    throw new Error(
      `the devnet has ${accountsWithRole(info, 'staker').length} stakers; asked for ${options.count} from #${options.skip}: restart it with --stakers ${options.skip + options.count}`,
    );
  }
  const client = new ChainClient(new HttpJsonRpc(info.origin.rpcUrl, 15_000), info.origin.chainId);
  const results = await requestStakes(
    stakers.map((s) => new DirectSender(client, new LocalSigner(s.privateKey))),
    {
      client,
      composer: pair.origin.ostComposerAddress,
      gateway: pair.origin.ostEIP20GatewayAddress,
      valueToken: mosaic.originChain.contractAddresses.simpleTokenAddress,
      amount: options.amount,
      gasPrice: options.gasPrice,
      gasLimit: options.gasLimit,
      beneficiary: options.beneficiary,
    },
  );
  for (const r of results) {
    process.stdout.write(
      `${JSON.stringify({ staker: r.staker, beneficiary: r.beneficiary, amount: r.amount.toString(), nonce: r.nonce.toString(), stakeRequestHash: r.stakeRequestHash, transactionHash: r.transactionHash, blockNumber: Number(r.blockNumber) })}\n`,
    );
  }
}

export function devCommand(): Command {
  const dev = new Command('dev')
    .description('run a local Mosaic devnet: two anvil chains with Mosaic 0.12 deployed and an anchor relay')
    .option('--dir <path>', 'state folder for mosaic.json and devnet.json', './.devnet')
    .option('--origin-port <port>', 'origin chain HTTP+WS JSON-RPC port (0 = any free port)', parsePort, DEVNET_DEFAULTS.originPort)
    .option('--aux-port <port>', 'auxiliary chain HTTP+WS JSON-RPC port (0 = any free port)', parsePort, DEVNET_DEFAULTS.auxiliaryPort)
    .option('--origin-chain-id <id>', 'origin chain id', parseChainId, DEVNET_DEFAULTS.originChainId)
    .option('--aux-chain-id <id>', 'auxiliary chain id (the first one: the next count up from it)', parseChainId, DEVNET_DEFAULTS.auxChainId)
    .option('--aux-chains <n>', 'auxiliary chains, each with its own gateway pair to origin', parsePositiveInteger, 1)
    .option('--workers <n>', 'facilitator worker accounts (whitelisted in the composer)', parsePositiveInteger, DEVNET_DEFAULTS.workers)
    .option('--stakers <n>', 'funded staker accounts', parseNonNegativeInteger, DEVNET_DEFAULTS.stakers)
    .option('--block-time <ms>', 'mine a block this often (0 = a block per transaction)', parseNonNegativeInteger, DEVNET_DEFAULTS.blockTimeMs)
    .option('--anchor-interval <ms>', 'anchor each chain into the other this often (0 = never)', parseNonNegativeInteger, DEVNET_DEFAULTS.anchorIntervalMs)
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      `
Examples:
  $ facilitator dev                          # ports 8545/8546, state in ./.devnet
  $ facilitator dev --origin-port 0 --aux-port 0 --dir /tmp/devnet
  $ facilitator dev --aux-chains 2           # auxiliary chains 1405 (:8546) and 1406 (:8547)
  $ facilitator dev stake --count 3          # three stakers request a stake
  $ facilitator dev redeem --count 3         # once minted, three of them redeem part of it back`,
    )
    .enablePositionalOptions()
    .action(async (options: DevOptions) => runDev(options));

  dev
    .command('stake')
    .description('demo staker: N devnet stakers approve OST and call OSTComposer.requestStake')
    .option('--dir <path>', 'devnet state folder', './.devnet')
    .option('--aux-chain-id <id>', 'with several auxiliary chains: the pair to stake through (reads devnet-<id>.json)', parseChainId)
    .option('--count <n>', 'number of stakers (one request each)', parsePositiveInteger, 1)
    .option('--skip <n>', 'start from the n-th staker account', parseNonNegativeInteger, 0)
    .addOption(bigintOption('--amount <OST>', 'amount to stake, in OST', (v) => parseTokenAmount(v), DEFAULT_STAKE.amount, formatTokenAmount(DEFAULT_STAKE.amount)))
    .addOption(bigintOption('--gas-price <wei>', 'gas price the staker pays the facilitator (OST base units per gas)', parseBigInt, DEFAULT_STAKE.gasPrice))
    .addOption(bigintOption('--gas-limit <gas>', 'gas limit the staker pays for', parseBigInt, DEFAULT_STAKE.gasLimit))
    .option('--beneficiary <address>', 'receiver on the auxiliary chain (default: the staker)', parseAddress)
    .addHelpText(
      'after',
      `
Prints one JSON line per request (staker, stakeRequestHash, transactionHash, ...).
Examples:
  $ facilitator dev stake
  $ facilitator dev stake --count 5 --amount 250
  $ facilitator dev stake --aux-chain-id 1406    # on a devnet started with --aux-chains 2`,
    )
    .action(async (options: StakeOptions) => runStake(options));
  dev.addCommand(devRedeemCommand());
  return dev;
}
