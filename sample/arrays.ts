/** The element at `index`, which the caller knows exists (noUncheckedIndexedAccess otherwise widens it). */
export function at<T>(items: readonly T[], index: number): T {
  if (index < 0 || index >= items.length) throw new RangeError(`index ${index} outside 0..${items.length - 1}`);
  return items[index] as T;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * Split the integer `total` into integers proportional to `weights` (largest remainder), none above
 * its cap. The parts always add up to `total` when the caps allow it; ties go to the lower index.
 */
export function apportion(total: number, weights: readonly number[], caps?: readonly number[]): number[] {
  const n = weights.length;
  const parts = new Array<number>(n).fill(0);
  if (n === 0 || total <= 0) return parts;
  const cap = (i: number) => caps?.[i] ?? Number.POSITIVE_INFINITY;
  const weight = (i: number) => Math.max(weights[i] ?? 0, 0);
  const fraction = new Array<number>(n).fill(0);
  let remaining = total;
  // Each pass shares what is left among the parts still under their cap (one pass without caps).
  for (let pass = 0; pass <= n && remaining > 0; pass += 1) {
    let openWeight = 0;
    let openCount = 0;
    for (let i = 0; i < n; i += 1) {
      if ((parts[i] ?? 0) < cap(i)) {
        openWeight += weight(i);
        openCount += 1;
      }
    }
    if (openCount === 0) break;
    const left = remaining;
    const order: number[] = [];
    for (let i = 0; i < n; i += 1) {
      const part = parts[i] ?? 0;
      if (part >= cap(i)) continue;
      const share = openWeight > 0 ? (left * weight(i)) / openWeight : left / openCount;
      const next = part + Math.min(Math.floor(share), cap(i) - part);
      remaining -= next - part;
      parts[i] = next;
      fraction[i] = share - Math.floor(share);
      if (next < cap(i)) order.push(i);
    }
    order.sort((a, b) => (fraction[b] ?? 0) - (fraction[a] ?? 0) || a - b);
    for (const i of order) {
      if (remaining === 0) break;
      parts[i] = (parts[i] ?? 0) + 1;
      remaining -= 1;
    }
  }
  return parts;
}
