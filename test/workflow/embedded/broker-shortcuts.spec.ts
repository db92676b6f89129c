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
function countMessages(): { count: number; stop(): void } {
  const smqpDist = dirname(require.resolve('smqp', { paths: [dirname(require.resolve('bpmn-elements'))] }));
  const module = require(join(smqpDist, 'Message.js'));
  const Original = module.Message;
  const counter = { count: 0, stop: () => (module.Message = Original) };
  function Counted(this: unknown, ...args: unknown[]) {
    counter.count++;
    return new Original(...args);
  }
  Counted.prototype = Original.prototype;
  module.Message = Counted;
  return counter;
}

async function run(skip: boolean): Promise<{ events: string[]; ioInputs: unknown; output: unknown; messages: number }> {
  const events: string[] = [];
  let ioInputs: unknown;
  const counter = countMessages();
  try {
    const engine = new Engine({ name: 'shortcuts', source, variables: { skip } } as never);
    const listener = {
      emit(routingKey: string, api: { id: string; content: { ioSpecification?: { dataInputs?: unknown } }; signal(): void }) {
        if (!routingKey.startsWith('activity.') && !routingKey.startsWith('flow.')) return;
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
    return { events, ioInputs, output, messages: counter.count };
  } finally {
    counter.stop();
  }
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

  it('still formats a run message when an extension queued formatting (ioSpecification inputs)', async () => {
    const { ioInputs } = await run(false);
    expect(ioInputs).toEqual([{ id: 'input-unit', type: 'bpmn:DataInput', name: 'đơn vị' }]);
  });
});
