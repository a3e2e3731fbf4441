import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { assertVisible } from '../accounts/access.js';
import type { SignedIn } from '../accounts/session.http.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { appError } from '../http/errors.js';
import type { AuditLog } from '../observability/audit.js';
import { MenuRepository, type MenuItemView } from './menu.repository.js';
import { VenueRepository } from './venue.repository.js';

/*
 * Menu photos (SPEC §6 `imageUrl`). An upload is decoded whatever it claims to be, re-encoded to
 * a small WebP without metadata, and stored under the data folder by a name that changes with
 * its content, so browsers may cache it forever. Nothing is stored unless every check passed.
 */

/** The largest upload accepted, in bytes (the route's bodyLimit: nothing larger is buffered). */
export const MAX_MENU_IMAGE_BYTES = 5 * 1024 * 1024;
/** Decompression-bomb guard: an image declaring more pixels is refused before it is decoded. */
export const MAX_MENU_IMAGE_PIXELS = 40_000_000;
/** Stored photos are at most this wide (smaller ones are not enlarged). */
export const MENU_IMAGE_WIDTH = 800;
const WEBP_QUALITY = 80;

/** What an upload may declare, and the format its bytes must then really be. */
export const MENU_IMAGE_TYPES = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;
type Format = (typeof MENU_IMAGE_TYPES)[keyof typeof MENU_IMAGE_TYPES];

/** A stored photo's name: `<itemId>-<16 hex of its SHA-256>.webp`; the server serves no other name. */
export const MENU_IMAGE_KEY = /^[1-9][0-9]{0,9}-[0-9a-f]{16}\.webp$/;

/** The format the bytes really are, from their signature; null for anything else. */
export function sniffFormat(bytes: Buffer): Format | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

const notAnImage = (declared: string) =>
  appError('unsupported_media_type', `The file is not a valid ${declared.replace('image/', '').toUpperCase()} image (send a JPEG, PNG or WebP photo).`);

/**
 * The photo as stored: EXIF orientation applied, metadata dropped, WebP at most
 * MENU_IMAGE_WIDTH wide. Refusals: a declared type other than JPEG, PNG or WebP, bytes of
 * another format than declared, or a corrupt or truncated image: 415; more than
 * MAX_MENU_IMAGE_PIXELS: 413. Only the three signatures ever reach the decoder, so no SVG, TIFF
 * or HEIF parser runs on an upload.
 */
export async function toStoredPhoto(bytes: Buffer, contentType: string | undefined): Promise<Buffer> {
  const declared = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const expected = (MENU_IMAGE_TYPES as Record<string, Format>)[declared];
  if (!expected) throw appError('unsupported_media_type', 'Send the photo as image/jpeg, image/png or image/webp.');
  if (sniffFormat(bytes) !== expected) throw notAnImage(declared);
  const input = { limitInputPixels: MAX_MENU_IMAGE_PIXELS, failOn: 'error' } as const;
  try {
    const { width = 0, height = 0 } = await sharp(bytes, input).metadata();
    if (width * height > MAX_MENU_IMAGE_PIXELS) throw new Error('Input image exceeds pixel limit');
    return await sharp(bytes, input).rotate().resize({ width: MENU_IMAGE_WIDTH, withoutEnlargement: true }).webp({ quality: WEBP_QUALITY }).toBuffer();
  } catch (err) {
    if (err instanceof Error && /pixel limit/.test(err.message)) {
      throw appError('payload_too_large', `The image has more than ${MAX_MENU_IMAGE_PIXELS / 1_000_000} million pixels; send a smaller photo.`);
    }
    throw notAnImage(declared);
  }
}

/** The folder of stored photos: written atomically (temp file, then rename), read by name. */
export class PhotoFolder {
  constructor(readonly dir: string) {}

  async put(itemId: number, webp: Buffer): Promise<string> {
    const key = `${itemId}-${createHash('sha256').update(webp).digest('hex').slice(0, 16)}.webp`;
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.upload-${randomBytes(8).toString('hex')}.tmp`);
    try {
      await writeFile(temp, webp, { flag: 'wx' });
      await rename(temp, join(this.dir, key));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    return key;
  }

  /** The photo's bytes, or null for a name that is not a photo's or a file that is gone. */
  async get(key: string): Promise<Buffer | null> {
    if (!MENU_IMAGE_KEY.test(key)) return null;
    return readFile(join(this.dir, key)).catch(() => null);
  }

  async remove(key: string | null): Promise<void> {
    if (key !== null && MENU_IMAGE_KEY.test(key)) await rm(join(this.dir, key), { force: true });
  }
}

/** Uploading and removing an item's photo: staff of the item's theatre and admins. */
export class MenuImageService {
  private readonly venue: VenueRepository;
  private readonly menu: MenuRepository;

  constructor(private readonly deps: { uow: UnitOfWork; audit: AuditLog; folder: PhotoFolder }) {
    this.venue = new VenueRepository(deps.uow.reader);
    this.menu = new MenuRepository(deps.uow.reader);
  }

  async upload(who: SignedIn, itemId: number, contentType: string | undefined, bytes: Buffer): Promise<MenuItemView> {
    assertVisible(who.actor, await this.venue.theatreOf('menu_items', itemId), 'menu item');
    const key = await this.deps.folder.put(itemId, await toStoredPhoto(bytes, contentType));
    let previous: string | null;
    try {
      previous = await this.replaceKey(itemId, key);
    } catch (err) {
      // The same photo sent twice at once has one name: keep the file if a row names it.
      if ((await this.menu.findItem(itemId))?.imageUrl?.endsWith(`/${key}`) !== true) await this.deps.folder.remove(key);
      throw err;
    }
    if (previous !== key) await this.deps.folder.remove(previous);
    this.deps.audit(who.account, 'menu_item.image', itemId, ['imageUrl']);
    return this.view(itemId);
  }

  async remove(who: SignedIn, itemId: number): Promise<void> {
    assertVisible(who.actor, await this.venue.theatreOf('menu_items', itemId), 'menu item');
    const previous = await this.replaceKey(itemId, null);
    await this.deps.folder.remove(previous);
    if (previous !== null) this.deps.audit(who.account, 'menu_item.image_remove', itemId, ['imageUrl']);
  }

  /**
   * Sets the item's photo key and answers the one it replaced, in one conditional update: of
   * two uploads at once, the one whose update no longer matches is 409 and stores nothing, so
   * no stored photo is left without a row naming it.
   */
  private async replaceKey(itemId: number, key: string | null): Promise<string | null> {
    return this.deps.uow.write(async (trx) => {
      const row = await trx.selectFrom('menu_items').select('image_key').where('id', '=', itemId).executeTakeFirst();
      if (!row) throw appError('not_found', 'No such menu item.');
      const previous = row.image_key;
      const done = await trx
        .updateTable('menu_items')
        .set({ image_key: key })
        .where('id', '=', itemId)
        .where('image_key', previous === null ? 'is' : '=', previous)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) throw appError('conflict', "The item's photo changed meanwhile; try again.");
      return previous;
    });
  }

  private async view(itemId: number): Promise<MenuItemView> {
    const item = await this.menu.findItem(itemId);
    if (!item) throw appError('not_found', 'No such menu item.');
    return item;
  }
}
