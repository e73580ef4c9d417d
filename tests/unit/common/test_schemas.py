import schemas


def test_incident_schema_enums_match_the_taxonomies() -> None:
    taxonomies = schemas.taxonomies()
    properties = schemas.schema("incident")["properties"]
    assert properties["sector"]["enum"] == list(taxonomies["sectors"])
    assert properties["incident_types"]["items"]["enum"] == list(taxonomies["incident_types"])


def test_every_schema_pins_the_current_version() -> None:
    for kind in ("raw_post", "alert"):
        assert schemas.schema(kind)["properties"]["schema_version"] == {"const": schemas.SCHEMA_VERSION}
    assert schemas.schema("incident")["properties"]["schema_version"]["const"] == schemas.INCIDENT_SCHEMA_VERSION
