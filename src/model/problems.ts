/**
 * Props validation: every problem is collected and thrown once, so a user fixes all of them in one pass.
 * Each message names the prop, the bad value and the fix.
 */
export function throwIfProblems(where: string, problems: string[]): void {
  if (problems.length === 0) return;
  const list = problems.map((p) => `  - ${p}`).join('\n');
  throw new Error(`${where}: invalid props (${problems.length}):\n${list}`);
}
