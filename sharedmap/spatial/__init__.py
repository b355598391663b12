"""Where councils are: boundary sources, boundary files, neighbours, and the partnership network on the map."""
