// A binary min-heap: the planner's choice among the startable (startOrder) and the executor's
// ready queue, each in O(log n) instead of a sort per pick. Swaps go through a local, not a
// destructuring `[a[i], a[p]] = [a[p], a[i]]`: this code runs cold, once per boot, and V8's
// interpreter builds an array per such swap (4 ms of 500 pops at 500 containers, a profile).

/** A binary min-heap by `less` (negative: x first). */
export class MinHeap<T> {
  private readonly a: T[] = [];
  constructor(private readonly less: (x: T, y: T) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(v: T): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i]!, a[p]!) >= 0) break;
      const x = a[i]!;
      a[i] = a[p]!;
      a[p] = x;
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        const x = a[i]!;
        a[i] = a[m]!;
        a[m] = x;
        i = m;
      }
    }
    return top;
  }
}
