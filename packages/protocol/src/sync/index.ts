export * from './client';
export * from './messages';
export * from './view';
