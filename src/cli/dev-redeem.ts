import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ChainClient } from '../chain/chain-client';
import { DirectSender } from '../chain/direct-sender';
import { HttpJsonRpc } from '../chain/json-rpc';
import { LocalSigner } from '../chain/local-signer';
import type { MosaicConfigShape } from '../config/mosaic-config';
import { DEFAULT_REDEEM, requestRedeems } from '../devnet/demo-redeemer';
import { accountsWithRole, readDevnetInfo } from '../devnet/devnet-info';
import { OstPrime } from '../mosaic/contracts';
import { bigintOption, formatTokenAmount, parseAddress, parseBigInt, parseNonNegativeInteger, parsePositiveInteger, parseTokenAmount } from './option-parsers';

interface RedeemOptions {
  dir: string;
  count: number;
  amount: bigint;
  gasPrice: bigint;
  gasLimit: bigint;
  beneficiary?: string;
  skip: number;
}

/** Refuses, in one line and before sending anything, redeems the OSTPrime contract cannot wrap the base coin for. */
async function checkWrappable(ostPrime: OstPrime, redeemers: readonly string[], amount: bigint): Promise<void> {
  const held = await Promise.all(redeemers.map((redeemer) => ostPrime.balanceOf(redeemer)));
  const needed = held.reduce((sum, balance) => sum + (balance >= amount ? 0n : amount - balance), 0n);
  const wrappable = await ostPrime.wrappable();
  if (needed <= wrappable) return;
  throw new Error(
    `a redeem needs a prior stake & mint: OSTPrime can wrap only ${formatTokenAmount(wrappable)} OST′ of base coin and these redeems need ${formatTokenAmount(needed)} (run \`facilitator dev stake\` with a facilitator running until minted, or lower --amount/--count)`,
  );
}

async function runRedeem(options: RedeemOptions): Promise<void> {
  // An option mistake is told before anything is read or sent.
  if (options.amount <= options.gasPrice * options.gasLimit) {
    throw new Error(`--amount must exceed --gas-price × --gas-limit (${formatTokenAmount(options.gasPrice * options.gasLimit)} OST′): no worker can accept less`);
  }
  const dir = resolve(options.dir);
  const info = readDevnetInfo(join(dir, 'devnet.json'));
  const mosaic = JSON.parse(readFileSync(info.mosaicConfig, 'utf8')) as MosaicConfigShape;
  const pair = mosaic.auxiliaryChains[String(info.auxChainId)].contractAddresses;
  const redeemers = accountsWithRole(info, 'staker').slice(options.skip, options.skip + options.count);
  if (redeemers.length < options.count) {
    throw new Error(
      `the devnet has ${accountsWithRole(info, 'staker').length} staker accounts; asked for ${options.count} redeemers from #${options.skip}: restart it with --stakers ${options.skip + options.count}`,
    );
  }
  const client = new ChainClient(new HttpJsonRpc(info.auxiliary.rpcUrl, 15_000), info.auxiliary.chainId);
  const ostPrime = new OstPrime(client, pair.auxiliary.ostPrimeAddress);
  await checkWrappable(ostPrime, redeemers.map((r) => r.address), options.amount);
  const results = await requestRedeems(
    redeemers.map((r) => new DirectSender(client, new LocalSigner(r.privateKey))),
    {
      client,
      ostPrime: ostPrime.address,
      redeemPool: pair.auxiliary.redeemPoolAddress,
      coGateway: pair.auxiliary.ostEIP20CogatewayAddress,
      amount: options.amount,
      gasPrice: options.gasPrice,
      gasLimit: options.gasLimit,
      beneficiary: options.beneficiary,
    },
  );
  for (const r of results) {
    process.stdout.write(
      `${JSON.stringify({ redeemer: r.redeemer, beneficiary: r.beneficiary, amount: r.amount.toString(), wrapped: r.wrapped.toString(), nonce: r.nonce.toString(), redeemRequestHash: r.redeemRequestHash, transactionHash: r.transactionHash, blockNumber: Number(r.blockNumber) })}\n`,
    );
  }
}

/** `facilitator dev redeem`: the demo redeemer, mirroring `dev stake`. */
export function devRedeemCommand(): Command {
  return new Command('redeem')
    .description('demo redeemer: N devnet stakers wrap base coin into OSTPrime, approve and call RedeemPool.requestRedeem')
    .option('--dir <path>', 'devnet state folder', './.devnet')
    .option('--count <n>', 'number of redeemers (one request each)', parsePositiveInteger, 1)
    .option('--skip <n>', 'start from the n-th staker account', parseNonNegativeInteger, 0)
    .addOption(bigintOption('--amount <OST>', 'amount to redeem, in OST′ (OSTPrime)', (v) => parseTokenAmount(v), DEFAULT_REDEEM.amount, formatTokenAmount(DEFAULT_REDEEM.amount)))
    .addOption(bigintOption('--gas-price <wei>', 'gas price the redeemer pays the facilitator (OST base units per gas, on origin)', parseBigInt, DEFAULT_REDEEM.gasPrice))
    .addOption(bigintOption('--gas-limit <gas>', 'gas limit the redeemer pays for', parseBigInt, DEFAULT_REDEEM.gasLimit))
    .option('--beneficiary <address>', 'receiver of the OST on the origin chain (default: the redeemer)', parseAddress)
    .addHelpText(
      'after',
      `
A redeem returns value that an earlier stake & mint brought to the auxiliary chain: OSTPrime can only
wrap as much base coin as was minted. Stake first (and let a facilitator mint), then redeem.
Prints one JSON line per request (redeemer, redeemRequestHash, transactionHash, ...).
Examples:
  $ facilitator dev redeem --count 2 --amount 10   # after \`dev stake\` and a facilitator minted it
  $ facilitator dev redeem --skip 2 --beneficiary 0x00000000000000000000000000000000000be401`,
    )
    .action(async (options: RedeemOptions) => runRedeem(options));
}
