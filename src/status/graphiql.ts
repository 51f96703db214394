/** A GraphiQL page for the status API (assets from a CDN: the page is for the operator's browser). */
export function graphiqlPage(endpoint: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Mosaic facilitator status</title>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL… (POST GraphQL queries to ${endpoint})</div>
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
  <script>
    const url = new URL(${JSON.stringify(endpoint)}, window.location.href);
    const subscriptionUrl = url.href.replace(/^http/, 'ws');
    const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: '{\\n  messageCounts { state count }\\n  messages(first: 10) { direction messageHash state sourceStatus targetStatus }\\n}\\n' }),
    );
  </script>
</body>
</html>`;
}
