import { resolve } from 'node:path';
import { SIGNING_SECRET_VARS } from '../config/config.js';
import { isSocketName, SOCKET_KEY_VARS, SOCKET_NAMES } from '../realtime/sockets.js';
import { generateSecret, inspectKeysFile, keysFileUnusable, splitKeyList, writeKeysFile } from './keys-file.js';

const USAGE = `Usage:
  scan2food keys generate            print fresh keys and secrets (env format) on stdout
  scan2food keys rotate <socket>     add a new current key to the keys file; older keys stay valid
  scan2food keys retire <socket>     keep only the current key; connections on older keys are closed (4001)
  <socket> is one of: ${SOCKET_NAMES.join(', ')}
The keys file is KEYS_FILE, default DATA_DIR/keys.env (DATA_DIR defaults to ./data).`;

export function keysFilePath(env: NodeJS.ProcessEnv): string {
  return resolve(env.KEYS_FILE ?? `${resolve(env.DATA_DIR ?? './data')}/keys.env`);
}

/**
 * `scan2food keys …`. Rotation edits the keys file the running servers watch: they pick the
 * change up within a second (or at once on SIGHUP). Keys are never printed except by
 * `generate`, whose whole purpose is to print them.
 */
export function runKeysCommand(args: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): number {
  const [action, socket] = args;
  if (action === 'generate') {
    for (const s of SOCKET_NAMES) out(`${SOCKET_KEY_VARS[s]}=${generateSecret()}`);
    for (const name of SIGNING_SECRET_VARS) out(`${name}=${generateSecret()}`);
    return 0;
  }
  if ((action !== 'rotate' && action !== 'retire') || !socket || !isSocketName(socket)) {
    out(USAGE);
    return 2;
  }
  const file = keysFilePath(env);
  const unusable = keysFileUnusable(file);
  if (unusable) {
    out(unusable);
    return 1;
  }
  // Rewriting a damaged file would silently drop its bad lines (perhaps a key someone typed in
  // by hand): refuse and say which lines, never what they hold.
  const { values, problems } = inspectKeysFile(file);
  if (problems.length > 0) {
    out(`The keys file ${file} has lines that are not NAME=value keys (${problems.map((p) => `line ${p.line}: ${p.reason}`).join('; ')}); fix or remove them, then run this again. Nothing was changed.`);
    return 1;
  }
  const name = SOCKET_KEY_VARS[socket];
  const current = splitKeyList(values[name] ?? env[name]);
  if (action === 'rotate') {
    values[name] = [generateSecret(), ...current].join(',');
    writeKeysFile(file, values);
    out(`${name}: new current key written to ${file}; ${current.length} older key(s) still accepted.`);
    out(`Give the new key to the integrations, then run: scan2food keys retire ${socket}`);
  } else {
    if (current.length === 0) {
      out(`${name} has no key in ${file} or the environment; nothing to retire.`);
      return 1;
    }
    values[name] = current[0] as string;
    writeKeysFile(file, values);
    out(`${name}: ${current.length - 1} older key(s) retired in ${file}; running servers close their connections with 4001.`);
  }
  if (env[name] !== undefined) out(`Note: ${name} is also set in the environment; the keys file takes precedence while it names ${name}.`);
  return 0;
}
