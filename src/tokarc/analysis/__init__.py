"""tokarc.analysis."""
