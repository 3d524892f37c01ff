/**
 * Every AWS operation the operator sends is paced in a named API class. The operations are found in
 * the source itself (each `new XxxCommand(` of an AWS SDK client outside the emulator), so one added
 * without a class fails here, naming it, instead of going out unpaced.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { API_CLASSES, apiClassOf, CLASSIFIED_OPERATIONS } from '../../src/aws/api-classes.js';
import { send } from '../../src/aws/call.js';
import { agentCoreService } from '../../src/emulator/agentcore/index.js';
import { DEFAULT_RATES } from '../../src/emulator/quotas.js';
import { SDK_CLIENT, sentCommands } from './sent-commands.js';

const sent = sentCommands();

function classOrUndefined(operation: string): string | undefined {
  try {
    return apiClassOf(operation);
  } catch {
    return undefined;
  }
}

describe('API classes of the AWS operations the operator sends', () => {
  test('every operation sent from src/ has an API class', () => {
    const missing = sent.filter((s) => classOrUndefined(s.operation) === undefined).map((s) => `${s.where}: ${s.operation} (${s.pkg ?? 'unknown client'})`);
    expect(missing).toEqual([]);
  });

  test('the scan traces every command to its SDK client, and sees one of every client the operator depends on', () => {
    expect(sent.filter((s) => s.pkg === undefined).map((s) => `${s.where}: ${s.operation}Command`)).toEqual([]);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const clients = Object.keys(pkg.dependencies).filter((name) => SDK_CLIENT.test(name));
    expect(clients.length).toBeGreaterThan(0);
    expect([...new Set(sent.map((s) => s.pkg))].sort()).toEqual(clients.sort());
  });

  test('no operation name is sent through two clients (the table keys on the name alone)', () => {
    const clientsOf = new Map<string, Set<string | undefined>>();
    for (const s of sent) clientsOf.set(s.operation, (clientsOf.get(s.operation) ?? new Set()).add(s.pkg));
    expect([...clientsOf].filter(([, c]) => c.size > 1).map(([operation, c]) => `${operation}: ${[...c].join(', ')}`)).toEqual([]);
  });

  test('every class has a client rate, and is a class the emulator meters', () => {
    const classes = [...new Set(CLASSIFIED_OPERATIONS.map(apiClassOf))];
    expect(classes.filter((c) => !API_CLASSES.includes(c))).toEqual([]);
    expect(API_CLASSES.filter((c) => !(c in DEFAULT_RATES))).toEqual([]);
  });

  test('an AgentCore operation is in the class the emulator meters it in', () => {
    const { operations } = agentCoreService();
    const differing = operations
      .filter((op) => CLASSIFIED_OPERATIONS.includes(op.name) && apiClassOf(op.name) !== op.apiClass)
      .map((op) => `${op.name}: ${apiClassOf(op.name)}, emulator ${op.apiClass}`);
    expect(differing).toEqual([]);
    const served = new Set(operations.map((op) => op.name));
    const sentToAgentCore = sent.filter((s) => s.pkg === '@aws-sdk/client-bedrock-agentcore-control').map((s) => s.operation);
    expect(sentToAgentCore.filter((operation) => !served.has(operation))).toEqual([]);
  });

  test('an operation without a class is refused, not sent unpaced', async () => {
    expect(() => apiClassOf('FrobnicateWidget')).toThrow('AWS operation FrobnicateWidget has no API class');
    expect(() => apiClassOf('constructor')).toThrow(/no API class/);

    class FrobnicateWidgetCommand {}
    const delivered: unknown[] = [];
    const acquired: string[] = [];
    const client = { send: async (command: unknown) => delivered.push(command) };
    await expect(send(client, new FrobnicateWidgetCommand(), { acquire: async (apiClass) => void acquired.push(apiClass) })).rejects.toThrow(/FrobnicateWidget has no API class/);
    await expect(send(client, new FrobnicateWidgetCommand())).rejects.toThrow(/FrobnicateWidget has no API class/);
    expect([delivered, acquired]).toEqual([[], []]);
  });
});
