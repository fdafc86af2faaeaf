/** A pgvector text literal with 6 significant digits (parsing decimal text dominates insert cost). */
export function vectorLiteral(v: ArrayLike<number>): string {
  let out = '[';
  for (let i = 0; i < v.length; i++) {
    if (i > 0) out += ',';
    const x = v[i];
    out += x === 0 ? '0' : Number(x.toPrecision(6)).toString();
  }
  return `${out}]`;
}
