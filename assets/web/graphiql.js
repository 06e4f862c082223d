// GraphiQL for Ganbridge's API: queries over HTTP, subscriptions over the graphql-ws
// websocket at /graphql/ws. A document in the address's fragment (#query=...) opens in the
// editor, so a link can carry a query.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var scheme = location.protocol === "https:" ? "wss://" : "ws://";
  var fetcher = GraphiQL.createFetcher({
    url: location.origin + "/graphql",
    subscriptionUrl: scheme + location.host + "/graphql/ws",
  });
  var fromLink = new URLSearchParams(location.hash.slice(1)).get("query");
  var props = {
    fetcher: fetcher,
    defaultQuery: root.getAttribute("data-default-query"),
    defaultEditorToolsVisibility: true,
    isHeadersEditorEnabled: true,
  };
  if (fromLink) {
    props.query = fromLink;
  }
  // The schema's documentation opens beside the editor.
  props.visiblePlugin = "Documentation Explorer";
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
