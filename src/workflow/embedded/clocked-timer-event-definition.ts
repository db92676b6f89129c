import { ISOInterval, getDate } from '@0dep/piso';
import { TimerEventDefinition } from 'bpmn-elements';
import type { Clock } from '../../shared/clock';

/**
 * bpmn-elements' timer event definition, reading "now" from the engine's `Clock` (passed as the
 * `workflowClock` service) instead of `new Date()`, so that a controlled clock drives timers and the
 * due instant is the same before and after a restart. Everything else is the library's behaviour.
 */
function now(definition: { environment: { services: Record<string, unknown> } }): Date {
  const clock = definition.environment.services.workflowClock as Clock | undefined;
  return clock ? clock.now() : new Date();
}

const Base = TimerEventDefinition as unknown as { prototype: Record<string, any>; call(self: unknown, ...args: unknown[]): void };

export function ClockedTimerEventDefinition(this: any, activity: unknown, eventDefinition: unknown) {
  Base.call(this, activity, eventDefinition);
}

ClockedTimerEventDefinition.prototype = Object.create(Base.prototype);
ClockedTimerEventDefinition.prototype.constructor = ClockedTimerEventDefinition;

ClockedTimerEventDefinition.prototype.parse = function parse(timerType: string, value: string) {
  const at = now(this);
  if (timerType === 'timeDate') {
    const expireAt = getDate(value);
    return { expireAt, repeat: undefined, delay: expireAt.getTime() - at.getTime() };
  }
  const parsed = new ISOInterval(value).parse();
  const expireAt = parsed.getExpireAt(at, at);
  return { expireAt, repeat: parsed.repeat, delay: expireAt.getTime() - at.getTime() };
};

const timerTypes = ['timeDuration', 'timeCycle', 'timeDate'] as const;

// Same as the library's `_getTimers`, with the clock's "now".
ClockedTimerEventDefinition.prototype._getTimers = function getTimers(executeMessage: { fields?: { redelivered?: boolean }; content: Record<string, any> }) {
  const content = executeMessage.content;
  const result: Record<string, any> = { ...('expireAt' in content && { expireAt: new Date(content.expireAt) }) };
  const at = now(this);
  for (const timerType of timerTypes) {
    if (timerType in content) result[timerType] = content[timerType];
    else if (timerType in this) result[timerType] = this.environment.resolveExpression(this[timerType], executeMessage);
    else continue;
    let expireAtDate: Date;
    let repeat: number | undefined;
    const timerString = result[timerType];
    if (timerString) {
      const parsed = this.parse(timerType, timerString);
      repeat = parsed.repeat;
      if (!parsed.expireAt || !parsed.expireAt.getTime) throw new TypeError(`Parsed ${timerType} "${timerString}" expireAt failed to resolve to a date`);
      expireAtDate = parsed.expireAt;
    } else {
      expireAtDate = at;
    }
    if (!('expireAt' in result) || result.expireAt > expireAtDate) {
      result.timerType = timerType;
      result.expireAt = expireAtDate;
      result.repeat = repeat;
    }
  }
  if ('expireAt' in result) result.timeout = result.expireAt.getTime() - at.getTime();
  else if ('timeout' in content) result.timeout = content.timeout;
  else if (!Object.keys(result).length) result.timeout = 0;
  // Fell due while the instance slept: fired by the engine's scheduler once the whole instance is back,
  // not during the recovery. Completing here, the timer ended before the elements declared after it had
  // resumed: an event-based gateway's discard of its message event then reached nothing, and the event
  // kept waiting after the instance had reached its end (every deadline watch whose alarm had fired).
  if (executeMessage.fields?.redelivered && result.timeout <= 0) result.timeout = 1;
  if (content.inbound?.[0] && 'repeat' in content.inbound[0]) result.repeat = content.inbound[0].repeat;
  return result;
};
