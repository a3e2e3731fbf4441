import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEngines } from './support/app-engines.js';
import type { TestApp } from './support/test-app.js';
import { ApiClient, startVenueWorld, type Venue } from './support/venue.js';

/** A real photo-like picture (a gradient), encoded by sharp from raw pixels. */
async function picture(format: 'jpeg' | 'png', width: number, height: number, withExifRotation = false): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set([(x * 255) / width, (y * 255) / height, 128], (y * width + x) * 3);
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  if (format === 'png') return img.png().toBuffer();
  return (withExifRotation ? img.withMetadata({ orientation: 6 }) : img).jpeg({ quality: 90 }).toBuffer();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A valid 20000×20000 black-and-white PNG of about 50 KB: 400 million pixels once decoded. */
function decompressionBomb(): Buffer {
  const side = 20_000;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const pixels = deflateSync(Buffer.alloc((1 + side / 8) * side), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', pixels), pngChunk('IEND', Buffer.alloc(0))]);
}

const engines = await appEngines();

for (const engine of engines) describe(`menu photos on ${engine.name}`, () => {
  let t: TestApp, v: Venue, staff1: ApiClient, staff2: ApiClient, admin: ApiClient;
  const photos = () => (existsSync(join(t.dataDir, 'media', 'menu')) ? readdirSync(join(t.dataDir, 'media', 'menu')).sort() : []);
  const put = (who: ApiClient, itemId: number, body: Buffer, type: string) =>
    fetch(t.http(`/api/menu-items/${itemId}/image`), { method: 'PUT', headers: { 'content-type': type, ...(who.cookie ? { cookie: who.cookie } : {}) }, body: new Uint8Array(body) });
  const imageUrlOf = async (itemId: number): Promise<string | null> => {
    const seat = await new ApiClient(t).call('GET', `/api/seats/${v.seat1}`);
    return seat.body.menu.flatMap((c: any) => c.items).find((i: any) => i.id === itemId).imageUrl;
  };

  beforeAll(async () => {
    ({ t, v, staff1, staff2, admin } = await startVenueWorld(engine.env()));
  });
  afterAll(async () => {
    await t?.close();
    await engine.cleanup();
  });

  it('takes a JPEG and a PNG and serves each as WebP at most 800 px wide, cached forever; the URL changes with the photo', async () => {
    const id = v.item(v.theatre1, 'Nachos');
    const jpeg = await put(admin, id, await picture('jpeg', 1600, 1200), 'image/jpeg');
    expect(jpeg.status).toBe(200);
    const first = ((await jpeg.json()) as any).item;
    expect(first).toMatchObject({ id, name: 'Nachos', imageUrl: expect.stringMatching(new RegExp(`^/media/menu/${id}-[0-9a-f]{16}\\.webp$`)) });
    expect(await imageUrlOf(id)).toBe(first.imageUrl);

    const served = await fetch(t.http(first.imageUrl));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 800, height: 600 });
    expect(meta.exif).toBeUndefined();

    // Staff of the item's theatre may change the photo too; a small PNG is not enlarged.
    const png = await put(staff1, id, await picture('png', 300, 200), 'image/png');
    expect(png.status).toBe(200);
    const second = ((await png.json()) as any).item;
    expect(second.imageUrl).not.toBe(first.imageUrl);
    const again = await fetch(t.http(second.imageUrl));
    expect(await sharp(Buffer.from(await again.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 300, height: 200 });
    // The previous photo is gone, from the folder and from the web.
    expect(photos()).toEqual([second.imageUrl.split('/').pop()]);
    expect((await fetch(t.http(first.imageUrl))).status).toBe(404);
  });

  it('takes a WebP as well, and the same photo twice keeps one file', async () => {
    const id = v.item(v.theatre1, 'Masala Chai');
    const webp = await sharp(await picture('png', 900, 300)).webp().toBuffer();
    const first = await put(staff1, id, webp, 'image/webp');
    expect(first.status).toBe(200);
    const url = ((await first.json()) as any).item.imageUrl as string;
    const again = await put(admin, id, webp, 'image/webp; charset=binary');
    expect(((await again.json()) as any).item.imageUrl).toBe(url);
    expect(photos().filter((p) => p.startsWith(`${id}-`))).toEqual([url.split('/').pop()]);
    const served = await fetch(t.http(url));
    expect(await sharp(Buffer.from(await served.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 800, height: 267 });
    expect((await admin.call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(204);
    expect(photos().filter((p) => p.startsWith(`${id}-`))).toEqual([]);
    // Issue 12's spelling of the same endpoint.
    const aliased = await fetch(t.http(`/api/menu/items/${id}/image`), { method: 'PUT', headers: { 'content-type': 'image/webp', cookie: admin.cookie }, body: new Uint8Array(webp) });
    expect(aliased.status).toBe(200);
    expect(((await aliased.json()) as any).item.imageUrl).toBe(url);
    expect((await admin.call('DELETE', `/api/menu/items/${id}/image`)).status).toBe(204);
    expect(photos().filter((p) => p.startsWith(`${id}-`))).toEqual([]);
  });

  it('uploads to one item at once leave exactly the one file its row names', async () => {
    const id = v.item(v.theatre1, 'Veg Samosa');
    const bodies = await Promise.all([40, 41, 42, 43, 44].map((w) => picture('png', w, 30)));
    const answers = await Promise.all(bodies.map((b) => put(admin, id, b, 'image/png')));
    expect(answers.map((a) => a.status).every((s) => s === 200 || s === 409)).toBe(true);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    const url = await imageUrlOf(id);
    expect(photos().filter((p) => p.startsWith(`${id}-`))).toEqual([url!.split('/').pop()]);
    expect((await admin.call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(204);
  });

  it('turns a photo upright by its EXIF orientation and keeps no metadata', async () => {
    const id = v.item(v.theatre1, 'Veg Samosa');
    const r = await put(admin, id, await picture('jpeg', 400, 200, true), 'image/jpeg');
    expect(r.status).toBe(200);
    const served = Buffer.from(await (await fetch(t.http(((await r.json()) as any).item.imageUrl))).arrayBuffer());
    const meta = await sharp(served).metadata();
    expect(meta).toMatchObject({ width: 200, height: 400 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect((await admin.call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(204);
  });

  it('refuses what is not the image it claims to be, a truncated one, a bomb and a body over 5 MB, and stores nothing', async () => {
    const id = v.item(v.theatre1, 'Nachos');
    const before = { photos: photos(), url: await imageUrlOf(id) };
    expect(before.url).not.toBeNull();
    const jpeg = await picture('jpeg', 640, 480);
    const cases: Array<[string, Buffer, string, number]> = [
      ['text sent as a JPEG', Buffer.from('just some text, not a photo\n'.repeat(20)), 'image/jpeg', 415],
      ['a PNG declared as a JPEG', await picture('png', 64, 64), 'image/jpeg', 415],
      ['a JPEG declared as WebP', jpeg, 'image/webp', 415],
      ['a truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'image/jpeg', 415],
      ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif', 415],
      ['an SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', 415],
      ['JSON', Buffer.from('{"image":"x"}'), 'application/json', 415],
      ['nothing', Buffer.alloc(0), 'image/png', 415],
      ['a decompression bomb (400 megapixels)', decompressionBomb(), 'image/png', 413],
      ['a body over 5 MB', Buffer.concat([jpeg, Buffer.alloc(5 * 1024 * 1024)]), 'image/jpeg', 413],
    ];
    for (const [what, body, type, status] of cases) {
      const r = await put(admin, id, body, type);
      expect(r.status, what).toBe(status);
      expect(((await r.json()) as any).error.code, what).toBe(status === 415 ? 'unsupported_media_type' : 'payload_too_large');
    }
    expect(photos()).toEqual(before.photos);
    expect(await imageUrlOf(id)).toBe(before.url);
  });

  it('answers 404 to staff of another theatre and for unknown items, 401 without a session', async () => {
    const id = v.item(v.theatre1, 'Masala Chai');
    const png = await picture('png', 32, 32);
    const foreign = await put(staff2, id, png, 'image/png');
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as any).error.code).toBe('not_found');
    expect((await put(admin, 999_999, png, 'image/png')).status).toBe(404);
    expect((await put(new ApiClient(t), id, png, 'image/png')).status).toBe(401);
    // The session is checked before the body is read: without one, even 6 MB is a 401, not a 413.
    expect((await put(new ApiClient(t), id, Buffer.alloc(6 * 1024 * 1024), 'image/png')).status).toBe(401);
    expect((await staff2.call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(404);
    expect((await new ApiClient(t).call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(401);
    expect(await imageUrlOf(id)).toBeNull();
  });

  it('removes a photo (204), from the item and the folder; the change is audited', async () => {
    const id = v.item(v.theatre1, 'Salted Popcorn');
    const up = await put(staff1, id, await picture('png', 120, 90), 'image/png');
    const url = ((await up.json()) as any).item.imageUrl as string;
    const key = url.split('/').pop()!;
    expect(photos()).toContain(key);
    expect((await staff1.call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(204);
    expect(await imageUrlOf(id)).toBeNull();
    expect(photos()).not.toContain(key);
    expect((await fetch(t.http(url))).status).toBe(404);
    expect((await staff1.call('DELETE', `/api/menu-items/${id}/image`)).status).toBe(204);
    const audits = t.logLines.map((l) => JSON.parse(l)).filter((l) => l.audit && l.id === id);
    expect(audits.map((l) => l.action)).toEqual(['menu_item.image', 'menu_item.image_remove']);
  });

  it('serves only photo names: anything else, traversal included, is 404', async () => {
    for (const path of ['/media/menu/..%2F..%2Fscan2food.db', '/media/menu/../keys.env', '/media/menu/1-0123456789abcdef.webp', '/media/menu/1-0123456789ABCDEF.webp', '/media/menu/x.webp', '/media/menu/']) {
      expect((await fetch(t.http(path))).status, path).toBe(404);
    }
  });
});
