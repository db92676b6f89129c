/**
 * Views derived from a kept value (one page of a dashboard, its JSON bytes), computed once per value
 * and key and served only for that very value: whoever keeps the value replaces it at the next write
 * that may change it, and a new value means new views, so a view is never staler than its source.
 * Bounded: at most `capacity` views, the one asked for longest ago dropped first. The source is held
 * weakly: a kept view does not keep an old value (10,000 units' progress) alive.
 */
export class KeptViews<Source extends object, View> {
  private readonly views = new Map<string, { source: WeakRef<Source>; view: View }>();

  constructor(private readonly capacity: number) {}

  get(key: string, source: Source, compute: () => View): View {
    const kept = this.views.get(key);
    this.views.delete(key);
    const entry = kept?.source.deref() === source ? kept : { source: new WeakRef(source), view: compute() };
    this.views.set(key, entry);
    if (this.views.size > this.capacity) this.views.delete(this.views.keys().next().value!);
    return entry.view;
  }

  /** Forgets a view (one whose computation failed: the next reader computes it again). */
  forget(key: string, view: View): void {
    if (this.views.get(key)?.view === view) this.views.delete(key);
  }

  get size(): number {
    return this.views.size;
  }
}
