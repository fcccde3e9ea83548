export * from './client';
export * from './messages';
export * from './receipts';
export * from './view';
export { backoffDelay } from './backoff';
