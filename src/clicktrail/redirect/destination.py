"""The URL a visitor is sent to (spec §4.1 step 6)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that steer the redirect itself and are never passed on.
CONTROL_PARAMS = frozenset({"dub-no-track", "redir_url", "qr", "skip_deeplink_preview", "pw"})


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[x": an unclosed IPv6 literal
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def destination(
    url: str, incoming: list[tuple[str, str]], click_id: str | None, *, track: bool
) -> str:
    """The link's URL with the visitor's query parameters, and `dub_id` for tracked links."""
    override = dict(incoming).get("redir_url")
    if override and is_http_url(override):
        url = override
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.update((k, v) for k, v in incoming if k not in CONTROL_PARAMS)
    if track and click_id:
        if params.pop("dub_client_reference_id", None) == "1":
            params["client_reference_id"] = f"dub_id_{click_id}"  # Stripe Payment Links
        else:
            params["dub_id"] = click_id
    return urlunsplit(parts._replace(query=urlencode(params, doseq=False)))
