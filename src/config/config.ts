import { redactUrl } from '../logging/redact-url';
import { resolve } from 'node:path';
import { loadFacilitatorConfig, type ChainSettings, type FacilitatorConfig, type KeystoreV3 } from './facilitator-config';
import type { AuxiliaryChainConfig, MosaicConfigShape } from './mosaic-config';
import { auxiliaryChainOf, loadMosaicConfig } from './mosaic-config-schema';
import { defaultMosaicConfigPath } from './paths';
import { ConfigError, normalizeAddress } from './validation';

export interface ConfigSources {
  /** How errors name the facilitator-config, e.g. `facilitator-config /home/me/.mosaic/1405/facilitator-config.json`. */
  facilitator: string;
  mosaic: string;
}

/**
 * The cross-file rules: the mosaic-config has the facilitator's auxiliary chain, and both files agree
 * on the origin chain id. Returns that auxiliary chain's section.
 */
export function checkConfigsAgree(facilitator: FacilitatorConfig, mosaic: MosaicConfigShape, sources: ConfigSources): AuxiliaryChainConfig {
  if (mosaic.originChain.chainId !== facilitator.originChainId) {
    throw new ConfigError(
      `chain id mismatch: ${sources.mosaic} has originChain.chainId ${mosaic.originChain.chainId}, ${sources.facilitator} has originChainId ${facilitator.originChainId}`,
    );
  }
  return auxiliaryChainOf(mosaic, facilitator.auxChainId, sources.mosaic);
}

/**
 * Both configs of one facilitator, checked against each other, with the getters the rest of the
 * code base asks for (the original design's "Config"). Addresses come back lowercase.
 */
export class Config {
  readonly pair: AuxiliaryChainConfig;

  constructor(
    readonly facilitator: FacilitatorConfig,
    readonly mosaic: MosaicConfigShape,
    readonly sources: ConfigSources = { facilitator: 'facilitator-config', mosaic: 'mosaic-config' },
  ) {
    this.pair = checkConfigsAgree(facilitator, mosaic, sources);
  }

  /**
   * Loads and validates both files. The mosaic-config path is, in order: `mosaicConfigPath`, the
   * facilitator-config's `mosaicConfig`, ~/.mosaic/<aux-chain-id>/mosaic.json.
   */
  static load(facilitatorConfigPath: string, mosaicConfigPath?: string): Config {
    const facilitatorPath = resolve(facilitatorConfigPath);
    const facilitator = loadFacilitatorConfig(facilitatorPath);
    const mosaicPath = resolve(mosaicConfigPath ?? facilitator.mosaicConfig ?? defaultMosaicConfigPath(facilitator.auxChainId));
    const mosaic = loadMosaicConfig(mosaicPath);
    return new Config(facilitator, mosaic, { facilitator: `facilitator-config ${facilitatorPath}`, mosaic: `mosaic-config ${mosaicPath}` });
  }

  get originChainId(): number {
    return this.facilitator.originChainId;
  }

  get auxChainId(): number {
    return this.facilitator.auxChainId;
  }

  /** The SQLite file, or the PostgreSQL URL (credentials hidden), for messages. */
  get databasePath(): string {
    const { database } = this.facilitator;
    return database.client === 'postgres' ? redactUrl(database.url!) : database.path!;
  }

  /** Settings of the origin or the auxiliary chain; any other id is an error. */
  chain(chainId: number): ChainSettings {
    const chain = this.facilitator.chains[String(chainId)];
    if (!chain) {
      throw new ConfigError(`chain ${chainId} is neither the origin (${this.originChainId}) nor the auxiliary chain (${this.auxChainId}) of this facilitator`);
    }
    return chain;
  }

  /** The chain's JSON-RPC endpoints, preferred first. */
  rpc(chainId: number): string[] {
    return this.chain(chainId).rpc;
  }

  workers(chainId: number): string[] {
    return [...this.chain(chainId).workers];
  }

  /** Every worker of both chains, each once. */
  allWorkers(): string[] {
    return [...new Set([...this.workers(this.originChainId), ...this.workers(this.auxChainId)])];
  }

  encryptedAccount(address: string): KeystoreV3 {
    const keystore = this.facilitator.encryptedAccounts[normalizeAddress(address)];
    if (!keystore) throw new ConfigError(`${this.sources.facilitator}: encryptedAccounts has no keystore for ${normalizeAddress(address)}`);
    return keystore;
  }

  get composerAddress(): string {
    return this.pair.contractAddresses.origin.ostComposerAddress;
  }

  get gatewayAddress(): string {
    return this.pair.contractAddresses.origin.ostEIP20GatewayAddress;
  }

  get coGatewayAddress(): string {
    return this.pair.contractAddresses.auxiliary.ostEIP20CogatewayAddress;
  }

  /** The anchor on the origin chain (holds auxiliary state roots). */
  get originAnchorAddress(): string {
    return this.pair.contractAddresses.origin.anchorAddress;
  }

  /** The anchor on the auxiliary chain (holds origin state roots). */
  get auxiliaryAnchorAddress(): string {
    return this.pair.contractAddresses.auxiliary.anchorAddress;
  }

  /**
   * Gateways whose stake requests, and cogateways whose redeem requests, are facilitated:
   * `facilitation.supportedGateways`, else the mosaic-config's gateway pair.
   */
  get supportedGateways(): string[] {
    return this.facilitator.facilitation?.supportedGateways ?? [this.gatewayAddress, this.coGatewayAddress];
  }

  /** The process-lock key: one running facilitator per aux chain and set of worker keys. */
  get lockKey(): string {
    return `facilitator:${this.auxChainId}:${[...this.allWorkers()].sort().join(',')}`;
  }
}
