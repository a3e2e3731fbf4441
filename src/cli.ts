import { runBackupCommand, runRestoreCommand } from './backup/backup.command.js';
import { runMigrateCommand } from './cli/migrate.command.js';
import { runServe } from './cli/serve.command.js';
import { runKeysCommand } from './keys/keys.command.js';
import { runSeedCommand } from './seed/seed.command.js';

const HELP = `scan2food — in-seat food ordering for cinemas

Usage:
  scan2food serve                 start the server (what npm start runs)
  scan2food keys generate|rotate|retire [socket]
  scan2food seed FILE.json        load theatres, menus and accounts (idempotent by name)
  scan2food migrate [--dry-run]   bring the database schema up to this version (production never does it by itself)
  scan2food backup FILE           consistent copy of the SQLite database, while the server runs
  scan2food restore FILE          put a backup in place (servers on DATA_DIR stopped first)
  scan2food help`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  switch (command) {
    case 'serve':
      return runServe(process.env);
    case 'keys':
      return runKeysCommand(rest, process.env, print);
    case 'seed':
      return runSeedCommand(rest, process.env, print, (line) => process.stderr.write(`${line}\n`));
    case 'migrate':
      return runMigrateCommand(rest, process.env, print, (line) => process.stderr.write(`${line}\n`));
    case 'backup':
      return runBackupCommand(rest, process.env, print, (line) => process.stderr.write(`${line}\n`));
    case 'restore':
      return runRestoreCommand(rest, process.env, print, (line) => process.stderr.write(`${line}\n`));
    case 'help':
    case '--help':
    case '-h':
      print(HELP);
      return 0;
    default:
      process.stderr.write(`scan2food: unknown command "${command}"\n${HELP}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // One line that says what went wrong; the stack only when asked for (SCAN2FOOD_DEBUG=1).
    const message = err instanceof Error ? err.message : String(err);
    const stack = process.env.SCAN2FOOD_DEBUG && err instanceof Error ? `\n${err.stack ?? ''}` : '';
    process.stderr.write(`scan2food: ${message}${stack}\n(run again with SCAN2FOOD_DEBUG=1 for the details)\n`);
    process.exit(1);
  },
);
