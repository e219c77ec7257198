"""What the synthetic clicks are made of: countries with their share of traffic, browsers and
devices, referers and landing pages. Values are shaped like the ones the redirect stores."""

from __future__ import annotations

import random
from dataclasses import dataclass

# (ISO country, continent, share of traffic in %): 60 countries, the long tail included.
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("US", "NA", 30), ("IN", "AS", 8), ("GB", "EU", 6), ("DE", "EU", 5), ("CA", "NA", 4),
    ("FR", "EU", 4), ("BR", "SA", 4), ("JP", "AS", 3), ("AU", "OC", 3), ("NL", "EU", 2),
    ("ES", "EU", 2), ("IT", "EU", 2), ("MX", "NA", 2), ("ID", "AS", 2), ("PH", "AS", 1.5),
    ("SE", "EU", 1), ("PL", "EU", 1), ("TR", "AS", 1), ("KR", "AS", 1), ("SG", "AS", 1),
    ("CH", "EU", 1), ("BE", "EU", 1), ("NG", "AF", 1), ("AT", "EU", 0.8), ("ZA", "AF", 0.8),
    ("AR", "SA", 0.8), ("VN", "AS", 0.8), ("PK", "AS", 0.8), ("CO", "SA", 0.7), ("TH", "AS", 0.7),
    ("EG", "AF", 0.6), ("MY", "AS", 0.6), ("BD", "AS", 0.6), ("AE", "AS", 0.6), ("IE", "EU", 0.6),
    ("TW", "AS", 0.6), ("HK", "AS", 0.6), ("KE", "AF", 0.5), ("CL", "SA", 0.5), ("SA", "AS", 0.5),
    ("IL", "AS", 0.5), ("DK", "EU", 0.5), ("NO", "EU", 0.5), ("PT", "EU", 0.5), ("UA", "EU", 0.5),
    ("NZ", "OC", 0.5), ("RU", "EU", 0.5), ("PE", "SA", 0.4), ("FI", "EU", 0.4), ("CZ", "EU", 0.4),
    ("RO", "EU", 0.4), ("CN", "AS", 0.4), ("GR", "EU", 0.3), ("HU", "EU", 0.3), ("MA", "AF", 0.3),
    ("GH", "AF", 0.3), ("VE", "SA", 0.2), ("EC", "SA", 0.2), ("LK", "AS", 0.2), ("NP", "AS", 0.2),
)  # fmt: skip
US_REGIONS = ("CA", "NY", "TX", "FL", "WA", "IL", "MA", "GA", "PA", "OH", "NC", "VA")

# device, vendor, model, browser, version, OS, version, user agent; weight
Profile = tuple[str, str, str, str, str, str, str, str]
_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)"
_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko)"
)
_ANDROID = "Mozilla/5.0 (Linux; Android {version}; {model}) AppleWebKit/537.36 (KHTML, like Gecko)"
DESKTOP: tuple[tuple[Profile, float], ...] = (
    (("Desktop", "Unknown", "Unknown", "Chrome", "126.0", "Windows", "10",
      f"{_WIN} Chrome/126.0.0.0 Safari/537.36"), 22),
    (("Desktop", "Apple", "Mac", "Chrome", "126.0", "Mac OS X", "10.15",
      f"{_MAC} Chrome/126.0.0.0 Safari/537.36"), 12),
    (("Desktop", "Apple", "Mac", "Safari", "17.5", "Mac OS X", "10.15",
      f"{_MAC.replace('537.36', '605.1.15')} Version/17.5 Safari/605.1.15"), 6),
    (("Desktop", "Unknown", "Unknown", "Edge", "126.0", "Windows", "10",
      f"{_WIN} Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"), 6),
    (("Desktop", "Unknown", "Unknown", "Firefox", "127.0", "Windows", "10",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"), 4),
    (("Desktop", "Unknown", "Unknown", "Chrome", "126.0", "Linux", "Unknown",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/126.0.0.0 Safari/537.36"), 2),
    (("Desktop", "Unknown", "Unknown", "Firefox", "127.0", "Ubuntu", "Unknown",
      "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"), 1),
    (("Desktop", "Unknown", "Unknown", "Opera", "111.0", "Windows", "10",
      f"{_WIN} Chrome/125.0.0.0 Safari/537.36 OPR/111.0.0.0"), 1),
    (("Desktop", "Unknown", "Unknown", "Chrome", "109.0", "Windows", "7",
      "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/109.0.0.0 Safari/537.36"), 0.5),
)  # fmt: skip
MOBILE: tuple[tuple[Profile, float], ...] = (
    (("Mobile", "Apple", "iPhone", "Mobile Safari", "17.5", "iOS", "17.5",
      f"{_IPHONE} Version/17.5 Mobile/15E148 Safari/604.1"), 18),
    (("Mobile", "Apple", "iPhone", "Chrome Mobile iOS", "126.0", "iOS", "17.5",
      f"{_IPHONE} CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1"), 4),
    (("Mobile", "Apple", "iPhone", "Instagram", "336.0", "iOS", "17.5",
      f"{_IPHONE} Mobile/15E148 Instagram 336.0.3.19.90"), 3),
    (("Mobile", "Apple", "iPhone", "Facebook", "470.0", "iOS", "17.5",
      f"{_IPHONE} Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.44.109]"), 2),
    (("Mobile", "Samsung", "SM-S918B", "Chrome Mobile", "126.0", "Android", "14",
      _ANDROID.format(version=14, model="SM-S918B")
      + " Chrome/126.0.6478.71 Mobile Safari/537.36"), 7),
    (("Mobile", "Samsung", "SM-A546B", "Samsung Internet", "25.0", "Android", "14",
      _ANDROID.format(version=14, model="SM-A546B")
      + " SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"), 3),
    (("Mobile", "Google", "Pixel 8", "Chrome Mobile", "126.0", "Android", "14",
      _ANDROID.format(version=14, model="Pixel 8")
      + " Chrome/126.0.6478.71 Mobile Safari/537.36"), 3),
    (("Mobile", "XiaoMi", "Redmi Note 12", "Chrome Mobile", "125.0", "Android", "13",
      _ANDROID.format(version=13, model="23021RAAEG")
      + " Chrome/125.0.6422.165 Mobile Safari/537.36"), 3),
    (("Mobile", "Generic_Android", "K", "Chrome Mobile WebView", "126.0", "Android", "10",
      "Mozilla/5.0 (Linux; Android 10; K; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36"), 2),
    (("Tablet", "Apple", "iPad", "Mobile Safari", "17.5", "iOS", "17.5",
      "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.5 Mobile/15E148 Safari/604.1"), 2),
    (("Tablet", "Samsung", "SM-X710", "Chrome", "126.0", "Android", "14",
      "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/126.0.6478.71 Safari/537.36"), 1),
)  # fmt: skip

# Referring hosts with their share in %; the long tail of blogs is made up below.
REFERERS: tuple[tuple[str, float], ...] = (
    ("(direct)", 30), ("google.com", 18), ("t.co", 4), ("x.com", 1), ("linkedin.com", 5),
    ("facebook.com", 4), ("l.facebook.com", 3), ("m.facebook.com", 1), ("instagram.com", 3),
    ("youtube.com", 2.5), ("reddit.com", 2), ("news.ycombinator.com", 1.5), ("bing.com", 1.2),
    ("duckduckgo.com", 1), ("github.com", 1), ("lnkd.in", 1), ("slack.com", 0.8),
    ("discord.com", 0.7), ("mail.google.com", 0.7), ("medium.com", 0.6), ("outlook.live.com", 0.5),
    ("substack.com", 0.5), ("producthunt.com", 0.5), ("yahoo.com", 0.4), ("threads.net", 0.3),
    ("teams.microsoft.com", 0.3), ("notion.so", 0.3), ("android-app", 0.3), ("baidu.com", 0.2),
    ("yandex.ru", 0.2),
)  # fmt: skip
SEARCH = frozenset({"google.com", "bing.com", "duckduckgo.com", "yahoo.com", "baidu.com"})
TLDS = ("com", "io", "dev", "net", "org", "co", "blog", "app")

SITES = (
    "acme.com", "www.acme.com", "shop.acme.com", "docs.acme.com", "blog.acme.com",
    "app.acme.com", "store.globex.io", "globex.io", "initech.dev", "hooli.xyz",
)  # fmt: skip
UTM_SOURCES = ("newsletter", "twitter", "linkedin", "facebook", "google", "partner", "podcast",
               "youtube", "reddit", "producthunt")  # fmt: skip
UTM_MEDIUMS = ("email", "social", "cpc", "referral", "affiliate", "video", "organic")
SYLLABLES = ("ber", "lin", "ston", "vale", "mar", "port", "ford", "ton", "ria", "sa", "no",
             "ka", "mi", "do", "le", "ra", "wick", "ham", "bor", "gen", "tal", "vik", "ro",
             "za", "el", "an", "os", "ur", "ia", "que")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    continent: str
    country: str
    region: str
    city: str


def word(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def places(rng: random.Random) -> list[tuple[Place, float]]:
    """A few hundred cities in about two hundred regions; bigger countries have more of each,
    and within a country the first cities draw most visitors."""
    found: list[tuple[Place, float]] = []
    for country, continent, share in COUNTRIES:
        regions = max(2, min(12, round(2 + share * 1.2)))
        per_region = 3 if share >= 3 else 2 if share >= 1 else 1
        names = US_REGIONS if country == "US" else [f"{n:02d}" for n in range(1, regions + 1)]
        cities = [(region, word(rng, rng.randint(2, 3)).title()) for region in names[:regions]
                  for _ in range(per_region)]  # fmt: skip
        total = sum(1 / (i + 1) for i in range(len(cities)))
        for i, (region, city) in enumerate(cities):
            weight = share * (1 / (i + 1)) / total
            found.append((Place(continent, country, region, city), weight))
    return found


def referers(rng: random.Random) -> list[tuple[tuple[str, str], float]]:
    """About 200 referring hosts and 500 referring pages, (referer, referer_url) with weights."""
    hosts = list(REFERERS)
    blogs = {f"{word(rng)}.{rng.choice(TLDS)}" for _ in range(170)}
    hosts += [(host, 8 / (i + 1) / 5.7) for i, host in enumerate(sorted(blogs))]
    found: list[tuple[tuple[str, str], float]] = []
    for host, share in hosts:
        if host == "(direct)":
            found.append(((host, "(direct)"), share))
            continue
        if host in SEARCH:
            found.append(((host, f"https://www.{host}/"), share))
            continue
        pages = rng.randint(1, 5)
        for page in range(pages):
            found.append(((host, f"https://{host}/{word(rng, 3)}-{page}"), share / pages))
    return found
