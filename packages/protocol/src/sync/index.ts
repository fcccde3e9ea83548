export { backoffDelay } from './backoff';
export * from './client';
export * from './messages';
export * from './receipts';
export * from './view';
