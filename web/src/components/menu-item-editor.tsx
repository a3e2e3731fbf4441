import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, api, errorText } from '../lib/api.js';
import type { FoodType, MenuItemView } from '../../../src/protocol/index.js';
import { FOOD_TYPE_LABELS, FoodMark } from './food-mark.js';
import { Said } from './notes.js';

/** What the server takes (src/theatres/menu-image.ts): checked here too, so a huge file is not sent for nothing. */
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
const MAX_DESCRIPTION = 300;

/** What a person is told when a photo is refused, by the server's status. */
function photoProblem(err: unknown): string {
  if (err instanceof ApiError && err.status === 413) return `Too large: ${err.message}`;
  if (err instanceof ApiError && err.status === 415) return `Not a usable photo: ${err.message}`;
  return errorText(err);
}

/** Sends the file as it is (raw body, its own type); answers the item with its new imageUrl. */
async function uploadPhoto(itemId: number, file: File): Promise<MenuItemView> {
  let res: Response;
  try {
    res = await fetch(`/api/menu-items/${itemId}/image`, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': file.type || 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'network', 'No connection. Check the network and try again.');
  }
  const json = (await res.json().catch(() => null)) as { item?: MenuItemView; error?: { code: string; message: string } } | null;
  if (!res.ok || !json?.item) throw new ApiError(res.status, json?.error?.code ?? 'error', json?.error?.message ?? `The server answered ${res.status}.`);
  return json.item;
}

/**
 * An item's details beyond name and price: description, veg/non-veg/egg mark, place in its
 * category, and its photo. Opens from a button on the item's line; every refusal is shown next
 * to the field it is about.
 */
export function MenuItemEditor(props: { item: MenuItemView; onChanged(item: MenuItemView): void }): VNode {
  const i = props.item;
  const [open, setOpen] = useState(false);
  const [said, setSaid] = useState('');
  const [detailsError, setDetailsError] = useState('');
  const [photoError, setPhotoError] = useState('');
  const [busy, setBusy] = useState(false);
  const panel = `item-editor-${i.id}`;

  const changed = (item: MenuItemView, what: string) => {
    props.onChanged(item);
    setSaid(what);
  };
  const save = async (ev: Event) => {
    ev.preventDefault();
    const form = new FormData(ev.currentTarget as HTMLFormElement);
    setDetailsError('');
    try {
      const { item } = await api<{ item: MenuItemView }>('PATCH', `/api/menu-items/${i.id}`, {
        description: String(form.get('description') ?? '').trim() || null,
        foodType: String(form.get('foodType')) as FoodType,
        sortOrder: Number(form.get('sortOrder')),
      });
      changed(item, `Details of ${item.name} saved.`);
    } catch (err) {
      setDetailsError(errorText(err));
    }
  };
  const upload = async (ev: Event) => {
    const input = ev.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setPhotoError('');
    setSaid('');
    if (file.size > MAX_PHOTO_BYTES) {
      setPhotoError('Too large: the photo must be at most 5 MB.');
      input.value = '';
      return;
    }
    if (!PHOTO_TYPES.includes(file.type)) {
      setPhotoError('Not a usable photo: choose a JPEG, PNG or WebP file.');
      input.value = '';
      return;
    }
    setBusy(true);
    try {
      changed(await uploadPhoto(i.id, file), `New photo of ${i.name} saved.`);
    } catch (err) {
      setPhotoError(photoProblem(err));
    } finally {
      setBusy(false);
      input.value = '';
    }
  };
  const removePhoto = async () => {
    setPhotoError('');
    try {
      await api('DELETE', `/api/menu-items/${i.id}/image`);
      changed({ ...i, imageUrl: null }, `Photo of ${i.name} removed.`);
    } catch (err) {
      setPhotoError(errorText(err));
    }
  };

  return (
    <>
      <button type="button" class="link small" aria-expanded={open} aria-controls={panel} aria-label={`Details and photo of ${i.name}`} onClick={() => setOpen(!open)}>
        <FoodMark type={i.foodType} /> Details
      </button>
      {open ? (
        <div class="item-editor stack" id={panel} data-editor={i.name}>
          <form class="stack" onSubmit={save}>
            <label for={`desc-${i.id}`}>Description of {i.name}</label>
            <textarea id={`desc-${i.id}`} name="description" maxLength={MAX_DESCRIPTION} rows={2} aria-describedby={`details-error-${i.id}`}>
              {i.description ?? ''}
            </textarea>
            <label for={`type-${i.id}`}>Mark</label>
            <select id={`type-${i.id}`} name="foodType" value={i.foodType}>
              {(Object.keys(FOOD_TYPE_LABELS) as FoodType[]).map((t) => (
                <option value={t}>{FOOD_TYPE_LABELS[t]}</option>
              ))}
            </select>
            <label for={`sort-${i.id}`}>Place in its category (lowest first)</label>
            <input id={`sort-${i.id}`} name="sortOrder" type="number" min="0" max="1000000" value={i.sortOrder} required />
            <button type="submit">Save details</button>
            <p class="field-error" role="alert" id={`details-error-${i.id}`}>
              {detailsError}
            </p>
          </form>
          <div class="photo-row">
            {i.imageUrl ? <img src={i.imageUrl} alt={`Photo of ${i.name}`} width={96} height={72} /> : <span class="muted small">No photo yet.</span>}
            <label class="stack small" for={`photo-${i.id}`}>
              {i.imageUrl ? 'Replace photo' : 'Add a photo'} (JPEG, PNG or WebP, at most 5 MB)
              <input
                id={`photo-${i.id}`}
                type="file"
                accept={PHOTO_TYPES.join(',')}
                disabled={busy}
                aria-describedby={`photo-error-${i.id}`}
                aria-invalid={photoError ? 'true' : undefined}
                onChange={(e) => void upload(e)}
              />
            </label>
            {i.imageUrl ? (
              <button type="button" class="danger small" onClick={() => void removePhoto()}>
                Remove photo
              </button>
            ) : null}
          </div>
          <p class="field-error" role="alert" id={`photo-error-${i.id}`}>
            {photoError}
          </p>
          <Said text={busy ? 'Uploading the photo…' : said} />
        </div>
      ) : null}
    </>
  );
}
