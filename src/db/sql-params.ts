/**
 * Collects the parameters of one SQL statement built from several parts: `add(v)` appends a value
 * and returns its placeholder (`$1`, `$2`, ...), so parts can be composed (for example several
 * data-modifying CTEs in one statement) without renumbering.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Appends `value`; returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** Placeholders for a list of values, comma-separated. */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.add(v)).join(', ');
  }
}
