import assert from 'node:assert/strict';
import { ROSTER_SIZE, buildRosters } from '../../sample/rosters.js';
import { TEAM_ABBRS } from '../../sample/teams.js';
import { playerLookup } from '../../sample/player-names.js';

describe('sample rosters', () => {
  const rosters = buildRosters(11, 2016, 2023);

  it('gives each of the 30 teams 15 distinct players every season', () => {
    for (const [year, season] of rosters) {
      assert.equal(season.size, 30, `${year}`);
      const lookups = [...season.values()].flatMap((r) => r.players.map((p) => p.player.lookup));
      assert.equal(lookups.length, 30 * ROSTER_SIZE);
      assert.equal(new Set(lookups).size, lookups.length, `${year}: a player on two teams`);
    }
  });

  it('keeps most players from one season to the next and moves some', () => {
    for (let year = 2017; year <= 2023; year += 1) {
      const teamOf = (y: number) => new Map([...rosters.get(y)!.values()].flatMap((r) => r.players.map((p) => [p.player.lookup, r.team] as const)));
      const before = teamOf(year - 1);
      const after = teamOf(year);
      const returning = [...after].filter(([lookup]) => before.has(lookup));
      const stayed = returning.filter(([lookup, team]) => before.get(lookup) === team).length;
      const moved = returning.length - stayed;
      assert.ok(stayed > 200 && moved > 30, `${year}: ${stayed} stayed, ${moved} moved`);
      assert.ok(after.size - returning.length > 20, `${year}: no new players`);
    }
  });

  it('keeps a player name and lookup for his whole career', () => {
    const names = new Map<string, string>();
    for (const season of rosters.values()) {
      for (const roster of season.values()) {
        for (const { player } of roster.players) {
          assert.equal(player.lookup, playerLookup(player.name));
          assert.equal(names.get(player.lookup) ?? player.name, player.name);
          names.set(player.lookup, player.name);
        }
      }
    }
  });

  it('rates teams around zero with a realistic spread', () => {
    for (const season of rosters.values()) {
      const ratings = TEAM_ABBRS.map((t) => season.get(t)!.rating);
      const mean = ratings.reduce((a, b) => a + b, 0) / ratings.length;
      const sd = Math.sqrt(ratings.reduce((a, b) => a + (b - mean) ** 2, 0) / ratings.length);
      assert.ok(Math.abs(mean) < 1.5 && sd > 2 && sd < 9, `mean ${mean}, sd ${sd}`);
    }
  });

  it('builds the same rosters for the same seed and others for another', () => {
    const lookups = (seed: number) => [...buildRosters(seed, 2016, 2017).get(2017)!.values()].map((r) => r.players.map((p) => p.player.lookup).join());
    assert.deepEqual(lookups(11), lookups(11));
    assert.notDeepEqual(lookups(12), lookups(11));
  });
});

describe('playerLookup', () => {
  it('folds a printed name to lowercase ASCII letters and digits', () => {
    assert.equal(playerLookup('Luka Dončić'), 'lukadoncic');
    assert.equal(playerLookup("De'Aaron Fox"), 'deaaronfox');
    assert.equal(playerLookup('Kentavious Caldwell-Pope'), 'kentaviouscaldwellpope');
    assert.equal(playerLookup('Gary Trent Jr.'), 'garytrentjr');
    assert.equal(playerLookup('Dennis Schröder'), 'dennisschroder');
  });
});
