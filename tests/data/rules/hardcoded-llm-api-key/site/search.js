// The docs site's search box: a search-only key, served to every visitor (negative).
const search = docsearch({
  container: "#docsearch",
  appId: "QW3RTY12AB",
  indexName: "guides",
  apiKey: "5f0c9e2ab17d4c83e6a9b0f4d27c1e58",
});
