"""Is a ship-to address complete enough for a carrier? Reasons in words a supervisor understands."""

from __future__ import annotations

import re

from app.domain.order_drafts import AddressDraft

# ISO 3166-1 alpha-2 codes in current use.
ISO_COUNTRIES = frozenset(
    ["AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"]
)

# Postal code shapes per country, with an example to show when a code does not fit.
_POSTAL: dict[str, tuple[re.Pattern[str], str]] = {
    "US": (re.compile(r"\d{5}(-\d{4})?"), "12345 or 12345-6789"),
    "CA": (
        re.compile(r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"),
        "K1A 0B1",
    ),
    "GB": (
        re.compile(r"(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"),
        "SW1A 1AA",
    ),
    "DE": (re.compile(r"\d{5}"), "10115"),
    "FR": (re.compile(r"\d{5}"), "75008"),
    "CH": (re.compile(r"\d{4}"), "8001"),
    "JP": (re.compile(r"\d{3}-?\d{4}"), "100-0001"),
    "NL": (re.compile(r"[1-9]\d{3} ?[A-Z]{2}"), "1012 AB"),
    "AU": (re.compile(r"\d{4}"), "2000"),
    "AT": (re.compile(r"\d{4}"), "1010"),
    "BE": (re.compile(r"\d{4}"), "1000"),
    "DK": (re.compile(r"\d{4}"), "1050"),
    "ES": (re.compile(r"\d{5}"), "28001"),
    "IT": (re.compile(r"\d{5}"), "00118"),
    "SE": (re.compile(r"\d{3} ?\d{2}"), "111 22"),
    "NO": (re.compile(r"\d{4}"), "0150"),
    "PL": (re.compile(r"\d{2}-\d{3}"), "00-001"),
}

# Countries whose addresses carry no postal code.
_NO_POSTAL_CODE = frozenset({"AE", "AG", "AO", "BS", "BZ", "HK", "IE", "QA", "TT"})


def address_problems(address: AddressDraft) -> list[str]:
    """Everything wrong with `address` for shipping; an empty list means it can ship."""
    problems = [
        f"ship-to {label} is missing"
        for label, value in (
            ("name", address.name),
            ("street address", address.address1),
            ("city", address.city),
        )
        if not value.strip()
    ]
    country = address.country.strip().upper()
    if not country:
        problems.append("ship-to country is missing")
        return problems
    if country not in ISO_COUNTRIES:
        problems.append(
            f"ship-to country '{address.country}' is not an ISO country code (e.g. US, DE)"
        )
        return problems
    postal = address.postal_code.strip().upper()
    if not postal:
        if country not in _NO_POSTAL_CODE:
            problems.append(f"ship-to postal code is missing ({country} addresses need one)")
        return problems
    rule = _POSTAL.get(country)
    if rule is not None and not rule[0].fullmatch(postal):
        problems.append(
            f"postal code '{address.postal_code}' does not look like a {country} postal code "
            f"(expected like {rule[1]})"
        )
    elif rule is None and not re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{1,9}", postal):
        problems.append(f"postal code '{address.postal_code}' is not a plausible postal code")
    return problems
