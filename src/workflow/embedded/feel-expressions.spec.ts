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
});
