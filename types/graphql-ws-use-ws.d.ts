// graphql-ws exposes `graphql-ws/use/ws` through package.json "exports", which TypeScript's
// node10 resolution (needed here for @apollo/client's CommonJS entry points) cannot read.
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
