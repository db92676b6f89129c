import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/** Queue events the broker's own handler ignores (smqp's BrokerEventHandler has no case for them). */
const UNHEARD_QUEUE_EVENTS = new Set(['depleted', 'ready', 'saturated']);
let installed = false;
let enabled = true;
/** Drawn once per process: ids made by another process (saved in a state) cannot repeat this one's. */
const ID_PREFIX = randomBytes(4).toString('hex');
let idCounter = 0;
const nextId = () => ID_PREFIX + (idCounter++).toString(36);
/** Compiled routing patterns kept (the 110-unit cycle has ~5,000 distinct ones). */
const PATTERNS_KEPT = 20_000;

/** Test-only: with `false`, all five take the library's own path again (to compare the two). */
export function useBrokerShortcuts(on: boolean): void {
  enabled = on;
}

/**
 * Five shortcuts in bpmn-elements' message broker (its own copy of smqp), three for work that ends in
 * nothing. Counted on the 110-unit cycle: 1.71 M broker messages before, each an object allocated,
 * routed and acked; 1.07 M after.
 *
 * 1. A topic exchange that has bindings, none of them for this routing key, still queued the message
 *    for delivery, then found no queue for it (~100 k). When nothing waits in the exchange's delivery
 *    queue, the message would be routed at once against the same bindings, so testing them first
 *    gives the same outcome (the undeliverable return included) without the message.
 * 2. Before each run message an activity "formats" it: a correlation message published to its format
 *    queue, a consumer added and cancelled, to collect what extensions queued there first (bpmn-elements
 *    does so only for `bpmn:ioSpecification`). With that queue empty the outcome is the message
 *    unchanged, so it is passed on unchanged (~35 k formattings, each ~6 messages).
 * 3. A queue tells its broker when it ran empty, became ready or full (`queue.depleted`, `.ready`,
 *    `.saturated`: ~180 k), through its event exchange, where the broker's own handler is bound to
 *    every key (`#`) and ignores these three. When no other binding there takes the key, nobody
 *    would receive them.
 * 4. Every message, queue, consumer and execution gets an id from `Math.random().toString(16)`: a
 *    double printed in base 16, ~0.2 µs each (330 ms of the 110-unit cycle's thread). Ids only need to
 *    differ from the others of one engine, saved states included: a prefix drawn once per process
 *    and a counter give that (~0.03 µs), in the same broker-safe alphabet.
 * 5. Every binding compiles its routing pattern (`#`, `run.#`, `activity.*.<id>`…): an object or a
 *    RegExp each time, 318 k in the 110-unit cycle for 5 k distinct patterns. A compiled pattern only
 *    answers `test(key)` (no state: the RegExps have no `g` or `y` flag), so one per pattern is shared.
 *
 * Each keeps the library's own path whenever anything could see the difference. Installed once,
 * before any engine runs.
 */
export function installBrokerShortcuts(): void {
  if (installed) return;
  installed = true;
  const elementsDist = dirname(require.resolve('bpmn-elements'));
  const smqpDist = dirname(require.resolve('smqp', { paths: [elementsDist] }));

  const kBindings = Symbol.for('bindings');
  const kDeliveryQueue = Symbol.for('deliveryQueue');
  const kStopped = Symbol.for('stopped');
  const { Exchange } = require(join(smqpDist, 'Exchange.js'));
  const exchange = Object.getPrototypeOf(Exchange('probe', 'topic'));
  const publish = exchange.publish;
  exchange.publish = function publishRouted(this: any, routingKey: string, content: unknown, properties: unknown) {
    if (enabled && !this[kStopped] && this.type === 'topic' && this[kDeliveryQueue].messageCount === 0) {
      const bindings: { testPattern(key: string): boolean }[] = this[kBindings];
      if (bindings.length > 0 && !bindings.some((binding) => binding.testPattern(routingKey))) return this._emitReturn(routingKey, content, properties);
    }
    return publish.call(this, routingKey, content, properties);
  };

  const { Queue } = require(join(smqpDist, 'Queue.js'));
  const emit = Queue.prototype.emit;
  Queue.prototype.emit = function emitHeard(this: any, eventName: string, content: unknown) {
    if (enabled && UNHEARD_QUEUE_EVENTS.has(eventName) && onlyTheBrokerHears(this.events, `queue.${eventName}`)) return;
    return emit.call(this, eventName, content);
  };

  /** True when exactly one binding of an event exchange takes the key: the broker's own `#`. */
  const onlyTheBrokerHears = (events: any, routingKey: string): boolean => {
    const bindings: { testPattern(key: string): boolean }[] | undefined = events?.[kBindings];
    if (!bindings) return false;
    let hearing = 0;
    for (const binding of bindings) if (binding.testPattern(routingKey) && ++hearing > 1) return false;
    return hearing === 1;
  };

  const smqpShared = require(join(smqpDist, 'shared.js'));
  const elementsShared = require(join(elementsDist, 'shared.js'));
  const randomId: () => string = smqpShared.generateId;
  const uniqueId: (prefix: string) => string = elementsShared.getUniqueId;
  // Both libraries call these through their module's exports, so replacing the exports reaches every caller.
  smqpShared.generateId = elementsShared.generateId = function countedId() {
    return enabled ? nextId() : randomId();
  };
  elementsShared.getUniqueId = function countedUniqueId(prefix: string) {
    return enabled ? `${elementsShared.brokerSafeId(prefix)}_${nextId()}` : uniqueId(prefix);
  };

  const compilePattern: (pattern: string) => { test(key: string): boolean } = smqpShared.getRoutingKeyPattern;
  const compiledPatterns = new Map<string, { test(key: string): boolean }>();
  smqpShared.getRoutingKeyPattern = function sharedPattern(pattern: string) {
    if (!enabled) return compilePattern(pattern);
    let compiled = compiledPatterns.get(pattern);
    if (!compiled) {
      // Patterns that name an execution come and go with it: start over rather than keep them all.
      if (compiledPatterns.size >= PATTERNS_KEPT) compiledPatterns.clear();
      compiledPatterns.set(pattern, (compiled = compilePattern(pattern)));
    }
    return compiled;
  };

  const { Formatter } = require(join(elementsDist, 'MessageFormatter.js'));
  const format = Formatter.prototype.format;
  Formatter.prototype.format = function formatQueued(this: any, message: { content: unknown }, callback: (error: null, content: unknown, formatted: boolean) => void) {
    if (enabled && this.broker.getQueue('format-run-q')?.messageCount === 0) return callback(null, message.content, false);
    return format.call(this, message, callback);
  };
}
