"""The URL a visitor is sent to (spec §4.1 step 6)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from clicktrail.kit.urls import host_of

# Query parameters that steer the redirect itself and are never passed on.
CONTROL_PARAMS = frozenset({"dub-no-track", "redir_url", "qr", "skip_deeplink_preview", "pw"})


def chosen_target(target: str, incoming: list[tuple[str, str]], allowed: tuple[str, ...]) -> str:
    """`?redir_url=` replaces the link's target only when it is a safe http(s) URL to the
    target's own host or to a host of `allowed` (CLICKTRAIL_REDIR_URL_ALLOWED_HOSTS); otherwise
    it is ignored. Dub follows any URL, which makes every short link an open redirect that
    carries the visitor's click id to whatever site a phisher names."""
    requested = dict(incoming).get("redir_url")
    host = host_of(requested) if requested else None
    if requested is None or host is None:
        return target
    if host == host_of(target) or is_allowed(host, allowed):
        return requested
    return target


def is_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """`host` is listed, or is a subdomain of a `*.` entry."""
    return any(
        host.endswith(entry[1:]) if entry.startswith("*.") else host == entry for entry in allowed
    )


def destination(
    url: str, incoming: list[tuple[str, str]], click_id: str | None, *, track: bool
) -> str:
    """The link's URL with the visitor's query parameters, and `dub_id` for tracked links."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.update((k, v) for k, v in incoming if k not in CONTROL_PARAMS)
    if track and click_id:
        if params.pop("dub_client_reference_id", None) == "1":
            params["client_reference_id"] = f"dub_id_{click_id}"  # Stripe Payment Links
        else:
            params["dub_id"] = click_id
    return urlunsplit(parts._replace(query=urlencode(params, doseq=False)))
