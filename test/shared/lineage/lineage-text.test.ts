import assert from 'node:assert/strict';
import { decodeLineage, encodeLineage, LINEAGE_CODES, lineageDrift, type PartitionLineage } from '../../../shared/lineage/lineage-record.js';
import { inputSourcesOf } from '../../../shared/lineage/input-fingerprints.js';
import { ANALYTICS_TABLES, RAW_TABLES } from '../../../shared/tables/names.js';
import { tableSpec } from '../../../shared/tables/registry.js';
import { lineageTextInFull } from '../../support/lineage-text.js';

/** The lineage of a partition of `table` with every input it reads, each with a distinct fingerprint. */
function lineageOf(table: (typeof ANALYTICS_TABLES)[number]): PartitionLineage {
  const spec = tableSpec(table);
  const inputs = Object.fromEntries(inputSourcesOf(spec).map((source, i) => [source.name, `${i}`.padStart(16, 'a')]));
  return { v: 1, transform: `${table}@${spec.transformVersion}`, inputs };
}

const fresh = (text: string) => ({ min: text, max: text, untrackedRows: 0 });

describe('the lineage text a partition\'s rows carry', function () {
  it('pins each table\'s code: they are stored in the warehouse and must never change', function () {
    assert.deepEqual(LINEAGE_CODES, {
      nbac_schedule: 'sch', nbac_team_boxscore: 'box', nbac_gamebook_player_stats: 'gb', odds_api_player_points_props: 'pp',
      odds_api_game_lines: 'gl', nbac_injury_report: 'inj', player_game_summary: 'pgs', team_offense_game_summary: 'tos',
      team_defense_game_summary: 'tds', upcoming_team_game_context: 'utc', upcoming_player_game_context: 'upc',
    });
    const codes = Object.values(LINEAGE_CODES);
    assert.equal(new Set(codes).size, codes.length, 'codes are unique');
    assert.deepEqual(Object.keys(LINEAGE_CODES).sort(), [...RAW_TABLES, ...ANALYTICS_TABLES].sort(), 'every table has one');
    for (const code of codes) assert.match(code, /^[a-z]+$/, 'no underscore: a code is never a table name');
  });

  for (const table of ANALYTICS_TABLES) {
    it(`${table}: written with codes, read back as the same lineage, in at most 60% of the text in full`, function () {
      const lineage = lineageOf(table);
      const text = encodeLineage(lineage);
      assert.deepEqual(decodeLineage(text), lineage);
      assert.ok(text.startsWith(`{"v":2,"t":"${LINEAGE_CODES[table]}@`), text);
      assert.ok(!text.includes(table), `the table's name is its code: ${text}`);
      assert.ok(text.length <= 0.6 * lineageTextInFull(lineage).length, `${text.length} characters against ${lineageTextInFull(lineage).length}`);
      // The same lineage always gives the same text, whatever the order its inputs were listed in.
      const reversed = { ...lineage, inputs: Object.fromEntries(Object.entries(lineage.inputs).reverse()) };
      assert.equal(encodeLineage(reversed), text);
    });

    it(`${table}: a partition written before the codes is read as the same lineage: current, not rebuilt`, function () {
      const lineage = lineageOf(table);
      assert.deepEqual(decodeLineage(lineageTextInFull(lineage)), lineage);
      assert.equal(lineageDrift(fresh(lineageTextInFull(lineage)), lineage), null);
      const [first] = Object.keys(lineage.inputs).sort();
      const changed = { ...lineage, inputs: { ...lineage.inputs, [first as string]: 'ffffffffffffffff' } };
      assert.deepEqual(lineageDrift(fresh(lineageTextInFull(lineage)), changed), { kind: 'inputs', inputs: [first] });
      assert.deepEqual(lineageDrift(fresh(encodeLineage(lineage)), changed), { kind: 'inputs', inputs: [first] });
    });
  }

  it('keeps a name it has no code for, both ways, and reads a code it does not know as an input of that name', function () {
    const lineage: PartitionLineage = { v: 1, transform: 'some_new_table@3', inputs: { some_new_input: '0123456789abcdef', nbac_schedule: 'fedcba9876543210' } };
    const text = encodeLineage(lineage);
    assert.equal(text, '{"v":2,"t":"some_new_table@3","i":{"sch":"fedcba9876543210","some_new_input":"0123456789abcdef"}}');
    assert.deepEqual(decodeLineage(text), lineage);
    const unknownCode = decodeLineage('{"v":2,"t":"pgs@1","i":{"zz":"0123456789abcdef"}}');
    assert.deepEqual(unknownCode, { v: 1, transform: 'player_game_summary@1', inputs: { zz: '0123456789abcdef' } });
  });

  it('reads text of neither form, or of a later version, as no lineage (the partition is untracked)', function () {
    for (const text of ['', 'not json', '{"v":3,"t":"pgs@1","i":{}}', '{"v":2,"t":"pgs@1"}', '{"v":1,"t":"pgs@1","i":{}}', '[]']) {
      assert.equal(decodeLineage(text), null, text);
      assert.deepEqual(lineageDrift(fresh(text), lineageOf('player_game_summary')), { kind: 'untracked' }, text);
    }
    assert.equal(decodeLineage(null), null);
  });
});
