import { config } from 'zod';

// The served CSP has no 'unsafe-eval'. zod probes for eval when an object schema is built (at
// import time, in @keyway/protocol), which logs a CSP violation: turn that off before any is.
config({ jitless: true });
