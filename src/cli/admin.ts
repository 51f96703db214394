import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { adminTokenPath, readAdminToken } from '../config/admin-token';
import { UserInputError } from '../errors/user-errors';
import { parseChainId } from './option-parsers';
import { facilitatorConfigPath, type ConfigOptions } from './resolve-configs';
import { readRunFile } from './run-files';

interface AdminOptions extends ConfigOptions {
  statusUrl?: string;
  json: boolean;
}

/** The running facilitator's status URL: given, or from the run file of the config's auxiliary chain. */
function statusUrlOf(options: AdminOptions, configPath: string): string {
  if (options.statusUrl) return options.statusUrl;
  let auxChainId = options.auxChainId;
  if (auxChainId === undefined) {
    try {
      auxChainId = (JSON.parse(readFileSync(configPath, 'utf8')) as { auxChainId?: number }).auxChainId;
    } catch {
      throw new UserInputError(`cannot read ${configPath}: pass --facilitator-config, --aux-chain-id or --status-url`);
    }
  }
  const run = auxChainId === undefined ? undefined : readRunFile(auxChainId);
  if (!run?.statusUrl) throw new UserInputError(`no running facilitator with a status API for auxiliary chain ${String(auxChainId)}: start it, or pass --status-url`);
  return run.statusUrl;
}

/** Sends one admin mutation with the token beside the config; one line on refusal, never the token. */
async function sendAdmin(options: AdminOptions, document: string, variables: Record<string, unknown>): Promise<unknown> {
  const configPath = facilitatorConfigPath(options);
  const token = readAdminToken(adminTokenPath(configPath));
  const url = statusUrlOf(options, configPath).replace(/\/graphql$/, '') + '/admin';
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: document, variables }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new UserInputError(`the facilitator's admin API ${url} does not answer (${error instanceof Error ? error.message : String(error)}): is it running?`);
  }
  const body = (await response.json().catch(() => ({}))) as { data?: Record<string, unknown>; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new UserInputError(`refused (HTTP ${response.status}): ${body.errors.map((e) => e.message).join('; ')}`);
  if (!response.ok || !body.data) throw new UserInputError(`refused: HTTP ${response.status}`);
  return Object.values(body.data)[0];
}

function report(options: AdminOptions, result: unknown, line: (result: never) => string): void {
  process.stdout.write(`${options.json ? JSON.stringify(result) : line(result as never)}\n`);
}

function parseHash(value: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  throw new InvalidArgumentError('expected a message hash: 0x and 64 hex digits.');
}

function withCommonOptions(command: Command): Command {
  return command
    .option('--facilitator-config <path>', 'the facilitator-config: the admin-token file beside it is read (default ~/.mosaic/<aux-chain-id>/facilitator-config.json)')
    .option('--aux-chain-id <id>', 'auxiliary chain of the running facilitator', parseChainId)
    .option('--status-url <url>', 'its status API (default: from its run file)')
    .option('--json', 'print the answer as JSON', false);
}

interface MessageAnswer {
  message: { state: string };
  summary: string;
}

export function adminCommand(): Command {
  const admin = new Command('admin').description('admin actions on a running facilitator (loopback only, with the token in the admin-token file beside its config)');
  admin.addCommand(
    withCommonOptions(new Command('retry').argument('<message-hash>', 'the message', parseHash))
      .description('take a FAILED message up again and queue its failed steps again (or only --step)')
      .option('--step <purpose>', 'only this step, e.g. progressMint (a transaction purpose)')
      .action(async (hash: string, options: AdminOptions & { step?: string }) => {
        const document = 'mutation($h: String!, $s: String) { retryMessage(messageHash: $h, step: $s) { message { state } summary } }';
        report(options, await sendAdmin(options, document, { h: hash, s: options.step }), (r: MessageAnswer) => `${r.message.state}: ${r.summary}`);
      }),
  );
  admin.addCommand(
    withCommonOptions(new Command('abandon').argument('<message-hash>', 'the message', parseHash))
      .description('give a message up: ADMIN_ABANDONED (final), queued steps cancelled, its secret kept')
      .requiredOption('--reason <text>', 'why (recorded in its history)')
      .action(async (hash: string, options: AdminOptions & { reason: string }) => {
        const document = 'mutation($h: String!, $r: String!) { abandonMessage(messageHash: $h, reason: $r) { message { state } summary } }';
        report(options, await sendAdmin(options, document, { h: hash, r: options.reason }), (r: MessageAnswer) => `${r.message.state}: ${r.summary}`);
      }),
  );
  admin.addCommand(
    withCommonOptions(new Command('resync-nonce'))
      .description("reset a worker's next nonce from the chain (refused while any of its transactions is in flight)")
      .requiredOption('--chain-id <id>', 'the chain', parseChainId)
      .requiredOption('--worker <address>', 'the worker')
      .action(async (options: AdminOptions & { chainId: number; worker: string }) => {
        const document = 'mutation($c: Int!, $w: String!) { resyncWorkerNonce(chainId: $c, address: $w) { chainId worker previous next mined } }';
        const line = (r: { chainId: number; worker: string; previous: string | null; next: string }) => `worker ${r.worker} on chain ${r.chainId}: next nonce ${r.previous ?? 'none'} → ${r.next}`;
        report(options, await sendAdmin(options, document, { c: options.chainId, w: options.worker }), line);
      }),
  );
  return admin.addHelpText(
    'after',
    `
Examples:
  $ facilitator admin retry 0xabc… --aux-chain-id 1405
  $ facilitator admin retry 0xabc… --step progressMint --facilitator-config .devnet/facilitator-config.json
  $ facilitator admin abandon 0xabc… --reason "staker asked to revert" --aux-chain-id 1405
  $ facilitator admin resync-nonce --chain-id 1337 --worker 0x… --aux-chain-id 1405`,
  );
}
