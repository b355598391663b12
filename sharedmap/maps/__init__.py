"""Building the map: the payload the browser draws, its layers, aggregates, panel, styles and view state."""
