import { evaluate } from '@bpmn-io/feelin';
import { evaluateFeel, evaluateFeelList, evaluateFeelString, FeelEvaluationError } from './feel-expressions';

describe('FEEL expressions', () => {
  it('given a literal, then it is returned as written', () => {
    expect(evaluateFeel('PT1H', { a: 1 })).toBe('PT1H');
  });

  it('given =expression, then it is evaluated against the variables', () => {
    expect(evaluateFeel('=score >= 80', { score: 95 })).toBe(true);
    expect(evaluateFeelString('="Báo cáo " + unit', { unit: 'Hà Nội' })).toBe('Báo cáo Hà Nội');
  });

  it('given FEEL dates and durations, then they become ISO 8601 strings for timers', () => {
    expect(evaluateFeel('=duration("P2D")', {})).toBe('P2D');
    expect(evaluateFeel('=date and time("2026-11-15T00:00:00@Asia/Ho_Chi_Minh")', {})).toMatch(/^2026-11-15T00:00:00(\.000)?\+07:00$/);
  });

  it('given candidate lists, then FEEL lists and comma-separated literals both work', () => {
    expect(evaluateFeelList('=["quality", unit]', { unit: 'hue' })).toEqual(['quality', 'hue']);
    expect(evaluateFeelList('lan, minh', {})).toEqual(['lan', 'minh']);
    expect(evaluateFeelList(undefined, {})).toEqual([]);
  });

  it('given a broken expression, then a FeelEvaluationError names it', () => {
    expect(() => evaluateFeel('=score >=', {})).toThrow(FeelEvaluationError);
  });

  it('given the simple shapes the processes write, then the results are feelin\'s, whatever the variables hold', () => {
    const expressions = ['x', '[x]', '[x, y]', 'x = true', 'x = false', 'x = "approved"', 'x = ""', 'x = 12', 'x = -2', 'x = 0', 'count', '[count]', 'count = 1', 'date = true'];
    const values: unknown[] = [true, false, 'approved', '', 'true', 12, -2, 0, 1, 1.5, '12', null, [true], ['approved'], [], { a: 1 }, { approved: true }];
    const contexts: Record<string, unknown>[] = [{}, { y: 3 }, ...values.flatMap((x) => [{ x, y: 'b' }, { x }, { count: x, date: x }])];
    for (const expression of expressions) {
      for (const variables of contexts) {
        const viaFeelin = (() => {
          const value = evaluate(expression, variables).value;
          return typeof value === 'function' ? 'function' : value;
        })();
        const ours = evaluateFeel(`=${expression}`, variables);
        expect({ expression, variables, value: typeof ours === 'function' ? 'function' : ours }).toEqual({ expression, variables, value: viaFeelin });
      }
    }
  });
});
