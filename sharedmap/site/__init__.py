"""The public map as a static site: built from a published version, served by any web server or CDN."""
