/** Moved to shared/phone.ts (orders, chat and theatres all normalise phones); kept for history.routes.ts until the routes rewrite imports it from there. */
export { normalisePhone, DEFAULT_PHONE_COUNTRY } from '../shared/phone.js';
