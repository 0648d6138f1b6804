"""Nothing a reader can send makes a public page answer 500."""

import pytest

from tests.site.conftest import public_urls

pytestmark = pytest.mark.django_db

BAD_PAGES = ["0", "-1", "abc", "1.5", str(10**9), "9" * 40, "%00", "１", "", "2%20", "%FF"]


@pytest.mark.parametrize("value", BAD_PAGES)
@pytest.mark.parametrize(
    "path",
    ["/issues/", "/companies/alibaba-group/", "/platforms/taobao/", "/topics/e-commerce/"],
)
def test_odd_page_numbers_answer_404_not_500(client, newsroom, path, value):
    response = client.get(f"{path}?page={value}")
    assert response.status_code in (200, 404)
    if value not in ("",):
        assert response.status_code == 404


def test_odd_page_numbers_in_search_answer_404(client, newsroom):
    for value in BAD_PAGES:
        assert client.get(f"/search/?q=Alibaba&page={value}").status_code in (200, 404)
    assert client.get("/search/?q=Alibaba&page=2").status_code == 404  # past the end
    assert client.get("/search/?q=&page=3").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "",
        "   ",
        "%00",
        "a%00b",
        "!!!&&&|||:*",
        "'\"<>\\",
        "(((",
        "-",
        "qwrtzplkjhgf",
        "🐉🔥",
        "%FF%FE",
        "<script>alert(1)</script>",
        "OR AND NOT",
        "\u200b",
    ],
)
def test_any_query_gets_a_helpful_page(client, newsroom, query):
    response = client.get(f"/search/?q={query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "Search" in page


def test_a_very_long_query_is_shortened_with_a_notice(client, newsroom):
    page = client.get("/search/?q=" + "alibaba " * 2000).content.decode()
    assert "only its first 200 characters were used" in page
    assert "Singles&#x27; Day growth" in page


def test_nonsense_query_suggests_what_to_try(client, newsroom):
    page = client.get("/search/?q=qwrtzplkjhgf").content.decode()
    assert "No published story matches" in page and "ticker" in page


@pytest.mark.parametrize(
    "path",
    [
        "/stories/%FF%FE/",
        "/stories/%00/",
        "/stories/caf%C3%A9/",
        "/stories/" + "a" * 5000 + "/",
        "/companies/..%2F..%2Fetc/",
        "/issues/0/",
        "/issues/-1/",
        "/issues/99999999999999999999/",
        "/topics/%E2%80%AE/",
        "/feeds/companies/nope/",
        "/feeds/topics/%FF/",
    ],
)
def test_odd_bytes_in_paths_answer_404(client, newsroom, path):
    assert client.get(path).status_code == 404


def test_query_strings_with_junk_never_500(client, newsroom):
    for url in public_urls(newsroom):
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}page=abc&direct=%00&q=%FF")
        assert response.status_code in (200, 404), url


def test_head_and_post_requests_are_handled(client, newsroom):
    assert client.head("/").status_code == 200
    assert client.post("/search/?q=x").status_code in (200, 403, 405)
