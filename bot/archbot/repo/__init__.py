"""The repository model and its resolvers, and the knowledge tables about the outside world
(package catalog, SDK facts, loaders that unpickle or run remote code): shared by the rules, the
router and the persona review's context pack."""
