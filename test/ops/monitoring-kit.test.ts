import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { stoppedUnits } from '../../src/errors/stopped-units';
import { startStatusServer, type StatusServer } from '../../src/status/status-server';
import type { StatusSource } from '../../src/status/status-source';
import { openTestDatabase, type TestDatabase } from '../helpers/database';
import { seedBothDirections, sqlStatusSource } from '../status/both-directions';

const ROOT = join(__dirname, '..', '..');
const DASHBOARD = join(ROOT, 'ops', 'grafana', 'facilitator-dashboard.json');
const RULES = join(ROOT, 'ops', 'prometheus', 'facilitator-alerts.yml');

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
}
interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; definition?: string }> };
}
interface Rule {
  alert?: string;
  record?: string;
  expr?: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

const dashboard = () => JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
const rules = () => parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };

/** Every facilitator_* name a PromQL expression reads. */
function metricNames(expressions: string[]): Set<string> {
  return new Set(expressions.flatMap((expr) => expr.match(/\bfacilitator_[a-z0-9_]+/g) ?? []));
}

/** Brackets open and close in order (a cheap syntax check where no PromQL parser is at hand). */
function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const open: string[] = [];
  for (const char of expr.replace(/"[^"]*"/g, '""')) {
    if ('([{'.includes(char)) open.push(char);
    else if (char in pairs && open.pop() !== pairs[char]) return false;
  }
  return open.length === 0;
}

describe('monitoring kit (ops/): dashboard and alert rules', () => {
  it('the dashboard imports with a Prometheus datasource variable that every panel and query uses', () => {
    const board = dashboard();
    expect(board.uid).to.match(/^[a-z0-9-]+$/);
    const variable = board.templating.list.find((v) => v.type === 'datasource');
    expect(variable, 'a datasource variable').to.include({ name: 'datasource', query: 'prometheus' });
    const panels = board.panels.filter((p) => p.type !== 'row');
    expect(panels.length).to.be.above(10);
    expect(new Set(board.panels.map((p) => p.id)).size, 'panel ids are unique').to.equal(board.panels.length);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).to.deep.equal({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.gridPos, panel.title).to.have.all.keys('x', 'y', 'w', 'h');
      expect(panel.targets, panel.title).to.have.length.above(0);
      for (const target of panel.targets!) {
        expect(target.datasource?.uid, panel.title).to.equal('${datasource}');
        expect(balanced(target.expr), `${panel.title}: ${target.expr}`).to.equal(true);
      }
    }
  });

  it('the rules file has the structure Prometheus loads: groups of alerts with expr, for, severity and annotations', () => {
    const { groups } = rules();
    expect(groups).to.be.an('array').with.length.above(0);
    const names = new Set<string>();
    for (const group of groups) {
      expect(group.name).to.be.a('string');
      expect(group.rules).to.be.an('array').with.length.above(0);
      for (const rule of group.rules) {
        expect(Object.keys(rule).every((key) => ['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(key)), JSON.stringify(rule)).to.equal(true);
        expect(rule.alert).to.match(/^Facilitator[A-Z][A-Za-z]+$/);
        expect(names.has(rule.alert!), `${rule.alert} named once`).to.equal(false);
        names.add(rule.alert!);
        expect(rule.expr, rule.alert).to.be.a('string');
        expect(balanced(rule.expr as string), rule.alert).to.equal(true);
        if (rule.for !== undefined) expect(rule.for, rule.alert).to.match(/^\d+[smhd]$/);
        expect(rule.labels?.severity, rule.alert).to.be.oneOf(['warning', 'critical']);
        expect(rule.annotations?.summary, rule.alert).to.be.a('string');
        expect(rule.annotations?.description, rule.alert).to.be.a('string');
      }
    }
    for (const alert of ['FacilitatorNoActiveInstance', 'FacilitatorQueueGrowingNothingCompleted', 'FacilitatorOldestMessageWaitingTooLong', 'FacilitatorWorkerBalanceLow', 'FacilitatorStreamLagging']) {
      expect(names.has(alert), alert).to.equal(true);
    }
  });

  describe('every facilitator_* metric they read is served on /metrics', function () {
    this.timeout(30_000);
    let db: TestDatabase;
    let server: StatusServer;

    before(async () => {
      db = await openTestDatabase();
      await seedBothDirections(db.knex);
      const records = sqlStatusSource(db.knex);
      const worker = `0x${'31'.repeat(20)}`;
      // The records from SQLite; what the chains and engines would say, given (one of each series).
      const source: StatusSource = {
        ...records,
        workers: async () => [{ chainId: 1405, address: worker, balance: 10n ** 15n, pendingTransactions: [] }],
        streams: async () => [{ name: 'origin.StakeRequested', cursor: 90, subgraphHead: 100 }],
        engineCounters: () => [{ chainId: 1405, sent: 3, failed: 1, replaced: 0, feeCapWait: { neededPerGas: 9n, capPerGas: 5n, transactions: 1, since: Date.now() } }],
        workerGasFloors: () => [{ chainId: 1405, minGasBalance: 10n ** 16n }],
      };
      stoppedUnits.record('subgraph', 'kit-test-subgraph', new Error('a mapping failed'));
      stoppedUnits.record('stream', 'kit-test-stream', new Error('a handler failed'));
      stoppedUnits.record('worker', `1405:${worker}`, new Error('a worker failed'));
      server = await startStatusServer({ source, host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      stoppedUnits.clear('subgraph', 'kit-test-subgraph');
      stoppedUnits.clear('stream', 'kit-test-stream');
      stoppedUnits.clear('worker', `1405:0x${'31'.repeat(20)}`);
      await server?.close();
      await db?.close();
    });

    it('each name in the dashboard\u2019s queries and the alerts\u2019 expressions has a sample', async () => {
      const board = dashboard();
      const expressions = [
        ...board.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
        ...board.templating.list.map((v) => v.definition ?? ''),
        ...rules().groups.flatMap((g) => g.rules.map((r) => String(r.expr))),
      ];
      const names = metricNames(expressions);
      expect(names.size).to.be.above(15);
      const exposition = await (await fetch(new URL('/metrics', server.url))).text();
      const sampled = new Set(exposition.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(/[{ ]/)[0]));
      const missing = [...names].filter((name) => !sampled.has(name));
      expect(missing, 'named in ops/ but not served on /metrics').to.deep.equal([]);
    });
  });
});
