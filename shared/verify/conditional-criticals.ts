import type { AnalyticsTableName } from '../tables/names.js';

/**
 * Columns the contract lets be NULL only under a condition ("NULL only when not active"): the table
 * spec marks them nullable, so the verification checks them against the condition column instead.
 */
export const CONDITIONAL_CRITICALS: Readonly<Partial<Record<AnalyticsTableName, { readonly when: string; readonly columns: readonly string[] }>>> = {
  player_game_summary: {
    when: 'is_active',
    columns: [
      'minutes_played', 'points', 'fg_made', 'fg_attempted', 'three_pt_made', 'three_pt_attempted', 'ft_made', 'ft_attempted',
      'rebounds', 'assists', 'steals', 'blocks', 'turnovers', 'personal_fouls', 'plus_minus',
    ],
  },
};

/** Every NULL check of a table: each critical column always, each conditional one when its condition holds. */
export function nullChecksOf(
  table: AnalyticsTableName,
  columns: readonly { readonly name: string; readonly nullable: boolean }[],
): Array<{ column: string; when: string | null }> {
  const conditional = CONDITIONAL_CRITICALS[table];
  return [
    ...columns.filter((c) => !c.nullable).map((c) => ({ column: c.name, when: null })),
    ...(conditional ? conditional.columns.map((column) => ({ column, when: conditional.when })) : []),
  ];
}
