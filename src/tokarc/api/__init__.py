"""The spec: the endpoint table, the guessed facts ([I] in API.md) and the country codes.

This package imports nothing else of tokarc; the client, the emulator, the collector and the CLI
all read it.
"""
