"""The topic graph after counting (docs/graph.md): the build step that runs the Spark
counting and then the analysis (build), communities, layout, the versioned artifacts
on disk, the in-memory store the app asks, and the parsing of graph requests."""
