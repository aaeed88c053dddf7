"""tokarc.dataset."""
