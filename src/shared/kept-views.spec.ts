import { KeptViews } from './kept-views';

describe('KeptViews', () => {
  const value = () => ({});

  it('renders a page once per progress value, again for a new value', () => {
    const kept = new KeptViews<object, string>(4);
    const first = value();
    let renders = 0;
    const render = () => `rows ${++renders}`;
    expect(kept.get('a', first, render)).toBe('rows 1');
    expect(kept.get('a', first, render)).toBe('rows 1');
    const next = value();
    expect(kept.get('a', next, render)).toBe('rows 2');
    expect(kept.get('a', first, render)).toBe('rows 3');
  });

  it('forgets a view only if it is still the one kept', () => {
    const kept = new KeptViews<object, string>(4);
    const progress = value();
    let renders = 0;
    const render = () => `rows ${++renders}`;
    kept.get('a', progress, render);
    kept.forget('a', 'rows 0');
    expect(kept.get('a', progress, render)).toBe('rows 1');
    kept.forget('a', 'rows 1');
    expect(kept.get('a', progress, render)).toBe('rows 2');
  });

  it('keeps at most its capacity, dropping the page shown longest ago', () => {
    const kept = new KeptViews<object, string>(2);
    const progress = value();
    let renders = 0;
    const render = () => `rows ${++renders}`;
    kept.get('a', progress, render);
    kept.get('b', progress, render);
    kept.get('a', progress, render); // a shown again: b is now the oldest
    kept.get('c', progress, render);
    expect(kept.size).toBe(2);
    expect(kept.get('a', progress, render)).toBe('rows 1');
    expect(kept.get('b', progress, render)).toBe('rows 4');
  });
});
