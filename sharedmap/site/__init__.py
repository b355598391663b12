"""The public map as a static site: built from a published version, served by any web server or CDN."""


def _rebuild(store, number: int) -> object:
    from sharedmap.site.build import rebuild_after_publish  # the builder's imports (geopandas, folium) are heavy

    return rebuild_after_publish(store, number)


def follow_publishing() -> None:
    """Rebuild the static site after every publish and rollback, in the background (the app's officer pages and
    the command line call this at start; sharedmap.publishing.announce)."""
    from sharedmap.publishing import announce

    announce.listen(_rebuild)
