import type { Rng } from './prng.js';

/**
 * Made-up player names. Some carry an apostrophe, a hyphen, a suffix or a diacritic, as real
 * names do, so that whatever reads `player_name` meets them; `player_lookup` is always plain.
 */
const FIRST_NAMES = [
  'Aaron', 'Adrian', 'Alec', 'Andre', 'Anthony', 'Ben', 'Bobby', 'Brandon', 'Bruce', 'Caleb', 'Cam', 'Carlos',
  'Chris', 'Cole', 'Corey', 'Damian', 'Darius', 'De\'Andre', 'De\'Von', 'Derrick', 'Devin', 'Dillon', 'Domantas',
  'Donovan', 'Dwayne', 'Eric', 'Evan', 'Frank', 'Gary', 'Goran', 'Grant', 'Isaiah', 'Ivica', 'Jabari', 'Jalen',
  'Jamal', 'Jaren', 'Jarrett', 'Jaylen', 'Jeff', 'Jerami', 'Joel', 'Jonas', 'Jordan', 'Josh', 'Jrue', 'Julius',
  'Justin', 'Karl', 'Kawhi', 'Keldon', 'Kelly', 'Kemba', 'Kevin', 'Kyle', 'Lamar', 'Lonzo', 'Luka', 'Malik',
  'Marcus', 'Mason', 'Mikal', 'Miles', 'Nikola', 'Norman', 'Omari', 'Pascal', 'Paul', 'Quentin', 'Reggie',
  'Robert', 'Rudy', 'Seth', 'Shai', 'Spencer', 'Terrence', 'Thaddeus', 'Tobias', 'Trae', 'Tyrese', 'Victor',
  'Wendell', 'Xavier', 'Zach',
] as const;

const LAST_NAMES = [
  'Adams', 'Allen', 'Anderson', 'Barnes', 'Beasley', 'Bogdanović', 'Brooks', 'Brown', 'Bryant', 'Caldwell-Pope',
  'Carter', 'Clarke', 'Collins', 'Conley', 'Craig', 'Crowder', 'Davis', 'DeRozan', 'Dončić', 'Dort', 'Edwards',
  'Ellis', 'Evans', 'Fox', 'Gibson', 'Gordon', 'Grant', 'Green', 'Harris', 'Hart', 'Hayes', 'Hill', 'Holiday',
  'Hunter', 'Ingram', 'Jackson', 'James', 'Johnson', 'Jones', 'Jokić', 'Kennard', 'King', 'Knox', 'Lee', 'Lewis',
  'Lopez', 'Love', 'Lowry', 'Martin', 'Matthews', 'McCollum', 'Miller', 'Mitchell', 'Moore', 'Morris', 'Murray',
  'Nance', 'Nurkić', 'O\'Neale', 'Oubre', 'Parker', 'Payton', 'Porter', 'Powell', 'Randle', 'Reed', 'Richardson',
  'Robinson', 'Rose', 'Ross', 'Russell', 'Saric', 'Schröder', 'Simmons', 'Smart', 'Smith', 'Tatum', 'Taylor',
  'Thomas', 'Thompson', 'Tucker', 'Turner', 'Valančiūnas', 'Walker', 'Wallace', 'Warren', 'Washington', 'Watson',
  'White', 'Wiggins', 'Williams', 'Wilson', 'Wright', 'Young',
] as const;

const SUFFIXES = ['Jr.', 'II', 'III', 'Sr.'] as const;

/** `player_lookup`: the name folded to lowercase ASCII letters and digits (`Luka Dončić` -> `lukadoncic`). */
export function playerLookup(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A new name whose lookup is not in `taken`; adds the lookup to `taken`. */
export function newPlayerName(rng: Rng, taken: Set<string>): { name: string; lookup: string } {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    let name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
    if (rng.chance(0.05)) name += ` ${rng.pick(SUFFIXES)}`;
    const lookup = playerLookup(name);
    if (!taken.has(lookup)) {
      taken.add(lookup);
      return { name, lookup };
    }
  }
  throw new Error('ran out of player names');
}
