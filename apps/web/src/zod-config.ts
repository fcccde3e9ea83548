import { config } from 'zod';

// The server's CSP forbids eval. Zod decides at schema creation whether to compile parsers with
// `new Function`, probing for eval (which logs a CSP violation); this module is imported before
// any schema exists, so that it does not try.
config({ jitless: true });
