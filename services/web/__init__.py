"""A read-only web view of the incident archive: overview charts, filtered lists, one incident with its evidence.

Modules, one job each:

- `params`: filters and paging from a URL's query, and back (pure)
- `charts`: SVG bar charts from counts, every bar a link (pure)
- `evidence`: the body with each field's evidence marked (pure)
- `overview`: the numbers the overview page shows, cached per archive version
- `reader`: archive reads off the event loop, on read-only connections
- `auth`: the access-token rule
- `views`: HTML from templates (`data/`, autoescaped)
- `api`, `pages`, `live`: the JSON endpoints, the HTML pages, server-sent events
- `app`: the aiohttp application and `start_web`, for `jikenbo web` and `jikenbo up`
- `commands`: `jikenbo web`
"""
