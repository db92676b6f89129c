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

/** Test-only: with `false`, all six take the library's own path again (to compare the two). */
export function useBrokerShortcuts(on: boolean): void {
  enabled = on;
}

/**
 * Six shortcuts in bpmn-elements' message broker (its own copy of smqp), three for work that ends in
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
 * 6. Every queue and exchange gets an event exchange that only its broker listens to, at the cost of
 *    ~4 more queues, 2 consumers and a binding each: 650 queues in a waiting two-task engine, 486 KiB,
 *    copied by every young-generation collection while the engine is live. `BrokerHeard` (below)
 *    hands the events to the broker's handler (and to bindings' exact-key listeners) directly and
 *    builds the exchange for any other listener: 204 queues, 208 KiB.
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
  const { Exchange, EventExchange } = require(join(smqpDist, 'Exchange.js'));
  const exchange = Object.getPrototypeOf(Exchange('probe', 'topic'));
  const ExchangeBase = exchange.constructor;
  const BrokerHeard = brokerHeardEvents(EventExchange, exchange);
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
    if (enabled && UNHEARD_QUEUE_EVENTS.has(eventName) && (this.events instanceof BrokerHeard ? this.events.onlyTheBrokerHears(`queue.${eventName}`) : onlyTheBrokerHears(this.events, `queue.${eventName}`))) return;
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
  const { Broker } = require(join(smqpDist, 'Broker.js'));
  const kEntities = Symbol.for('entities');
  const kEventHandler = Symbol.for('eventHandler');
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

  // Both as the library writes them, but for the events: a BrokerHeard instead of an event exchange
  // with the broker's handler bound to `#`. Anything unusual (a bad name, a conflict) takes the
  // library's path, which throws as it always did.
  const createQueue = Broker.prototype.createQueue;
  Broker.prototype.createQueue = function createQueueHeard(this: any, queueName: unknown, options: unknown) {
    if (!enabled || (queueName && typeof queueName !== 'string')) return createQueue.call(this, queueName, options);
    const name = (queueName as string) || `smq.qname-${smqpShared.generateId()}`;
    if (this.getQueue(name)) return createQueue.call(this, name, options);
    const queue = new Queue(name, options, new BrokerHeard(`${name}__events`, this[kEventHandler].handler));
    this[kEntities].get('queues').set(name, queue);
    return queue;
  };
  const assertExchange = Broker.prototype.assertExchange;
  Broker.prototype.assertExchange = function assertExchangeHeard(this: any, name: unknown, type: unknown, options: unknown) {
    const valid = typeof name === 'string' && name && (type === undefined || type === 'topic' || type === 'direct');
    if (!enabled || !valid || this.getExchange(name)) return assertExchange.call(this, name, type, options);
    const exchange = new ExchangeBase(name, type || 'topic', options, new BrokerHeard(`${name}__events`, this[kEventHandler].handler));
    this[kEntities].get('exchanges').set(name, exchange);
    return exchange;
  };

  const { Formatter } = require(join(elementsDist, 'MessageFormatter.js'));
  const format = Formatter.prototype.format;
  Formatter.prototype.format = function formatQueued(this: any, message: { content: unknown }, callback: (error: null, content: unknown, formatted: boolean) => void) {
    if (enabled && this.broker.getQueue('format-run-q')?.messageCount === 0) return callback(null, message.content, false);
    return format.call(this, message, callback);
  };
}

type BrokerEventHandler = (routingKey: string, message: { fields: object; content: unknown; properties: object }) => void;

/**
 * Shortcut 6: the events of a queue or an exchange that only its broker listens to. smqp gives every
 * queue and exchange an event exchange of its own (itself a delivery queue, a consumer and its queue)
 * and binds the broker's handler to it with one more queue, binding and consumer: ~5 queues for each
 * queue an element asserts, most of an engine's memory. An event goes from the queue to the broker's
 * handler at once either way (the handler's consumer takes no ack), so it is handed to the handler
 * directly. The first other listener (`on`, or any other use of the exchange) builds the library's
 * event exchange, the broker's handler bound first as before, and every later event goes through it.
 */
function brokerHeardEvents(EventExchange: (name: string) => any, exchangePrototype: object) {
  class BrokerHeard {
    private exchange: any = null;
    /** Listeners to one exact key (each binding's `queue.delete`), called after the broker's handler as their bindings would be. */
    private readonly listeners: { key: string; handler: BrokerEventHandler }[] = [];

    constructor(
      readonly name: string,
      private readonly brokerHandler: BrokerEventHandler,
    ) {}

    /** True when no listener but the broker's handler takes this key (see `onlyTheBrokerHears` for a built exchange). */
    onlyTheBrokerHears(routingKey: string): boolean {
      return this.exchange === null && !this.listeners.some((listener) => listener.key === routingKey);
    }

    /** The library's event exchange, built on first use other than these, with every listener bound in order. */
    build(): any {
      if (!this.exchange) {
        this.exchange = EventExchange(this.name);
        this.exchange.on('#', this.brokerHandler);
        for (const { key, handler } of this.listeners.splice(0)) this.exchange.on(key, handler);
      }
      return this.exchange;
    }

    publish(routingKey: string, content: unknown, properties?: object): unknown {
      if (this.exchange) return this.exchange.publish(routingKey, content, properties);
      const message = { fields: { routingKey, exchange: this.name }, content, properties: { ...properties } };
      this.brokerHandler(routingKey, message);
      for (const listener of this.listeners.slice()) if (listener.key === routingKey) listener.handler(routingKey, message);
      return undefined;
    }

    emit(routingKey: string, content: unknown): unknown {
      return this.exchange ? this.exchange.emit(routingKey, content) : this.publish(routingKey, content);
    }

    on(pattern: string, handler: BrokerEventHandler, options?: object): unknown {
      if (this.exchange || options !== undefined || /[*#]/.test(pattern)) return this.build().on(pattern, handler, options);
      this.listeners.push({ key: pattern, handler });
      return undefined;
    }

    off(pattern: string, handler: BrokerEventHandler): unknown {
      if (this.exchange) return this.exchange.off(pattern, handler);
      const index = this.listeners.findIndex((listener) => listener.key === pattern && listener.handler === handler);
      if (index >= 0) this.listeners.splice(index, 1);
      return undefined;
    }
  }
  // Everything else an exchange does (on, bindQueue, bindings…) builds it and asks it.
  for (const key of Object.getOwnPropertyNames(exchangePrototype)) {
    if (key === 'constructor' || key === 'name' || Object.prototype.hasOwnProperty.call(BrokerHeard.prototype, key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(exchangePrototype, key)!;
    if (descriptor.get) Object.defineProperty(BrokerHeard.prototype, key, { get(this: BrokerHeard) { return this.build()[key]; } });
    else if (typeof descriptor.value === 'function') Object.defineProperty(BrokerHeard.prototype, key, { value(this: BrokerHeard, ...args: unknown[]) { const built = this.build(); return built[key](...args); } });
  }
  return BrokerHeard;
}
