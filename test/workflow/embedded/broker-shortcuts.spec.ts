import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Engine } from 'bpmn-engine';
import { installBrokerShortcuts, useBrokerShortcuts } from '../../../src/workflow/embedded/broker-shortcuts';

/**
 * The broker shortcuts (src/workflow/embedded/broker-shortcuts.ts) must change how many messages the
 * broker makes, never what a process does: the same process run with and without them gives the same
 * element events in the same order and the same formatted content (an ioSpecification's inputs take
 * the library's formatting path), with fewer messages.
 */
const source = readFileSync(join(__dirname, 'fixtures', 'broker-shortcuts.bpmn'), 'utf8');

/** Counts the messages bpmn-elements' broker creates (its own copy of smqp). */
function countMessages(): { count: number; messageIds: string[]; stop(): void } {
  const smqpDist = dirname(require.resolve('smqp', { paths: [dirname(require.resolve('bpmn-elements'))] }));
  const module = require(join(smqpDist, 'Message.js'));
  const Original = module.Message;
  const counter = { count: 0, messageIds: [] as string[], stop: () => (module.Message = Original) };
  function Counted(this: unknown, ...args: unknown[]) {
    counter.count++;
    const message = new Original(...args);
    counter.messageIds.push(message.properties.messageId);
    return message;
  }
  Counted.prototype = Original.prototype;
  module.Message = Counted;
  return counter;
}

async function run(skip: boolean): Promise<{ events: string[]; ioInputs: unknown; output: unknown; messages: number; messageIds: string[]; executionIds: Set<string> }> {
  const events: string[] = [];
  const executionIds = new Set<string>();
  let ioInputs: unknown;
  const counter = countMessages();
  try {
    const engine = new Engine({ name: 'shortcuts', source, variables: { skip } } as never);
    const listener = {
      emit(routingKey: string, api: { id: string; executionId: string; content: { ioSpecification?: { dataInputs?: unknown } }; signal(): void }) {
        if (!routingKey.startsWith('activity.') && !routingKey.startsWith('flow.')) return;
        if (api.executionId) executionIds.add(api.executionId); // activities' (a flow's event has none)
        events.push(`${routingKey} ${api.id}`);
        if (routingKey === 'activity.start' && api.id === 'io-task') ioInputs = api.content.ioSpecification?.dataInputs;
        if (routingKey === 'activity.wait') api.signal();
      },
    };
    const ended = new Promise<void>((resolve, reject) => {
      engine.once('end', () => resolve());
      engine.once('error', reject);
    });
    await engine.execute({ listener } as never);
    await ended;
    const output = engine.environment.output;
    return { events, ioInputs, output, messages: counter.count, messageIds: counter.messageIds, executionIds };
  } finally {
    counter.stop();
  }
}

/** Queues of the engine's brokers (smqp's), counted by walking what the engine holds. */
function reachableQueues(root: unknown): number {
  const seen = new Set<object>();
  const pending: unknown[] = [root];
  let queues = 0;
  while (pending.length) {
    const value = pending.pop();
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) continue;
    seen.add(value);
    if ((value as { constructor?: { name?: string } }).constructor?.name === 'Queue') queues++;
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) pending.push(descriptor.value);
    }
    if (value instanceof Map) for (const [key, entry] of value) pending.push(key, entry);
    if (value instanceof Set) for (const entry of value) pending.push(entry);
  }
  return queues;
}

describe('broker shortcuts', () => {
  beforeAll(() => installBrokerShortcuts());
  afterEach(() => useBrokerShortcuts(true));

  it.each([false, true])('run a process (skip=%s) exactly as the library does, with fewer broker messages', async (skip) => {
    useBrokerShortcuts(false);
    const library = await run(skip);
    useBrokerShortcuts(true);
    const shortcut = await run(skip);

    expect(shortcut.events).toEqual(library.events);
    expect(shortcut.output).toEqual(library.output);
    expect(library.events).toContain(skip ? 'activity.end skipped' : 'activity.end end');
    expect(shortcut.messages).toBeLessThan(library.messages * 0.9);
  });

  it('names executions and messages from one per-process prefix and a counter: never the same id twice', async () => {
    const prefixes = (ids: Iterable<string>) => new Set([...ids].map((id) => /[_-]([0-9a-z]+)$/.exec(id)![1].slice(0, 8)));
    const first = await run(false);
    const second = await run(false);
    expect(first.executionIds.size).toBeGreaterThan(5);
    expect([...first.executionIds].filter((id) => second.executionIds.has(id))).toEqual([]);
    // A message copied on (re-published, cloned) keeps its id; two runs never share one.
    const messageIds = [...first.messageIds, ...second.messageIds];
    const secondIds = new Set(second.messageIds);
    expect(first.messageIds.filter((id) => secondIds.has(id))).toEqual([]);
    expect(prefixes([...first.executionIds, ...second.executionIds, ...messageIds]).size).toBe(1);

    useBrokerShortcuts(false);
    const library = await run(false);
    expect(prefixes(library.executionIds).size).toBeGreaterThan(1);
    expect(prefixes(library.messageIds).size).toBeGreaterThan(1);
  });

  it('compiles each routing pattern once and shares it; every key still routes as the library routes it', () => {
    const smqpDist = dirname(require.resolve('smqp', { paths: [dirname(require.resolve('bpmn-elements'))] }));
    const { Broker } = require(join(smqpDist, 'index.js'));
    const patterns = ['#', 'run.#', 'activity.*', 'activity.*.exec_1', 'a.#.z', 'queue.delete'];
    const keys = ['run.execute', 'activity.wait', 'activity.wait.exec_1', 'activity.wait.exec_2', 'a.b.c.z', 'a.z', 'queue.delete', 'queue.deleted', 'x'];
    const compiled = (shortcuts: boolean) => {
      useBrokerShortcuts(shortcuts);
      const broker = Broker();
      const exchange = broker.assertExchange('events', 'topic');
      patterns.forEach((pattern, index) => {
        broker.assertQueue(`q${index}`);
        broker.assertQueue(`r${index}`);
        broker.bindQueue(`q${index}`, 'events', pattern);
        broker.bindQueue(`r${index}`, 'events', pattern);
      });
      const bindings: { pattern: string; testPattern(key: string): boolean; _compiledPattern: unknown }[] = exchange[Symbol.for('bindings')];
      return {
        shared: patterns.map((pattern) => new Set(bindings.filter((binding) => binding.pattern === pattern).map((binding) => binding._compiledPattern)).size),
        routes: bindings.map((binding) => keys.map((key) => binding.testPattern(key))),
      };
    };
    const library = compiled(false);
    const shortcut = compiled(true);
    expect(library.shared).toEqual(patterns.map(() => 2));
    expect(shortcut.shared).toEqual(patterns.map(() => 1));
    expect(shortcut.routes).toEqual(library.routes);
    expect(library.routes.flat().filter(Boolean).length).toBeGreaterThan(10);
  });

  it("builds a queue's or exchange's event exchange only for a listener other than the broker: an engine holds under half the queues", async () => {
    const queuesOf = async (shortcuts: boolean) => {
      useBrokerShortcuts(shortcuts);
      const engine = new Engine({ name: 'queues', source, variables: { skip: false } } as never);
      await engine.execute();
      return reachableQueues(engine);
    };
    const library = await queuesOf(false);
    const shortcut = await queuesOf(true);
    expect(library).toBeGreaterThan(100);
    expect(shortcut).toBeLessThan(library * 0.5);
  });

  it.each(['queue deleted with its last consumer', 'exchange deleted with its last binding', 'undeliverable message returned', 'listener added to a queue'])('tells the broker and every listener what the library tells them: %s', (scenario) => {
    const observe = (shortcuts: boolean) => {
      useBrokerShortcuts(shortcuts);
      const smqpDist = dirname(require.resolve('smqp', { paths: [dirname(require.resolve('bpmn-elements'))] }));
      const { Broker } = require(join(smqpDist, 'index.js'));
      const broker = Broker();
      const seen: string[] = [];
      broker.on('return', (message: { fields: { routingKey: string } }) => seen.push(`returned ${message.fields.routingKey}`));
      const exchange = broker.assertExchange('work', 'topic', { autoDelete: true });
      const queue = broker.assertQueue('jobs', { autoDelete: true, durable: false });
      broker.bindQueue('jobs', 'work', 'job.#');
      if (scenario === 'listener added to a queue') {
        queue.on('depleted', () => seen.push('depleted'));
        queue.consume((routingKey: string, message: { ack(): void }) => message.ack(), { consumerTag: 'drains' });
      }
      const consumer = broker.subscribeTmp('work', 'job.#', (routingKey: string, message: { ack(): void }) => (seen.push(`got ${routingKey}`), message.ack()));
      broker.publish('work', 'job.one', 'payload');
      if (scenario === 'undeliverable message returned') broker.publish('work', 'nobody.listens', 'payload', { mandatory: true });
      if (scenario === 'queue deleted with its last consumer') queue.consume(() => undefined, { consumerTag: 'only' }) && queue.cancel('only');
      if (scenario === 'exchange deleted with its last binding') (broker.cancel(consumer.consumerTag), broker.unbindQueue('jobs', 'work', 'job.#'));
      return { seen, queues: [...broker[Symbol.for('entities')].get('queues').keys()].filter((name: string) => !name.startsWith('smq.')), exchange: Boolean(broker.getExchange('work')), bindings: exchange.bindingCount, consumers: broker.getConsumers().length };
    };
    const library = observe(false);
    const shortcut = observe(true);
    expect(shortcut).toEqual(library);
    expect(library.seen).toContain('got job.one');
    if (scenario === 'listener added to a queue') expect(library.seen).toContain('depleted');
  });

  it('still formats a run message when an extension queued formatting (ioSpecification inputs)', async () => {
    const { ioInputs } = await run(false);
    expect(ioInputs).toEqual([{ id: 'input-unit', type: 'bpmn:DataInput', name: 'đơn vị' }]);
  });
});
