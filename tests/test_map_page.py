"""The /map page's layout as the app renders it (no browser, no cluster): a message
before any graph is built, the tiny build's views once one is, a message naming an
unknown region."""

from __future__ import annotations

import dash
import pytest

import settings as settings_module

from .test_graph_store import KN, write_tiny


@pytest.fixture(scope="module")
def app_and_settings(tmp_path_factory):
    from app import create_app

    home = tmp_path_factory.mktemp("map-home")
    # A port nothing listens on: the page never asks the cluster.
    settings = settings_module.load(environ={}, home=str(home), es_port=9)
    return create_app(settings), settings


def render(app, url: str, **params) -> str:
    page = next(p for p in dash.page_registry.values() if p["path"] == "/map")
    with app.server.test_request_context(url):
        return str(page["layout"](**params).to_plotly_json())


def test_the_map_before_any_graph_and_after(app_and_settings):
    app, settings = app_and_settings
    assert "There is no map yet" in render(app, "/map")
    write_tiny(settings.graph_dir)
    from viz.graph import store as graph_store

    # The store looks at CURRENT again after a few seconds; a new process would at once.
    graph_store._cache.clear()
    catalogue = render(app, "/map")
    assert "The whole catalogue as a map" in catalogue
    assert "/map?region=0" in catalogue and "Korean poetry" in catalogue
    region = render(app, "/map?region=0", region="0")
    assert "/topic/subject:Korea%20%28North%29" in region
    assert "8 records share Korea (North) and Nuclear weapons (association 0.60)" in region
    assert "Ways out" in region and KN.split(":")[1] in region
    # ?region=0&region=1: the first names the view.
    assert render(app, "/map?region=0&region=1", region=["0", "1"]) == region


@pytest.mark.parametrize("bad", ["7", "0.0", "<script>", "x" * 300])
def test_an_unknown_region_is_a_message(app_and_settings, bad):
    app, settings = app_and_settings
    write_tiny(settings.graph_dir)
    out = render(app, "/map", region=bad)
    assert "map-missing" in out and "There is no region" in out


def test_the_same_map_as_a_list_is_a_page_of_its_own(app_and_settings):
    app, settings = app_and_settings
    write_tiny(settings.graph_dir)
    from viz.graph import store as graph_store

    graph_store._cache.clear()
    drawn = render(app, "/map?region=0", region="0")
    assert "/map?region=0&view=list" in drawn and "map-twin" not in drawn
    listed = render(app, "/map?region=0&view=list", region="0", view="list")
    assert "map-twin" in listed and "MapSvg" not in listed
    # Every topic of the region, each with its strongest links and why they exist.
    for label in ("Korea (North)", "Nuclear weapons", "Korea", "DS History of Asia",
                  "Nuclear nonproliferation"):
        assert f"'{label} (" in listed
    assert "8 records share Korea (North) and Nuclear weapons (association 0.60)" in listed
    assert "/map?region=0" in listed and "Ways out" in listed     # back to the drawing
    catalogue = render(app, "/map?view=list", view="list")
    assert "/map?region=1" in catalogue and "MapSvg" not in catalogue
    # Anything but "list" is the drawing.
    assert render(app, "/map?region=0&view=x", region="0", view="x") == drawn


def test_a_new_builds_views_are_drawn_in_the_background(app_and_settings):
    from viz.components import map_view
    from viz.graph import store as graph_store

    app, settings = app_and_settings
    write_tiny(settings.graph_dir)
    graph_store._cache.clear()
    render(app, "/map")                    # the app meets the new build
    store = graph_store.current(settings.graph_dir)
    thread = map_view.warm(store)
    assert map_view.warm(store) is thread  # once per build and process
    thread.join(30)
    assert not thread.is_alive()
    regions = map_view.regions_by_level(store)
    assert regions == ["0", "1", "2", "3"]
    # In each language, as a browser asking for it gets it (no lang in the URL).
    from viz import i18n

    for region in [None, *regions]:
        for lang in i18n.LANGUAGES:
            with i18n.using(lang):
                store.drawn(map_view.view_key(region),
                            lambda: pytest.fail(f"view {region} in {lang} was not drawn"))
