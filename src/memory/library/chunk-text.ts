/** The text a chunk's vector is made from: document title, heading path and the chunk itself. */
export function chunkEmbeddingText(title: string, headingPath: readonly string[], text: string): string {
  const context = [title, ...headingPath].filter((s) => s.trim().length > 0).join(' > ');
  return context ? `${context}\n${text}` : text;
}

/** Joins a heading path for display and full-text search (`Setup > Database`). */
export function headingOf(headingPath: readonly string[]): string {
  return headingPath.join(' > ');
}
