"""The HTTP API (litestar) and the administrators' command line."""
